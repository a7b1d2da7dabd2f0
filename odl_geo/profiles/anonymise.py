"""Keeping personal data out of published layers (a requirement of the Région for every dataset).

Three layers of protection, all listed in the report so that a person can see what was removed:

1. fields a profile declares personal (``TargetField.personal``: a private owner's name, a phone, an e-mail) are
   emptied ("dropped") or replaced by ``***`` ("masked") unless the mapping file keeps them;
2. schema fields fed by a source field whose *name* says it is personal (``TEL_PROPRIO``, ``nom_proprietaire``,
   ``courriel``...) are emptied too; personal source fields outside the schema are never published and are listed;
3. free-text fields are scanned for e-mail addresses and French phone numbers, which are **masked by default**
   (``[courriel masqué]``, ``[téléphone masqué]``) and listed with the features concerned: a phone in a
   description may be a resident's. ``mask_free_text = false`` (``--no-mask-free-text``) only reports them, for a
   person to decide. Fields whose purpose is a public contact (``contact``, ``url``, ``lien``) are scanned for
   *personal-looking* values only: an address at a personal mailbox provider (``@gmail.com``, ``@orange.fr``...)
   or of the form ``firstname.lastname@``, and mobile numbers (06, 07); a structure's ``contact@`` or its
   switchboard stay.

Configuration: the mapping file's ``[anonymise]`` section (``keep``, ``drop``, ``mask``, ``scan_free_text``,
``mask_free_text``) and the CLI flags ``--keep-personal``, ``--mask-free-text`` / ``--no-mask-free-text``,
``--no-anonymise``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..numbers import literal
from ..report import Issue, Severity
from ..values import distinct_objects, is_blank, normalise_name

if TYPE_CHECKING:
    from ..report import Report
    from .base import Profile, ThemeDataset

__all__ = [
    "EMAIL",
    "PHONE",
    "AnonymiseOptions",
    "Removal",
    "anonymise",
    "is_personal_email",
    "is_personal_name",
    "is_personal_phone",
    "scan_text",
]

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?<!\d)(?:(?:\+|00)33[\s.\-]?(?:\(0\))?|0)[1-9](?:[\s.\-]?\d{2}){4}(?!\d)")
#: PHONE for RE2 (Arrow), matching wherever PHONE matches and sometimes where it does not: RE2 has no lookaround,
#: so the digit before and after are any character but an ASCII digit, and its ``\d``/``\s`` are ASCII only, so
#: every non-ASCII character stands for a digit or a space (Python's are Unicode)
_SPACE = r"[\t-\r\x1c-\x20.\-\x{80}-\x{10FFFF}]"
_DIGIT = r"[0-9\x{80}-\x{10FFFF}]"
PHONE_LOOSE = rf"(?:^|[^0-9])(?:(?:\+|00)33{_SPACE}?(?:\(0\))?|0)[1-9](?:{_SPACE}?{_DIGIT}{_DIGIT}){{4}}(?:$|[^0-9])"
MASK = "***"
EMAIL_MASK = "[courriel masqué]"
PHONE_MASK = "[téléphone masqué]"

#: normalised source field names that hold personal data
PERSONAL_NAMES = re.compile(
    r"(^|_)(prenom|nom_?(du_)?(proprietaire|proprio|occupant|particulier|habitant|exploitant_prive|contact|demandeur)"
    r"|proprietaire|proprio|owner|tel|telephone|phone|portable|mobile|gsm|fax|e_?mail|courriel|mail"
    r"|adresse_(proprietaire|proprio|particulier|domicile|perso|personnelle)|date_(de_)?naissance|birth)($|_)"
)
#: fields whose purpose is a public contact (a structure's e-mail, a web page): only personal-looking values count
PUBLIC_CONTACT_FIELDS = frozenset({"contact", "url", "lien"})
#: mailbox providers of private persons (an organisation has its own domain)
PERSONAL_MAIL_DOMAINS = re.compile(
    r"@(gmail|googlemail|hotmail|outlook|live|msn|yahoo|ymail|icloud|me|aol|gmx|protonmail|proton|laposte|orange"
    r"|wanadoo|free|sfr|neuf|bbox|numericable|club-internet|aliceadsl|cegetel|voila|tutanota)\.[a-z.]+$",
    re.IGNORECASE,
)
#: a local part made of words like a name ("jean.dupont", "m-martin"), unless a word says it is a service's
NAME_LIKE = re.compile(r"^[a-zà-ÿ]+(?:[._-][a-zà-ÿ]+)+$", re.IGNORECASE)
ROLE_WORDS = frozenset(
    {
        "contact",
        "info",
        "infos",
        "information",
        "accueil",
        "mairie",
        "office",
        "tourisme",
        "ot",
        "rando",
        "randonnee",
        "randonnees",
        "secretariat",
        "service",
        "services",
        "communication",
        "direction",
        "parc",
        "sentier",
        "sentiers",
        "admin",
        "webmaster",
        "noreply",
        "no",
        "reply",
        "ne",
        "pas",
        "repondre",
        "reservation",
        "reservations",
        "mail",
        "courrier",
        "bureau",
        "club",
        "association",
        "asso",
        "federation",
        "comite",
        "cdrp",
        "ffrandonnee",
        "maison",
        "agence",
        "pays",
        "communaute",
        "cc",
        "ville",
        "commune",
        "syndicat",
        "ddt",
        "sdis",
        "",
    }
)
MOBILE = re.compile(r"^(?:(?:\+|00)33[\s.\-]?(?:\(0\))?|0)[67]")


def is_personal_name(name: str) -> bool:
    return bool(PERSONAL_NAMES.search(normalise_name(name)))


@dataclass(frozen=True)
class AnonymiseOptions:
    """What to do with personal data (see the module docstring)."""

    enabled: bool = True
    keep: frozenset[str] = frozenset()
    drop: frozenset[str] = frozenset()
    mask: frozenset[str] = frozenset()
    scan_free_text: bool = True
    mask_free_text: bool = True

    @classmethod
    def build(
        cls,
        section: dict[str, Any] | None = None,
        keep: list[str] | tuple[str, ...] = (),
        mask_free_text: bool | None = None,
        enabled: bool = True,
    ) -> AnonymiseOptions:
        """The mapping file's ``[anonymise]`` section, overridden by the command line."""
        s = section or {}
        return cls(
            enabled=enabled,
            keep=frozenset(s.get("keep", [])) | frozenset(keep),
            drop=frozenset(s.get("drop", [])),
            mask=frozenset(s.get("mask", [])),
            scan_free_text=bool(s.get("scan_free_text", True)),
            mask_free_text=bool(s.get("mask_free_text", True)) if mask_free_text is None else mask_free_text,
        )


