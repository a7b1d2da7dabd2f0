"""Merging what the chunks of one streamed layer found into one report, as if the layer had been checked whole.

``convert --theme`` checks a large layer in chunks (:mod:`odl_geo.theme.stream`). Each chunk's issues name rows of
that chunk; here they are shifted to rows of the layer and merged: one line per kind of finding with the layer's
total count, whatever the number of chunks. A finding of the layer itself (a field renamed, the CRS) comes once,
not once per chunk.
"""

from __future__ import annotations

import pickle
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING

from ..checks.registry import Change
from ..numbers import count_text, fill, literal, quantity
from ..report import Issue, Report, Severity

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from ..checks.runner import Fix
    from ..profiles.anonymise import Removal

__all__ = ["HELD_CHANGES", "ChunkMerger", "SpilledChanges"]

#: how many fix changes (feature, field, old, new) a streamed run holds in memory; the next ones go to a temporary
#: file (~250 bytes each in memory, measured: 50,000 is ~12 MB, where 1M fixed rows were 251 MB and 5M ~1.2 GB).
#: 5,000 (~1.2 MB): water 5M's ~34,000 changes, all held at 50,000, were ~8 MB of the run's growth over its pass
#: (counted: 137 more ``Change`` objects a chunk); a commune's layer still has every change in memory
HELD_CHANGES = 5_000

#: a number as messages write it: 12, 1.4139, 43,6, 1 004 (French thousands), 1,004
_NUMBER = re.compile("\\d+(?:[.,\u202f\u00a0]\\d+| \\d{3}(?!\\d))*")
#: findings that count features without naming them (``7 value(s) dropped``): their chunks' counts add up
COUNTING = frozenset({"ANON_FIELD_REMOVED", "ENUM_VALUES_MAPPED", "LINES_MERGED", "FIX_APPLIED"})


def _counts_features(code: str) -> bool:
    from ..checks.registry import REGISTRY, Level

    check = REGISTRY.get(code)
    return code in COUNTING or (check is not None and check.level is Level.FEATURE)


def _key(issue: Issue) -> str:
    """What makes two chunks' findings one: a check's finding on a field is one whatever values the chunks quote
    as examples (``id_local: 2 identifiers used twice, e.g. 'F-12'``), so its key is the field (the text before
    the first ``": "``); a fix is one per check (``DATE_NOT_ISO: …``); a message written from counts is its
    template; anything else is its message, numbers masked (the validator's findings differ by rule)."""
    from ..checks.registry import REGISTRY

    # a message written from counts (Issue.counted) is taken in its plural words whatever its counts (« 1 objet
    # est », « 3 objets sont »: one finding), with what was put before its text since
    template = _prefixed(issue.message, issue.template, issue.numbers, "en")
    text = _plural(template, issue.numbers, "en") if template else issue.message
    if (issue.code in REGISTRY or issue.code == "FIX_APPLIED") and ": " in text:
        return _shape(text.split(": ", 1)[0])
    # the values it quotes are a chunk's own (``'Poteau' -> 'PI'`` here, ``'bouche' -> 'BI'`` there): not its key
    return _shape(_requote(text, issue.quoted, []))


def _requote(text: str, old: list[str] | tuple[str, ...], new: list[str], escape: bool = False) -> str:
    """``text`` quoting ``new`` where it quoted ``old`` (its last place: the values come after the words);
    ``escape``: ``text`` is a template of :func:`~odl_geo.numbers.fill` (the values written there as literals)."""
    if not old:
        return text
    was, now = ", ".join(old), ", ".join(new)
    if escape:
        was, now = literal(was), literal(now)
    at = text.rfind(was)
    return text if at < 0 else f"{text[:at]}{now}{text[at + len(was) :]}"


