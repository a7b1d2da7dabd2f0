"""Shapefile sidecars: what is missing, what it means, and how to read what is there.

GDAL lets several broken sets pass silently (no .dbf: geometry only; .dbf alone: a table) or refuses
them with a message about config options (no .shx). This module turns each case into a decision and an
issue a person understands, and never writes next to the source: a missing .shx is rebuilt in a
temporary copy.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from ..numbers import agree, count_text, quantity
from ..report import Issue, Severity
from .encoding import LDID_NAMES, EncodingGuess, read_dbf_language_id, sniff_dbf

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = [
    "ShapefileParts",
    "attribute_encoding",
    "check_integrity",
    "find_parts",
    "guess_dbf_encoding",
    "restore_shx_copy",
]


def _sidecar(path: Path, ext: str) -> Path | None:
    """Sidecar with the same stem, any case (Windows users ship .SHP/.DBF)."""
    for candidate in (path.with_suffix(ext), path.with_suffix(ext.upper())):
        if candidate.exists():
            return candidate
    stem = path.stem.lower()
    for sibling in path.parent.iterdir():
        if sibling.stem.lower() == stem and sibling.suffix.lower() == ext:
            return sibling
    return None


@dataclass
class ShapefileParts:
    shp: Path | None
    shx: Path | None
    dbf: Path | None
    prj: Path | None
    cpg: Path | None
    issues: list[Issue] = field(default_factory=list)


def find_parts(path: Path, layer: str) -> ShapefileParts:
    """Locate the sidecars of ``path`` (.shp or .dbf) and describe what is missing."""
    parts = ShapefileParts(
        shp=path if path.suffix.lower() == ".shp" else _sidecar(path, ".shp"),
        shx=_sidecar(path, ".shx"),
        dbf=path if path.suffix.lower() == ".dbf" else _sidecar(path, ".dbf"),
        prj=_sidecar(path, ".prj"),
        cpg=_sidecar(path, ".cpg"),
    )
    if parts.shp is None:
        parts.issues.append(
            Issue(
                "SHP_TABLE_ONLY",
                Severity.WARNING,  # shown by default: a .dbf given alone is often a .shp forgotten
                f"{path.name} has no .shp beside it: it is read as a table without geometry.",
                "If this table belongs to a layer (e.g. a COVADIS multi-hazard table), join it to that layer.",
                layer=layer,
                message_fr=f"{path.name} n'a pas de .shp à côté de lui : il est lu comme une table sans géométrie.",
                hint_fr="Si cette table appartient à une couche (p. ex. une table multialéa COVADIS), joignez-la à "
                "cette couche.",
            )
        )
    elif parts.dbf is None:
        parts.issues.append(
            Issue(
                "SHP_NO_DBF",
                Severity.WARNING,
                f"{parts.shp.name} has no .dbf: only the geometries can be read, every attribute is missing.",
                "Find the .dbf that came with the file (same name) and put it beside the .shp.",
                layer=layer,
                message_fr=f"{parts.shp.name} n'a pas de .dbf : seules les géométries peuvent être lues, tous les "
                "attributs manquent.",
                hint_fr="Retrouvez le .dbf livré avec le fichier (même nom) et placez-le à côté du .shp.",
            )
        )
    if parts.shp is not None and parts.shx is None:
        parts.issues.append(
            Issue(
                "SHP_NO_SHX",
                Severity.WARNING,
                f"{parts.shp.name} has no .shx index: it was rebuilt in a temporary copy (the source is untouched).",
                "Ship the .shx with the layer next time.",
                layer=layer,
                message_fr=f"{parts.shp.name} n'a pas d'index .shx : il a été reconstruit dans une copie temporaire "
                "(la source n'est pas modifiée).",
                hint_fr="Livrez le .shx avec la couche la prochaine fois.",
            )
        )
    return parts


def restore_shx_copy(parts: ShapefileParts, workdir: Path) -> Path:
    """Copy the set into ``workdir`` so GDAL can rebuild the .shx there; return the copied .shp."""
    assert parts.shp is not None
    stem = parts.shp.stem
    for part in (parts.shp, parts.dbf, parts.prj, parts.cpg):
        if part is not None:
            shutil.copyfile(part, workdir / f"{stem}{part.suffix.lower()}")
    return workdir / f"{stem}.shp"


def guess_dbf_encoding(parts: ShapefileParts, user_encoding: str | None) -> EncodingGuess | None:
    """Decide the attribute encoding: user > .cpg > language id > content sniffing."""
    if parts.dbf is None:
        return None
    if user_encoding:
        return EncodingGuess(user_encoding.upper(), "user")
    if parts.cpg is not None:
        declared = parts.cpg.read_bytes().decode("ascii", "replace").strip() or None
        if declared:
            return EncodingGuess(_normalise_cpg(declared), "cpg", declared)
    ldid = read_dbf_language_id(parts.dbf)
    if ldid in LDID_NAMES:
        return EncodingGuess(LDID_NAMES[ldid], "ldid", f"LDID {ldid}")
    return EncodingGuess(sniff_dbf(parts.dbf), "detected")


def _normalise_cpg(value: str) -> str:
    v = value.upper().replace("_", "-")
    if v in ("UTF8", "UTF-8", "65001"):
        return "UTF-8"
    if v.isdigit():  # ESRI writes bare code pages: 1252, 28591...
        return {"28591": "ISO-8859-1", "28605": "ISO-8859-15"}.get(v, f"CP{v}")
    if v.startswith("WINDOWS-"):
        return "CP" + v.split("-", 1)[1]
    return v


def attribute_encoding(
    parts: ShapefileParts, guess: EncodingGuess | None, issues: list[Issue], layer: str
) -> tuple[str | None, EncodingGuess | None]:
    """Encoding to hand to GDAL (None = let GDAL use .cpg/LDID), and the guess to report.

    A .cpg is checked against the bytes both ways (UTF-8 declared on CP1252 text, a code page on UTF-8 text);
    a guess from the bytes alone is reported (``ENCODING_GUESSED``).
    """
    if guess is None or parts.dbf is None:
        return None, guess
    if guess.how == "user":
        return guess.encoding, guess
    if guess.how == "cpg":
        content = sniff_dbf(parts.dbf)
        if guess.encoding == "UTF-8" and content == "CP1252":
            issues.append(
                Issue(
                    "ENCODING_CPG_WRONG",
                    Severity.WARNING,
                    f"{parts.dbf.name}: the .cpg says UTF-8 but the text is not UTF-8; it was read as CP1252.",
                    "Fix or delete the .cpg file, or give --encoding.",
                    layer=layer,
                    message_fr=f"{parts.dbf.name} : le .cpg indique UTF-8 mais le texte n'est pas en UTF-8 ; il a "
                    "été lu en CP1252.",
                    hint_fr="Corrigez ou supprimez le fichier .cpg, ou indiquez --encoding.",
                )
            )
            return "CP1252", EncodingGuess("CP1252", "detected", guess.declared)
        if content == "UTF-8" and _single_byte(guess.encoding):
            # Latin-1/CP1252 text almost never forms valid multi-byte UTF-8 sequences: the .cpg is wrong, and
            # honouring it would turn every accent into two characters ("PhilippidÃ¨s")
            issues.append(
                Issue(
                    "ENCODING_CPG_WRONG",
                    Severity.WARNING,
                    f"{parts.dbf.name}: the .cpg says {guess.declared} but the text is UTF-8; it was read as UTF-8.",
                    "Fix the .cpg file (it should say UTF-8) or delete it, or give --encoding.",
                    layer=layer,
                    message_fr=f"{parts.dbf.name} : le .cpg indique {guess.declared} mais le texte est en UTF-8 ; il "
                    "a été lu en UTF-8.",
                    hint_fr="Corrigez le fichier .cpg (il devrait indiquer UTF-8) ou supprimez-le, ou indiquez "
                    "--encoding.",
                )
            )
            return "UTF-8", EncodingGuess("UTF-8", "detected", guess.declared)
        return None, guess
    if guess.how == "ldid":
        return None, guess
    if guess.encoding == "ASCII":
        return None, guess
    issues.append(
        Issue(
            "ENCODING_GUESSED",
            Severity.INFO,
            f"{parts.dbf.name} does not declare its encoding (no .cpg); the text was detected as {guess.encoding}.",
            "Add a .cpg file or use --encoding if accents look wrong.",
            layer=layer,
            message_fr=f"{parts.dbf.name} ne déclare pas son encodage (pas de .cpg) ; l'encodage détecté est "
            f"{guess.encoding}.",
            hint_fr="Ajoutez un fichier .cpg, ou utilisez --encoding si les accents sont faux.",
        )
    )
    return guess.encoding, guess


def _single_byte(encoding: str) -> bool:
    """A one-byte-per-character code page (CP1252, ISO-8859-15, CP850...), as opposed to UTF-8 or CP932.

    The two bytes of UTF-8's "é" read as two characters in such a code page, as one in a multi-byte one.
    """
    try:
        return len(b"\xc3\xa9".decode(encoding, errors="replace")) == 2
    except LookupError:
        return False


# -- integrity of the set: what GDAL reads without a word when a file is damaged -------------------------------
#
# GDAL reads a damaged Shapefile set as far as it can and says little: a truncated .shp gives features without
# geometry, a .shx with wrong offsets loses the geometries it points past, a .dbf header whose field lengths do not add
# up to its record length drops every attribute, a .dbf declaring more records than it holds ends the layer early.
# Whatever was in the source and is not in the outputs is an error (exit 2) unless the user accepts the loss
# (``--accept-loss``): so the headers and the index are checked against each other and against the file sizes.

_SHP_HEADER, _DBF_FIELD = 100, 32


class Damage(NamedTuple):
    """One problem of a set found by :func:`check_integrity`: its code, its message in English and in French, and
    how many ``features`` it costs."""

    code: str
    message: str
    message_fr: str
    features: int


def check_integrity(parts: ShapefileParts, layer: str, accept_loss: bool = False) -> list[Issue]:
    """Cross-check the .shp, .shx and .dbf of a set: sizes, record counts and the index's offsets.

    :returns: one issue per problem, errors (warnings when ``accept_loss``), naming the file, what is wrong and how
        many features it costs. Reads the headers, the .shx and the record headers of the .shp only.
    """
    severity = Severity.WARNING if accept_loss else Severity.ERROR
    hint = (
        "Accepted with --accept-loss: these features are missing from the outputs, or incomplete in them."
        if accept_loss
        else "Export the layer again from the software that made it (or find an undamaged copy); --accept-loss "
        "converts what can be read, the loss reported."
    )
    hint_fr = (
        "Accepté avec --accept-loss : ces objets manquent dans les fichiers produits, ou y sont incomplets."
        if accept_loss
        else "Exportez à nouveau la couche depuis le logiciel qui l'a produite (ou trouvez une copie intacte) ; "
        "--accept-loss convertit ce qui peut être lu, en signalant la perte."
    )
    found: list[Damage] = []
    shapes = None
    if parts.shp is not None:
        shapes = _check_shp(parts.shp, parts.shx, found)
    records = _check_dbf(parts.dbf, found) if parts.dbf is not None else None
    told = any(d.code == "DBF_RECORDS_MISSING" for d in found)  # the same loss, said once
    if shapes is not None and records is not None and shapes != records and not told:
        assert parts.shp is not None and parts.dbf is not None
        n = abs(shapes - records)
        if shapes > records:
            lose = agree(
                n, "perdrait ses attributs ou recevrait ceux", "perdraient leurs attributs ou recevraient ceux"
            )
        else:
            lose = agree(
                n, "perdrait sa géométrie ou recevrait celle", "perdraient leur géométrie ou recevraient celle"
            )
        found.append(
            Damage(
                "SHP_DBF_COUNT_MISMATCH",
                (
                    f"{parts.shp.name} holds {shapes} shapes but {parts.dbf.name} {records} records: "
                    f"{quantity(abs(shapes - records), 'feature', 'features', 'en')} would lose their "
                    f"{'attributes' if shapes > records else 'geometry'} or be paired with another's."
                ),
                message_fr=(
                    f"{parts.shp.name} contient {quantity(shapes, 'géométrie', 'géométries')} mais {parts.dbf.name} "
                    f"{quantity(records, 'enregistrement', 'enregistrements')} : {quantity(n, 'objet', 'objets')} "
                    f"{lose} d'un autre objet."
                ),
                features=n,
            )
        )
    return [
        Issue(
            d.code, severity, d.message, hint, layer=layer, count=d.features, message_fr=d.message_fr, hint_fr=hint_fr
        )
        for d in found
    ]


def _check_shp(shp: Path, shx: Path | None, found: list[Damage]) -> int | None:
    """The number of shapes the set holds (by the .shx, or by walking the .shp when there is no .shx), or None
    when the .shp is not readable at all (GDAL's own error then says so)."""
    import mmap
    import struct

    size = shp.stat().st_size
    if size < _SHP_HEADER:
        found.append(
            Damage(
                "SHP_TRUNCATED",
                f"{shp.name} is cut off: {size} bytes, less than its 100-byte header.",
                message_fr=f"{shp.name} est tronqué : {quantity(size, 'octet', 'octets')}, moins que son en-tête de "
                "100 octets.",
                features=0,
            )
        )
        return None
    with shp.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        code, declared = struct.unpack(">i", data[0:4])[0], struct.unpack(">i", data[24:28])[0] * 2
        if code != 9994:
            return None
        if shx is None:
            return _walk_shp(shp.name, data, size, declared, found)
        n = _index_records(shx, found)
        if n is None:
            return None
        if declared > size:
            beyond = sum(int((offsets + 8 + lengths > size).sum()) for _, offsets, lengths in _index_slices(shx, n))
            found.append(
                Damage(
                    "SHP_TRUNCATED",
                    (
                        f"{shp.name} is cut off: {size} bytes of the {declared} its header declares; "
                        f"{beyond} of its {n} shapes are missing or incomplete."
                    ),
                    message_fr=(
                        f"{shp.name} est tronqué : {count_text(size)} octets sur les {count_text(declared)} que "
                        f"déclare son en-tête ; {quantity(beyond, 'géométrie', 'géométries')} sur {count_text(n)} "
                        f"{agree(beyond, 'manque ou est incomplète', 'manquent ou sont incomplètes')}."
                    ),
                    features=beyond,
                )
            )
            return n
        wrong = sum(_wrong_offsets(shp, size, first, offs, lens) for first, offs, lens in _index_slices(shx, n))
        if wrong:
            found.append(
                Damage(
                    "SHX_OFFSETS_WRONG",
                    (
                        f"{shx.name} points {wrong} of its {n} records to the wrong place in {shp.name}: "
                        "their geometries would be lost."
                    ),
                    message_fr=(
                        f"Dans {shx.name}, {quantity(wrong, 'enregistrement', 'enregistrements')} sur "
                        f"{count_text(n)} {agree(wrong, 'pointe', 'pointent')} au mauvais endroit de {shp.name} : "
                        f"{agree(wrong, 'sa géométrie serait perdue', 'leurs géométries seraient perdues')}."
                    ),
                    features=wrong,
                )
            )
        return n


#: index records read and checked together: memory stays a few tens of MB whatever the layer's size
_SLICE = 1 << 18


def _index_records(shx: Path, found: list[Damage]) -> int | None:
    """How many whole records the .shx holds, or None when it is not an index (the problem noted in ``found``)."""
    size = shx.stat().st_size
    with shx.open("rb") as fh:
        head = fh.read(4)
    if size < _SHP_HEADER or head != b"\x00\x00\x27\x0a":
        found.append(
            Damage(
                "SHX_OFFSETS_WRONG",
                f"{shx.name} is not a Shapefile index (header damaged).",
                message_fr=f"{shx.name} n'est pas un index de Shapefile (en-tête endommagé).",
                features=0,
            )
        )
        return None
    if (size - _SHP_HEADER) % 8:
        found.append(
            Damage(
                "SHX_OFFSETS_WRONG",
                f"{shx.name} is cut off in the middle of a record.",
                message_fr=f"{shx.name} est tronqué au milieu d'un enregistrement.",
                features=0,
            )
        )
    return (size - _SHP_HEADER) // 8  # whole records only: a .shx cut in the middle of one has an odd count


def _index_slices(shx: Path, n: int) -> Iterator[tuple[int, Any, Any]]:
    """``(first record number, offsets, content lengths)`` of the .shx in slices (bytes, as numpy int64 arrays)."""
    import numpy as np

    for first in range(0, n, _SLICE):
        body = np.fromfile(shx, dtype=">i4", count=2 * min(_SLICE, n - first), offset=_SHP_HEADER + 8 * first)
        pairs = body.reshape(-1, 2).astype(np.int64) * 2
        yield first, pairs[:, 0], pairs[:, 1]


#: bytes of the .shp mapped at a time by the integrity check: the pages it touches count in the process's resident
#: memory while mapped (a slice of 262,144 polygons spans ~190 MB of a 1M-zone PPR's .shp, each page holding a
#: record header: the check took a run from 159 to 384 MiB before any conversion; windows keep it within +8 MiB)
_WINDOW = 8 << 20


def _wrong_offsets(shp: Path, size: int, first: int, offsets: Any, lengths: Any) -> int:
    """How many index records of one slice do not point at the .shp record of their number and length.

    The records' headers are read through windows of at most :data:`_WINDOW` bytes of the .shp, each unmapped
    before the next: mapped pages count in the process's memory, and this check runs before every conversion of a
    Shapefile.
    """
    import numpy as np

    from .shp_records import regular_records

    n = len(offsets)
    records = regular_records(shp, size, offsets, lengths)
    if records is not None:  # records of one length one after the other (points): their headers read in place
        try:
            numbers = np.arange(first + 1, first + n + 1)
            return int(((records["number"] != numbers) | (records["length"].astype(np.int64) * 2 != lengths)).sum())
        finally:
            del records
    # a negative length (a damaged index) would let an offset beyond the file pass: it points nowhere
    inside = (offsets >= _SHP_HEADER) & (lengths >= 0) & (offsets + 8 + lengths <= size)
    wrong = int(n - inside.sum())
    at = offsets[inside]
    if len(at):
        numbers = np.arange(first + 1, first + n + 1)[inside]
        sizes = lengths[inside]
        if len(at) > 1 and (np.diff(at) < 0).any():  # a damaged index: its records in the file's order
            order = np.argsort(at, kind="stable")
            at, numbers, sizes = at[order], numbers[order], sizes[order]
        start = 0
        while start < len(at):
            lo = int(at[start])
            stop = max(int(np.searchsorted(at, lo + _WINDOW - 8, side="right")), start + 1)
            hi = int(at[stop - 1]) + 8
            buf = np.memmap(shp, dtype=np.uint8, mode="r", offset=lo, shape=(hi - lo,))
            try:
                heads = buf[(at[start:stop] - lo)[:, None] + np.arange(8)].copy().view(">i4").reshape(-1, 2)
            finally:
                del buf
            wrong += int(
                ((heads[:, 0] != numbers[start:stop]) | (heads[:, 1].astype(np.int64) * 2 != sizes[start:stop])).sum()
            )
            start = stop
    return wrong


def _walk_shp(name: str, data: Any, size: int, declared: int, found: list[Damage]) -> int:
    """Count the records of a .shp without index (its .shx missing), noting a file cut off in a record.

    ``data`` maps the whole file: the pages walked are given back every :data:`_WINDOW` bytes (``madvise``), so
    that the walk does not add the file's size to the process's resident memory."""
    import mmap
    import struct

    pos, n = _SHP_HEADER, 0
    end = min(size, declared) if declared >= _SHP_HEADER else size
    given_back = 0
    while pos + 8 <= end:
        length = struct.unpack(">i", data[pos + 4 : pos + 8])[0] * 2
        if length < 0 or pos + 8 + length > size:
            break
        pos += 8 + length
        n += 1
        if pos - given_back >= _WINDOW and hasattr(mmap, "MADV_DONTNEED"):  # Linux, macOS
            upto = min(pos, size) // mmap.PAGESIZE * mmap.PAGESIZE
            data.madvise(mmap.MADV_DONTNEED, given_back, upto - given_back)
            given_back = upto
    if declared > size or pos < end:
        if n == 0:
            only = "aucune géométrie complète n'a pu y être trouvée"
        elif n == 1:
            only = "seule 1 géométrie complète a pu y être trouvée"
        else:
            only = f"seules {count_text(n)} géométries complètes ont pu y être trouvées"
        found.append(
            Damage(
                "SHP_TRUNCATED",
                (
                    f"{name} is cut off: {size} bytes of the {declared} its header declares; only {n} complete shapes "
                    "could be found."
                ),
                message_fr=(
                    f"{name} est tronqué : {count_text(size)} octets sur les {count_text(declared)} que déclare son "
                    f"en-tête ; {only}."
                ),
                features=0,
            )
        )
    return n


def _check_dbf(dbf: Path, found: list[Damage]) -> int | None:
    """The number of records the .dbf holds, noting a header that lies about them or about its fields."""
    import struct

    size = dbf.stat().st_size
    with dbf.open("rb") as fh:
        head = fh.read(32)
        if len(head) < 32:
            found.append(
                Damage(
                    "DBF_RECORDS_MISSING",
                    f"{dbf.name} is cut off inside its header.",
                    message_fr=f"{dbf.name} est tronqué au milieu de son en-tête.",
                    features=0,
                )
            )
            return None
        declared, header_len, record_len = struct.unpack("<IHH", head[4:12])
        fields = fh.read(max(header_len - 32, 0))
    widths = []
    for i in range(0, len(fields) - _DBF_FIELD + 1, _DBF_FIELD):
        if fields[i] == 0x0D:
            break
        # text fields longer than 255 bytes keep their high byte in the "decimals" byte (Clipper, GDAL)
        widths.append(fields[i + 16] + (256 * fields[i + 17] if fields[i + 11] == ord("C") else 0))
    if head[0] & 0x07 == 4:  # dBASE 7: 48-byte field descriptors, left to GDAL
        return declared
    if record_len <= 0 or sum(widths) + 1 != record_len:
        found.append(
            Damage(
                "DBF_HEADER_WRONG",
                (
                    f"{dbf.name}: its fields add up to {sum(widths) + 1} bytes per record but its header says "
                    f"{record_len}: every attribute would be dropped or misread."
                ),
                message_fr=(
                    f"{dbf.name} : ses champs totalisent {quantity(sum(widths) + 1, 'octet', 'octets')} par "
                    f"enregistrement mais son en-tête en annonce {count_text(record_len)} : tous les attributs "
                    "seraient perdus ou mal lus."
                ),
                features=declared,
            )
        )
        return declared
    held = max(size - header_len, 0) // record_len
    if held < declared:
        found.append(
            Damage(
                "DBF_RECORDS_MISSING",
                (
                    f"{dbf.name} declares {declared} records but holds {held}: the other "
                    f"{quantity(declared - held, 'feature', 'features', 'en')} would be missing from the outputs."
                ),
                message_fr=(
                    f"{dbf.name} déclare {quantity(declared, 'enregistrement', 'enregistrements')} mais en contient "
                    f"{count_text(held)} : il manquerait {quantity(declared - held, 'objet', 'objets')} dans les "
                    "fichiers produits."
                ),
                features=declared - held,
            )
        )
        return held
    return declared