@dataclass
class Removal:
    """One thing removed or found, for the report's anonymisation table."""

    role: str
    field: str
    action: str  # "dropped", "masked", "not published", "found in text", "masked in text"
    count: int
    reason: str
    examples: list[int] = dc_field(default_factory=list)


def is_personal_email(address: str) -> bool:
    """An address of a private person's mailbox, or one whose local part reads like a person's name."""
    if PERSONAL_MAIL_DOMAINS.search(address):
        return True
    local = address.split("@", 1)[0]
    return bool(NAME_LIKE.match(local)) and not (set(re.split(r"[._-]", local.lower())) & ROLE_WORDS)


def is_personal_phone(number: str) -> bool:
    """A mobile number (06, 07): a switchboard or a service number is a structure's."""
    return bool(MOBILE.match(number.strip()))


def _texts(series: pd.Series) -> pd.Series:
    text = series.astype(object).where(~is_blank(series), "")
    return text.map(lambda v: v if isinstance(v, str) else "")


def scan_text(series: pd.Series, personal_only: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Masks of the values holding an e-mail address, and a phone number (``personal_only``: personal-looking
    ones, for public contact fields).

    What a value holds depends on that value alone, so each value is scanned once and the answer taken back by
    row: a conformed column repeats the same text object over its rows (a trail's description, a manager, an
    address), and objects are told apart by identity (no hashing of long texts again). A few distinct values are
    scanned one by one in Python (:func:`_scan_one`), many at once by Arrow (:func:`_scan_values`)."""
    values = series.to_numpy(dtype=object)
    objects = distinct_objects(values)
    if objects is not None:
        codes, first = objects
        distinct = values[first]
        if len(distinct) <= _FEW:
            found = [_scan_one(v, personal_only) for v in distinct]
            email = np.array([e for e, _p in found], dtype=bool)
            phone = np.array([p for _e, p in found], dtype=bool)
        else:
            email, phone = _scan_values(pd.Series(distinct, dtype=object), personal_only)
        return email[codes], phone[codes]
    return _scan_values(series, personal_only)


#: up to this many distinct values, :func:`_scan_one` in Python costs less than a call to Arrow
_FEW = 64
_DIGITS = "0123456789"


def _scan_one(v: object, personal_only: bool) -> tuple[bool, bool]:
    """:func:`_scan_values` of one value: only text is scanned; an ``@`` for an address, ten ASCII digits or
    more for a phone number, then the regular expressions (and the personal-looking tests)."""
    if not isinstance(v, str):
        return False, False
    email = phone = False
    if "@" in v:
        email = _holds(v, EMAIL, is_personal_email, personal_only)
    if sum(map(v.count, _DIGITS)) >= 10:
        phone = _holds(v, PHONE, is_personal_phone, personal_only)
    return email, phone


def _holds(v: str, rx: re.Pattern[str], is_personal: Any, personal_only: bool) -> bool:
    if personal_only:
        return any(is_personal(m.group()) for m in rx.finditer(v))
    return rx.search(v) is not None


def _scan_values(series: pd.Series, personal_only: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`scan_text` value by value. The regular expressions run only on the values that can match: an address
    has an ``@``, a phone number ten digits; Arrow finds those in C, so a column of names or descriptions costs
    little (a streamed layer scans every chunk)."""
    email = np.zeros(len(series), dtype=bool)
    phone = np.zeros(len(series), dtype=bool)
    if not len(series):
        return email, phone
    raw = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=True) in ("string", "empty"):  # text and nulls: no copy in Python
        texts = raw
        arr = pa.array(raw, type=pa.string(), from_pandas=True)
    else:  # numbers, lists...: their text is not scanned (as _texts says)
        texts = _texts(series).to_numpy(dtype=object)
        arr = pa.array(texts, type=pa.string())
    # an address: EMAIL itself (ASCII classes only: RE2 finds what ``re`` finds), on the values holding its "@"
    # (a plain search, a few times cheaper than the expression on every value)
    at = _matching(arr, EMAIL.pattern, np.asarray(pc.fill_null(pc.match_substring(arr, "@"), False), dtype=bool))
    # ten digits or more anywhere (one RE2 search: removing the other characters first built a copy of every
    # value, 20 times slower on a column of names) and what PHONE needs, read loosely (identifiers such as
    # "30189.000000" hold ten digits but no phone number: no Python search for each of them). The loose search
    # first: it costs a fifth of the ten-digit one on a column of identifiers or dates (ten digits, not a phone
    # number's shape); the ten-digit search then reads only the values it found
    loose = np.asarray(pc.fill_null(pc.match_substring_regex(arr, PHONE_LOOSE), False), dtype=bool)
    ten = _matching(arr, r"(?:[0-9][^0-9]*){10}", loose)
    for mask, rx, candidates, is_personal in (
        (email, EMAIL, at, is_personal_email),
        (phone, PHONE, ten, is_personal_phone),
    ):
        idx = np.flatnonzero(candidates)
        if idx.size:  # the candidates are text (a null is never one)
            mask[idx] = [_holds(v, rx, is_personal, personal_only) for v in texts[idx]]
    return email, phone