def _more_quoted(quoted: list[str], later: list[str] | tuple[str, ...], most: int) -> list[str]:
    """The values a whole layer would quote: the earlier chunks' first, then a later one's new ones, ``most`` in
    all (each chunk quotes its own first ones, in the layer's order)."""
    if len(quoted) >= most or not later:
        return quoted
    return list(dict.fromkeys([*quoted, *later]))[:most]


#: the count a fix's note starts with, after its field when it names one: ``date_mes : 98 …``, ``19 feature(s) …``,
#: grouped as the checks write counts (``1\u202f004`` in French, ``1,004`` in English: :mod:`odl_geo.numbers`)
_NOTE_NUMBER = re.compile("(?:[^:\\d]*:)?\\s*(\\d{1,3}(?:[,\u202f]\\d{3})+|\\d+)(?![\\d,\u202f])")


def _note_int(text: str) -> int:
    """The count :data:`_NOTE_NUMBER` found, its groups' separators left out."""
    return int(text.replace(",", "").replace("\u202f", ""))


def _grouped(code: str) -> bool:
    """Whether an issue's messages write their counts grouped (:mod:`odl_geo.numbers`): the checks' do (and the
    notes of their fixes, ``FIX_APPLIED``), other findings write them as they always did."""
    from ..checks.registry import REGISTRY

    return code in REGISTRY or code == "FIX_APPLIED"


def _note_key(note: str, template: str = "", numbers: dict[str, int] | None = None, lang: str = "en") -> str:
    """What makes two chunks' notes one: the text before the first ``:`` (a field), numbers masked. A note
    written from counts (``template``) is taken in its plural words, whatever its counts (« 1 objet retiré » and
    « 3 objets retirés » are one note)."""
    if template:
        note = _plural(template, numbers or {}, lang)
    return _shape(note.partition(":")[0].strip())


def _plural(template: str, numbers: dict[str, int], lang: str) -> str:
    """``template`` written with every count at 2: its words the same whatever its counts (a merge's key)."""
    return fill(template, dict.fromkeys(numbers, 2), lang)


def _note_count(note: str, changes: Counter[str]) -> int:
    """How many of ``changes`` (per field) ``note``'s number may count: its field's, or every row's change."""
    head, sep, _ = note.partition(":")
    if sep and head.strip() in changes:
        return changes[head.strip()]
    return sum(changes.values()) if not sep or head[:1].isdigit() else 0


#: a feature named in a message: ``#414``, ``feature #414``, ``objet n°414`` (the row in the chunk it was found in)
_ROW_REF = re.compile(r"(#|n°)(\d+)\b")


def _in_layer(text: str, offset: int) -> str:
    """``text`` with the features it names numbered in the layer, not in their chunk (``#414`` of the chunk
    starting at row 20,000 is the layer's ``#20414``), as the issue's examples are."""
    if not offset or not text:
        return text
    return _ROW_REF.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + offset}", text)


def _shape(text: str) -> str:
    """The message with its numbers masked: two chunks' ``12 feature(s)…`` and ``7 feature(s)…`` are one finding."""
    return _NUMBER.sub("#", text)


def _prefixed(message: str, template: str, numbers: dict[str, int], lang: str) -> str:
    """``template`` with what was put before its message since (``[left out] ``, by ``--drop-invalid``), or ""
    when ``message`` is not the template's text."""
    if not template:
        return ""
    written = fill(template, numbers, lang)
    if not message.endswith(written):
        return ""
    return literal(message[: len(message) - len(written)]) + template


#: the end of a fix's note that lists features: ``#3, #4`` then maybe ``and 7 more`` (French: ``et 7 autres``)
_LISTED = {
    "en": re.compile(r"(#\d+(?:, #\d+)*)(?: and (\d{1,3}(?:,\d{3})*) more)?(\.?)$"),
    "fr": re.compile(r"(#\d+(?:, #\d+)*)(?: et (\d{1,3}(?:\u202f\d{3})*) autre(?:s|\(s\))?)?(\.?)$"),
}