def _matching(arr: pa.Array, pattern: str, candidates: np.ndarray) -> np.ndarray:
    """Which values of ``arr`` match the RE2 ``pattern`` (null: no), searched among the ``candidates`` only."""
    found = np.zeros(len(arr), dtype=bool)
    where = np.flatnonzero(candidates)
    if where.size:
        part = arr if where.size == len(arr) else arr.take(pa.array(where))
        hits = pc.match_substring_regex(part, pattern)
        found[where] = np.asarray(pc.fill_null(hits, False), dtype=bool)
    return found


def _mask_text(v: object, personal_only: bool = False) -> object:
    if not isinstance(v, str):
        return v
    if not personal_only:
        return PHONE.sub(PHONE_MASK, EMAIL.sub(EMAIL_MASK, v))
    v = EMAIL.sub(lambda m: EMAIL_MASK if is_personal_email(m.group()) else m.group(), v)
    return PHONE.sub(lambda m: PHONE_MASK if is_personal_phone(m.group()) else m.group(), v)


def anonymise(
    profile: Profile,
    dataset: ThemeDataset,
    options: AnonymiseOptions,
    report: Report,
    source_columns: dict[str, list[str]] | None = None,
) -> tuple[ThemeDataset, list[Removal]]:
    """Apply ``options`` to the conformed ``dataset`` (frames are copied, never changed in place).

    :param source_columns: role -> the source layer's fields, to list personal fields that are not published.
    """
    removals: list[Removal] = []
    if not options.enabled:
        report.add(
            Issue(
                "ANON_DISABLED",
                Severity.WARNING,
                "Anonymisation was turned off (--no-anonymise).",
                "Make sure no personal data is published.",
                message_fr="Anonymisation désactivée (--no-anonymise).",
            )
        )
        return dataset, removals
    for spec in profile.roles:
        frame = dataset.frames.get(spec.role)
        if frame is None:
            continue
        layer = dataset.source_names.get(spec.role, spec.role)
        frame = frame.copy(deep=False)  # copy-on-write (pandas 3): columns are replaced, never written in place
        matches = dataset.field_matches.get(spec.role, {})
        for tf in spec.fields:
            if tf.name not in frame.columns or tf.name in options.keep:
                continue
            source = matches.get(tf.name, ("", ""))[0]
            if tf.personal or tf.name in options.drop or tf.name in options.mask:
                reason = "personal field of the schema" if tf.personal else "listed in [anonymise]"
            elif source and is_personal_name(source):
                reason = f"fed by the source field {source!r}, whose name says it is personal"
            else:
                continue
            filled = ~is_blank(frame[tf.name])
            if not filled.any():
                continue
            action = "masked" if tf.name in options.mask else "dropped"
            frame[tf.name] = frame[tf.name].astype(object).where(~filled, MASK if action == "masked" else None)
            removals.append(Removal(spec.role, tf.name, action, int(filled.sum()), reason))
        for col in (source_columns or {}).get(spec.role, []):
            used = {src for src, _how in matches.values()}
            if col not in used and is_personal_name(col):
                removals.append(Removal(spec.role, col, "not published", 0, "personal source field outside the schema"))
        if options.scan_free_text:
            for tf in spec.fields:
                if tf.kind != "string" or tf.enum or tf.name not in frame.columns or tf.name in options.keep:
                    continue
                public = tf.name in PUBLIC_CONTACT_FIELDS
                email, phone = scan_text(frame[tf.name], personal_only=public)
                hit = email | phone
                if not hit.any():
                    continue
                idx = np.flatnonzero(hit)
                what = " and ".join(w for w, m in (("e-mail address", email), ("phone number", phone)) if m.any())
                if public:
                    what = "personal-looking " + what
                if options.mask_free_text:
                    column = frame[tf.name].astype(object)
                    masked: dict[str, object] = {}  # each distinct text masked once
                    column.iloc[idx] = [
                        masked[v] if v in masked else masked.setdefault(v, _mask_text(v, public))
                        for v in column.iloc[idx]
                    ]
                    frame[tf.name] = column
                    removals.append(Removal(spec.role, tf.name, "masked in text", int(idx.size), what, idx.tolist()))
                else:
                    removals.append(Removal(spec.role, tf.name, "found in text", int(idx.size), what, idx.tolist()))
        dataset.frames[spec.role] = frame
        _report(removals, spec.role, layer, report)
    return dataset, removals


def _report(removals: list[Removal], role: str, layer: str, report: Report) -> None:
    for r in (r for r in removals if r.role == role):
        field = literal(r.field)
        if r.action in ("dropped", "masked"):
            verb_fr = "vidée" if r.action == "dropped" else "masquée"
            report.add(
                Issue("ANON_FIELD_REMOVED", Severity.INFO, "", layer=layer, count=r.count).counted(
                    f"{field}: {{n}} {{n:value|values}} {r.action} ({literal(r.reason)}).",
                    f"{field} : {{n}} {{n:valeur {verb_fr}|valeurs {verb_fr}s}} (donnée personnelle).",
                    n=r.count,
                )
            )
        elif r.action == "not published":
            report.add(
                Issue(
                    "ANON_SOURCE_FIELD_DROPPED",
                    Severity.INFO,
                    f"{r.field}: personal field of the source, not published.",
                    layer=layer,
                    message_fr=f"{r.field} : champ personnel de la source, non publié.",
                )
            )
        elif r.action == "found in text":
            report.add(
                Issue(
                    "ANON_CONTACT_IN_TEXT",
                    Severity.WARNING,
                    "",
                    "If they are personal, drop --no-mask-free-text (or mask_free_text = false in [anonymise]): they "
                    "are then masked.",
                    layer=layer,
                    count=r.count,
                    examples=list(r.examples),
                ).counted(
                    f"{field}: {{n}} {{n:text contains|texts contain}}: {literal(r.reason)}; check they are not a "
                    "private person's (not masked: mask_free_text = false or --no-mask-free-text).",
                    f"{field} : {{n}} {{n:texte contient|textes contiennent}} {literal(_fr(r.reason))} ; vérifiez "
                    "qu'il ne s'agit pas de coordonnées d'un particulier.",
                    n=r.count,
                )
            )
        else:
            report.add(
                Issue("ANON_TEXT_MASKED", Severity.INFO, "", layer=layer, count=r.count, examples=list(r.examples))
                .counted(
                    f"{field}: {literal(r.reason)} masked in {{n}} {{n:text|texts}}.",
                    f"{field} : {literal(_fr(r.reason))} {_masked_fr(r.reason)} dans {{n}} {{n:texte|textes}}.",
                    n=r.count,
                )
            )


def _masked_fr(reason: str) -> str:
    """« masqué » agreeing with what :func:`_fr` names: an address (feminine), a number, or both (plural)."""
    if " and " in reason:
        return "masqués"
    return "masquée" if "e-mail" in reason else "masqué"


def _fr(reason: str) -> str:
    return (
        reason.replace("personal-looking e-mail address", "une adresse électronique d'apparence personnelle")
        .replace("personal-looking phone number", "un numéro de téléphone d'apparence personnelle")
        .replace("personal-looking ", "")
        .replace("e-mail address", "une adresse électronique")
        .replace("phone number", "un numéro de téléphone")
        .replace(" and ", " et ")
    )