def _more(note: str, first: int, total: int, lang: str) -> str:
    """A fix's note listing ten of its first chunk's ``first`` features, then "and N more", made to say how many
    of the layer's ``total`` it does not list. (A note that listed every feature of its chunk is left as it was:
    its count says the layer's, its list the first chunk's.)"""
    found = _LISTED[lang].search(note)
    if found is None or total <= first or not found.group(2):
        return note
    return note[: found.end(1)] + _more_tail(_note_int(found.group(2)) + total - first, lang) + found.group(3)


def _more_tail(more: int, lang: str) -> str:
    """How many features a note's list does not name: " and 7 more", « et 1 autre », « et 7 autres »."""
    return f" and {count_text(more, 'en')} more" if lang == "en" else f" et {quantity(more, 'autre', 'autres')}"


def _listing(note: str, rows: list[str], total: int, lang: str) -> str:
    """A fix's note naming the layer's first features of ``rows`` (``#39``, as the layer numbers them: its first
    chunks' lists in order), at most :data:`~odl_geo.checks.fixes.LISTED_FEATURES`, then how many of its ``total``
    it does not name, as a whole layer's note does (a first chunk that named all its features is completed from the
    next chunks': « #5, #21, #22, #23 », not « #5 » for four)."""
    from ..checks.fixes import LISTED_FEATURES

    found = _LISTED[lang].search(note)
    if found is None:
        return note
    shown = rows[:LISTED_FEATURES]
    more = total - len(shown)
    tail = _more_tail(more, lang) if more > 0 else ""
    return note[: found.start(1)] + ", ".join(shown) + tail + found.group(3)


def _listed_rows(note: str, lang: str) -> list[str] | None:
    """The features a fix's note names (``["#5", "#21"]``), None when it names none."""
    found = _LISTED[lang].search(note)
    return found.group(1).split(", ") if found is not None else None


def _with_total(text: str, first: int, total: int, lang: str = "en", grouped: bool = False) -> str:
    """``text`` (written for the first chunk's ``first`` features) with the layer's ``total`` instead.

    ``grouped``: ``text`` writes its counts grouped by thousands in ``lang`` (:func:`odl_geo.numbers.count_text`),
    as the checks' messages do; the total is written so too."""
    if first == total or not text:
        return text
    if grouped:
        pattern = re.compile(f"(?<![\\d.,\u202f]){re.escape(count_text(first, lang))}(?![\\d]|[.,\u202f]\\d)")
        return pattern.sub(count_text(total, lang), text, count=1)
    pattern = re.compile(rf"(?<![\d.,]){first}(?![\d])")
    return pattern.sub(str(total), text, count=1)


def _quote_more(found: Issue, later: Issue) -> None:
    """``found``'s texts quoting ``later``'s values too, up to the most it quotes (:meth:`Issue.quoting`)."""
    quoted = _more_quoted(found.quoted, later.quoted, found.quote_max)
    if quoted == found.quoted:
        return
    found.message = _requote(found.message, found.quoted, quoted)
    found.message_fr = _requote(found.message_fr, found.quoted, quoted)
    found.template = _requote(found.template, found.quoted, quoted, escape=True)
    found.template_fr = _requote(found.template_fr, found.quoted, quoted, escape=True)
    found.quoted = quoted


@dataclass
class _Finding:
    issue: Issue
    first_count: int
    chunks: int = 1


class SpilledChanges(list):
    """A fix's changes, in order: the first ones in memory (this list's own items), the rest in an unnamed
    temporary file, written one chunk's batch at a time and read back one batch at a time.

    A list so that a :class:`~odl_geo.checks.runner.Fix` can hold it as its ``details``: ``len()`` and iterating
    count and give every change; indexing and slicing see only the ones in memory (nothing does that on a merged
    fix). The file has no name (``tempfile.TemporaryFile``): nothing is left behind whatever happens to the run,
    and its disk space goes back when :meth:`close` is called or the fix is dropped.
    """

    def __init__(self, held: Iterable[Change] = ()) -> None:
        super().__init__(held)
        self._file: IO[bytes] | None = None
        self._spilled = 0

    def spill(self, changes: list[Change], folder: Path | None) -> None:
        """Append ``changes`` after every change known, in the temporary file (made in ``folder`` on first use)."""
        if not changes:
            return
        if self._file is None:
            # no context manager: the file lives as long as the fix, until close()
            self._file = tempfile.TemporaryFile(prefix=".odl-geo-changes-", dir=folder)  # noqa: SIM115
        self._file.seek(0, 2)
        pickle.dump([(c.feature, c.field, c.old, c.new) for c in changes], self._file, pickle.HIGHEST_PROTOCOL)
        self._spilled += len(changes)

    @property
    def spilled(self) -> int:
        return self._spilled

    def close(self) -> None:
        if self._file is not None:
            self._file.close()  # kept: reading it again says the changes were released, rather than fewer

    def __len__(self) -> int:
        return super().__len__() + self._spilled

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[Change]:
        yield from super().__iter__()
        if self._file is None or not self._spilled:
            return
        if self._file.closed:
            raise ValueError("the changes written to the temporary file were released")
        self._file.flush()
        position = 0
        while True:  # one batch in memory at a time; the position kept, so that a spill between reads is safe
            self._file.seek(position)
            try:
                batch = pickle.load(self._file)
            except EOFError:
                return
            position = self._file.tell()
            for feature, name, old, new in batch:
                yield Change(feature, name, old, new)


class ChunkMerger:
    """Issues, fixes and anonymisation lines of every chunk of the layers of one run.

    :param spill_to: a streamed run's staging folder: past :data:`HELD_CHANGES` changes held in memory, the
        fixes' further changes go to temporary files there (:class:`SpilledChanges`). None: all in memory.
    """

    def __init__(self, spill_to: Path | None = None) -> None:
        self._findings: dict[tuple[str, str, str, str], _Finding] = {}
        self._fixes: dict[tuple[str, str], Fix] = {}
        self._spill_to = spill_to
        self._held = 0  # changes held in memory by the fixes' lists
        #: per fix, its changes per field (what the notes' numbers count), kept as they come
        self._fields: dict[tuple[str, str], Counter[str]] = {}
        #: per fix, each note kept and how many changes of its field its chunk made (what its number may count)
        self._said: dict[tuple[str, str], dict[str, int]] = {}
        self._removals: dict[tuple[str, str, str, str], Removal] = {}
        #: per fix, the template and counts of each kept note written from counts (``Note.counted``), by its
        #: language and place in that language's list
        self._templates: dict[tuple[str, str], dict[tuple[str, int], tuple[str, dict[str, int]]]] = {}
        #: per fix, the features each kept note names, its later chunks' included (up to a note's most), by its
        #: language and place in that language's list
        self._listed: dict[tuple[str, str], dict[tuple[str, int], list[str]]] = {}
        #: per fix, the values each kept note quotes, by its language and place in that language's list
        self._quoted: dict[tuple[str, str], dict[tuple[str, int], list[str]]] = {}
        #: the text each quoting note had when first said (its fix's FIX_APPLIED finding joins these texts)
        self._first_said: dict[tuple[tuple[str, str], str, int], str] = {}

    # -- issues ----------------------------------------------------------------------------------------
    def add_report(self, report: Report, offset: int, fixes_offset: int | None = None) -> None:
        """A chunk's findings, its rows after ``offset`` in the layer; ``fixes_offset``: where the rows its fixes
        name start (a chunk is fixed as read, and checked again once fixed: the rows earlier chunks' fixes
        removed are not counted in ``offset``)."""
        for issue in report.issues:
            here = fixes_offset if fixes_offset is not None and issue.code == "FIX_APPLIED" else offset
            self.add(issue, here)

    def add(self, issue: Issue, offset: int) -> None:
        key = (issue.code, issue.layer, issue.severity.value, _key(issue))
        rows = [r + offset for r in issue.examples[:5]]  # the report names five
        found = self._findings.get(key)
        if found is None:
            # a message written from counts (Issue.counted) is written again from the layer's: its templates, with
            # what was put before its text since; none when the message is not the template's text any more
            template = _prefixed(issue.message, issue.template, issue.numbers, "en")
            template_fr = _prefixed(issue.message_fr, issue.template_fr, issue.numbers, "fr") if template else ""
            copy = replace(issue, examples=rows[:5], message=_in_layer(issue.message, offset),
                           quoted=list(issue.quoted),
                           message_fr=_in_layer(issue.message_fr, offset), numbers=dict(issue.numbers),
                           template=_in_layer(template, offset),
                           template_fr=_in_layer(template_fr, offset))  # fmt: skip
            self._findings[key] = _Finding(copy, issue.count)
            return
        if not issue.examples and issue.message == found.issue.message and not _counts_features(issue.code):
            return  # a finding of the layer itself (no feature named), said again by the next chunk
        found.issue.count += issue.count
        for name, n in issue.numbers.items():
            found.issue.numbers[name] = found.issue.numbers.get(name, 0) + n
        if found.issue.template and issue.template:
            from ..checks.registry import REGISTRY

            check = REGISTRY.get(issue.code)
            if check is not None and check.joined is not None:  # a text whose shape depends on the counts
                check.joined(found.issue, issue)
        found.chunks += 1
        _quote_more(found.issue, issue)
        room = 5 - len(found.issue.examples)
        if room > 0:
            found.issue.examples.extend(rows[:room])

    def issues(self) -> list[Issue]:
        """The merged issues, their messages counting the whole layer. A layer found valid in some chunks and
        not in others is not valid: its SCHEMA_VALID goes."""
        # a schema's ``unique`` rule is judged by the validator within a chunk only; across chunks DUPLICATE_ID
        # (bounded state) finds the identifiers used twice: the layer is then not valid either
        invalid = {f.issue.layer for f in self._findings.values()
                   if f.issue.code == "SCHEMA_INVALID" or (f.issue.code == "DUPLICATE_ID"
                                                           and f.issue.severity is Severity.ERROR)}  # fmt: skip
        out = []
        for f in self._findings.values():
            issue = f.issue
            if issue.code == "SCHEMA_VALID" and issue.layer in invalid:
                continue
            if issue.code == "FIX_APPLIED":
                joined = self._fix_notes(issue) if f.chunks > 1 else None
                if joined is not None:
                    out.append(joined)
                    continue
                issue = self._fix_quotes(issue)
            if f.chunks > 1 and issue.template:  # every count of its message the layer's
                issue = replace(
                    issue,
                    message=fill(issue.template, issue.numbers, "en"),
                    message_fr=fill(issue.template_fr, issue.numbers, "fr") if issue.template_fr else issue.message_fr,
                )
            elif f.chunks > 1:
                grouped = _grouped(issue.code)
                en = _with_total(issue.message, f.first_count, issue.count, "en", grouped)
                fr = _with_total(issue.message_fr, f.first_count, issue.count, "fr", grouped)
                if issue.code == "FIX_APPLIED" and en != issue.message:  # its note's count was the changes'
                    en, fr = _more(en, f.first_count, issue.count, "en"), _more(fr, f.first_count, issue.count, "fr")
                issue = replace(issue, message=en, message_fr=fr)
            out.append(issue)
        return out

    def _fix_notes(self, issue: Issue) -> Issue | None:
        """A fix's FIX_APPLIED finding said by several chunks, written again as a whole layer writes it: its code,
        then its notes once merged (:meth:`fixes`: the layer's counts, the words agreeing with them, the values
        quoted). None when its fix's notes are not known (a finding merged without its fix)."""
        code = issue.message.partition(": ")[0]
        if (issue.layer, code) not in self._fixes:
            return None
        fix = self._merged_fix((issue.layer, code))
        return replace(issue, message=f"{code}: " + " ".join(fix.changes),
                       message_fr=f"{code} corrigé : " + " ".join(fix.changes_fr))  # fmt: skip

    def _fix_quotes(self, issue: Issue) -> Issue:
        """A fix's FIX_APPLIED finding (its notes joined) quoting the values its notes quote once merged."""
        code = issue.message.partition(": ")[0]
        message, message_fr = issue.message, issue.message_fr
        for (key, lang, at), said in self._first_said.items():
            if key[1] != code or (key[0] != issue.layer and (issue.layer, code) in self._fixes):
                continue
            fix = self._fixes[key]
            now = (fix.changes if lang == "en" else fix.changes_fr)[at]
            if lang == "en":
                message = message.replace(said, now, 1)
            else:
                message_fr = message_fr.replace(said, now, 1)
        return (
            issue
            if message == issue.message and message_fr == issue.message_fr
            else replace(issue, message=message, message_fr=message_fr)
        )

    # -- fixes and anonymisation -------------------------------------------------------------------------
    def add_fixes(self, fixes: list[Fix], offset: int) -> None:
        for fix in fixes:
            details = [d if d.feature is None else replace(d, feature=d.feature + offset) for d in fix.details]
            here = Counter(d.field for d in details)
            key = (fix.layer, fix.code)
            known = self._fixes.get(key)
            if known is None:
                known = self._fixes[key] = replace(fix, changes=[], changes_fr=[], details=SpilledChanges(),
                                                   templates=[])  # fmt: skip
                self._said[key], self._fields[key], self._quoted[key], self._templates[key] = {}, Counter(), {}, {}
                self._listed[key] = {}
                added = details
            else:  # a change of the layer itself (a field renamed) is said by every chunk: kept once
                added = [d for d in details if d.feature is not None]
            self._keep(known.details, added)
            self._fields[key].update(d.field for d in added)
            said, quotes, templates = self._said[key], self._quoted[key], self._templates[key]
            listed = self._listed[key]
            for lang, notes, kept in (("en", fix.changes, known.changes), ("fr", fix.changes_fr, known.changes_fr)):
                for i, note in enumerate(notes):
                    keys = [_note_key(k, *templates.get((lang, j), ("", {})), lang) for j, k in enumerate(kept)]
                    quoted, most = fix.quoted[i] if i < len(fix.quoted) else ((), 0)
                    en, fr, numbers = fix.templates[i] if i < len(fix.templates) else ("", "", {})
                    template = en if lang == "en" else fr
                    if (this := _note_key(note, template, numbers, lang)) not in keys:
                        shifted = _in_layer(note, offset)  # the rows it names, numbered in the layer
                        kept.append(shifted)
                        said[shifted] = _note_count(shifted, here)
                        if template:
                            templates[(lang, len(kept) - 1)] = (_in_layer(template, offset), dict(numbers))
                        if (rows := _listed_rows(shifted, lang)) is not None:
                            listed[(lang, len(kept) - 1)] = rows
                        if most:
                            quotes[(lang, len(kept) - 1)] = list(quoted)
                            self._first_said[(key, lang, len(kept) - 1)] = shifted
                        continue
                    at = keys.index(this)
                    if (lang, at) in listed and (later := _listed_rows(_in_layer(note, offset), lang)) is not None:
                        from ..checks.fixes import LISTED_FEATURES

                        names = listed[(lang, at)]  # said by an earlier chunk: its list goes on with this chunk's
                        names.extend(later[: max(0, LISTED_FEATURES - len(names))])
                    if most and (lang, at) in quotes:
                        # said by an earlier chunk: it quotes this chunk's values too, up to its most
                        now = _more_quoted(quotes[(lang, at)], quoted, most)
                        if now != quotes[(lang, at)]:
                            old = kept[at]
                            kept[at] = _requote(old, quotes[(lang, at)], now)
                            said[kept[at]] = said.pop(old, 0)
                            if (lang, at) in templates:
                                was, counts = templates[(lang, at)]
                                templates[(lang, at)] = (_requote(was, quotes[(lang, at)], now, escape=True), counts)
                            quotes[(lang, at)] = now

    def _keep(self, into: list[Change], changes: list[Change]) -> None:
        """``changes`` after ``into``'s: in memory while the run holds fewer than :data:`HELD_CHANGES`, then in
        ``into``'s temporary file (a streamed run's fixed rows may be millions)."""
        if self._spill_to is None or not isinstance(into, SpilledChanges):
            into.extend(changes)
            return
        room = 0 if into.spilled else max(0, HELD_CHANGES - self._held)  # a list spilled once stays in order
        into.extend(changes[:room])
        self._held += min(room, len(changes))
        into.spill(changes[room:], self._spill_to)

    def close(self) -> None:
        """Give back the disk space of the changes written to temporary files (a failed or cancelled run)."""
        for fix in self._fixes.values():
            if isinstance(fix.details, SpilledChanges):
                fix.details.close()

    def fixes(self, layer: str) -> list[Fix]:
        """The layer's fixes. A note (``date_mes : 98 date(s) rewritten …``, ``19 feature(s) removed: #39…``) is
        said once, by the first chunk that made it; when its number counted that chunk's changes (of its field, or
        all of them), it is made the count of the whole layer."""
        from ..checks.runner import fix_order

        ours = [key for key in self._fixes if key[0] == layer]
        # in the order a whole layer's fixes run (the chunks' first fixes are not always the layer's first)
        rank = {check.code: i for i, check in enumerate(fix_order({code for _, code in ours}))}
        return [self._merged_fix(key) for key in sorted(ours, key=lambda k: rank.get(k[1], len(rank)))]

    def _merged_fix(self, key: tuple[str, str]) -> Fix:
        """One fix of the layer, each note counting the layer's changes (:meth:`fixes`)."""
        fix, said, total = self._fixes[key], self._said[key], self._fields[key]
        templates, listed = self._templates[key], self._listed[key]

        def counted(note: str, lang: str, at: int) -> str:
            number = _NOTE_NUMBER.match(note)
            first, now = said.get(note, 0), _note_count(note, total)
            if number is None or not first or _note_int(number.group(1)) != first:
                return note  # its number counts something else than the changes: left as said
            if (lang, at) in templates:  # written again from the layer's count: its words agree with it
                template, numbers = templates[(lang, at)]
                written = fill(template, {**numbers, "n": now}, lang)
            else:
                written = f"{note[: number.start(1)]}{count_text(now, lang)}{note[number.end(1) :]}"
            # a note that names features (every one _LISTED finds is in `listed` from its first chunk): the layer's
            # first ones, then how many more
            return _listing(written, listed[(lang, at)], now, lang) if (lang, at) in listed else written

        return replace(fix, changes=[counted(n, "en", i) for i, n in enumerate(fix.changes)],
                       changes_fr=[counted(n, "fr", i) for i, n in enumerate(fix.changes_fr)])  # fmt: skip

    def add_removals(self, removals: list[Removal], offset: int) -> None:
        for r in removals:
            key = (r.role, r.field, r.action, r.reason)
            rows = [e + offset for e in r.examples]
            known = self._removals.get(key)
            if known is None:
                self._removals[key] = replace(r, examples=rows[:5])
                continue
            known.count += r.count  # features (0 for a source field that is not published)
            known.examples.extend(rows[: max(0, 5 - len(known.examples))])

    def removals(self) -> list[Removal]:
        return list(self._removals.values())
