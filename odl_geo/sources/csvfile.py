"""CSV layers: where the geometry is (x/y, lon/lat or WKT), which separator, and broken quoting.

GDAL's CSV driver does the reading (including decimal commas in x/y columns); this module only decides
the open options from the header, because GDAL guesses geometry columns only when told their names.
"""

from __future__ import annotations

import csv
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..numbers import quantity
from ..report import Issue, Severity

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CsvLayout", "analyse_csv"]

WKT_NAMES = ("wkt", "geom", "geometry", "the_geom", "geometrie", "wkt_geom", "geom_wkt", "geo_shape")
X_NAMES = (
    "x",
    "lon",
    "long",
    "lng",
    "longitude",
    "xcoord",
    "x_coord",
    "coord_x",
    "x_l93",
    "x_lamb93",
    "x_lambert93",
    "easting",
    "coordx",
)
Y_NAMES = (
    "y",
    "lat",
    "latitude",
    "ycoord",
    "y_coord",
    "coord_y",
    "y_l93",
    "y_lamb93",
    "y_lambert93",
    "northing",
    "coordy",
)
LONLAT_NAMES = frozenset({"lon", "long", "lng", "longitude", "lat", "latitude"})


def _key(name: str) -> str:
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().strip().lower()
    return flat.replace(" ", "_").replace("-", "_")


@dataclass
class CsvLayout:
    separator: str
    open_options: dict[str, str]
    geometry: str  # "xy", "wkt" or "none"
    lonlat_names: bool = False  # the x/y columns are named lon/lat: WGS84 can be assumed
    issues: list[Issue] = field(default_factory=list)
    identifier_columns: list[str] = field(default_factory=list)  # numeric-looking codes to keep as text

    @property
    def issues_have_errors(self) -> bool:
        return any(i.severity is Severity.ERROR for i in self.issues)


def _separator(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (";", ",", "\t", "|")}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ","


def analyse_csv(
    path: Path, layer: str, x_field: str | None = None, y_field: str | None = None, wkt_field: str | None = None
) -> CsvLayout:
    """Decide GDAL open options for a UTF-8 CSV file (transcode it first if needed)."""
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        first = fh.readline()
        fh.seek(0)
        sep = _separator(first)
        try:
            header = next(csv.reader(fh, delimiter=sep))
        except (StopIteration, csv.Error):
            header = []
    keys = {_key(h): h for h in header}
    named = _named_columns(path, layer, header, keys, x_field, y_field, wkt_field)
    if isinstance(named, Issue):  # a column the user named is not there: reading on would drop every geometry
        layout = CsvLayout(_separator(first), {}, "none")
        layout.issues.append(named)
        return layout
    x_field, y_field, wkt_field = named
    names = {"SEPARATOR": {";": "SEMICOLON", ",": "COMMA", "\t": "TAB", "|": "PIPE"}[sep]}
    opts: dict[str, str] = {**names, "AUTODETECT_TYPE": "YES", "EMPTY_STRING_AS_NULL": "YES"}
    wkt = wkt_field or next((keys[k] for k in WKT_NAMES if k in keys), None)
    x = x_field or next((keys[k] for k in X_NAMES if k in keys), None)
    y = y_field or next((keys[k] for k in Y_NAMES if k in keys), None)
    layout = CsvLayout(sep, opts, "none")
    if wkt is not None and not (x_field or y_field):
        opts.update(GEOM_POSSIBLE_NAMES=wkt, KEEP_GEOM_COLUMNS="NO")
        layout.geometry = "wkt"
    elif x is not None and y is not None:
        opts.update(X_POSSIBLE_NAMES=x, Y_POSSIBLE_NAMES=y, KEEP_GEOM_COLUMNS="YES")
        layout.geometry = "xy"
        layout.lonlat_names = _key(x) in LONLAT_NAMES and _key(y) in LONLAT_NAMES
    else:
        layout.issues.append(
            Issue(
                "CSV_NO_GEOMETRY",
                Severity.WARNING,
                f"{path.name}: no x/y, lon/lat or WKT column was recognised; it is read as a table.",
                "Name the columns with --x-field/--y-field or --wkt-field.",
                layer=layer,
                message_fr=f"{path.name} : aucune colonne x/y, lon/lat ou WKT n'a été reconnue ; le fichier est lu "
                "comme une table.",
                hint_fr="Désignez les colonnes avec --x-field/--y-field ou --wkt-field.",
            )
        )
    if not path.with_suffix(".csvt").exists() and not path.with_suffix(".CSVT").exists():
        layout.identifier_columns = _identifier_columns(path, sep, header, {c for c in (wkt, x, y) if c})
    layout.issues.extend(_quote_problems(path, layer))
    if header and not layout.issues_have_errors:
        layout.issues.extend(_extra_values(path, sep, len(header), layer))
    return layout


def _named_columns(
    path: Path,
    layer: str,
    header: list[str],
    keys: dict[str, str],
    x_field: str | None,
    y_field: str | None,
    wkt_field: str | None,
) -> tuple[str | None, str | None, str | None] | Issue:
    """The columns named by ``--x-field``/``--y-field``/``--wkt-field`` as spelt in the header (case and accents
    forgiven), or a ``CSV_FIELD_NOT_FOUND`` error: a misspelt name used to make the file a table without any
    geometry, silently."""
    import difflib

    if (x_field is None) != (y_field is None):
        given, missing = ("--x-field", "--y-field") if x_field else ("--y-field", "--x-field")
        return Issue(
            "CSV_FIELD_NOT_FOUND",
            Severity.ERROR,
            f"{path.name}: {given} was given without {missing}.",
            "Give both --x-field and --y-field (or --wkt-field alone).",
            layer=layer,
            message_fr=f"{path.name} : {given} a été donné sans {missing}.",
            hint_fr="Donnez à la fois --x-field et --y-field (ou --wkt-field seul).",
        )
    found: list[str | None] = []
    for option, name in (("--x-field", x_field), ("--y-field", y_field), ("--wkt-field", wkt_field)):
        if name is None:
            found.append(None)
            continue
        actual = name if name in header else keys.get(_key(name))
        if actual is None:
            close = difflib.get_close_matches(name, header, n=1, cutoff=0.5)
            listed = ", ".join(header[:20]) + (", …" if len(header) > 20 else "")
            return Issue(
                "CSV_FIELD_NOT_FOUND",
                Severity.ERROR,
                f"{path.name} has no column {name!r} ({option}); its columns are: {listed}.",
                f"Did you mean {option} {close[0]!r}?" if close else f"Give {option} one of the columns above.",
                layer=layer,
                message_fr=f"{path.name} n'a pas de colonne {name!r} ({option}) ; ses colonnes sont : {listed}.",
                hint_fr=f"Vouliez-vous dire {option} {close[0]!r} ?"
                if close
                else f"Donnez à {option} l'une des colonnes ci-dessus.",
            )
        found.append(actual)
    return found[0], found[1], found[2]


def _extra_values(path: Path, sep: str, n_names: int, layer: str, max_rows: int = 100_000) -> list[Issue]:
    """Rows with more values than the header has names: GDAL drops the extra values without a word.

    The values are then read under the wrong names (a WKT column holding a place type, a longitude
    holding a name), so this is an error, not a warning. Trailing empty values (``a,b,c,``), which
    spreadsheets often write, are harmless and ignored.
    """
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        rows = csv.reader(fh, delimiter=sep)
        try:
            next(rows)
            for row in itertools.islice(rows, max_rows):
                if len(row) > n_names and any(v.strip() for v in row[n_names:]):
                    n = rows.line_num
                    return [
                        Issue(
                            "CSV_EXTRA_VALUES",
                            Severity.ERROR,
                            f"{path.name}: line {n} has {len(row)} values but the header names only {n_names} "
                            "columns, so values would be read under the wrong column names.",
                            f"Add the missing column name(s) to the header line, or fix the separators on line {n} "
                            "(quote values that contain the separator).",
                            layer=layer,
                            # a line number is written as editors show it (ligne 12345), a count the French way
                            message_fr=f"{path.name} : la ligne {n} a {quantity(len(row), 'valeur', 'valeurs')} "
                            f"mais l'en-tête ne nomme que {quantity(n_names, 'colonne', 'colonnes')} : des valeurs "
                            "seraient lues sous le mauvais nom de colonne.",
                            hint_fr="Ajoutez le ou les noms de colonnes manquants à la ligne d'en-tête, ou corrigez "
                            f"les séparateurs de la ligne {n} (mettez entre guillemets les valeurs qui contiennent "
                            "le séparateur).",
                        )
                    ]
        except (StopIteration, csv.Error):
            return []
    return []


def _quote_problems(path: Path, layer: str) -> list[Issue]:
    """An unbalanced double quote silently swallows the following lines into one value.

    Each line holding an odd number of quotes opens or closes a quoted run, so one is left open exactly when the
    file holds an odd number of quotes: counted on the bytes first (a quote is one byte in UTF-8, never part of
    another character, and decoding with ``errors="replace"`` neither makes nor takes one), the file is read line
    by line only then, to name the line that opened it (a 1M-row PEI CSV: 0.23 CPU-s instead of 0.54).
    """
    with path.open("rb") as raw:
        quotes = sum(block.count(b'"') for block in iter(lambda: raw.read(1 << 20), b""))
    if quotes % 2 == 0:
        return []
    inside, opened_at = False, 0
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for lineno, line in enumerate(fh, start=1):
            if line.count('"') % 2:
                inside = not inside
                opened_at = lineno if inside else opened_at
    if inside:
        return [
            Issue(
                "CSV_UNBALANCED_QUOTE",
                Severity.ERROR,
                f"{path.name}: the double quote opened on line {opened_at} is never closed, so every line after "
                "it is read as part of one value (rows are lost).",
                f"Fix the quote on line {opened_at} in a spreadsheet or text editor, then convert again.",
                layer=layer,
                message_fr=f"{path.name} : le guillemet double ouvert à la ligne {opened_at} n'est jamais fermé : "
                "toutes les lignes qui suivent sont lues comme une seule valeur (des lignes sont perdues).",
                hint_fr=f"Corrigez le guillemet de la ligne {opened_at} dans un tableur ou un éditeur de texte, puis "
                "relancez la conversion.",
            )
        ]
    return []


_IDENTIFIER_NAME = re.compile(r"^(id|code|insee|num|numero|siren|siret|cp|code_?postal)([_ ].*)?$|.*_(id|code|insee)$")
_LEADING_ZERO = re.compile(r"^0\d")
_TRAILING_ZERO = re.compile(r"^\d+[.,]\d*0$")


def _identifier_columns(path: Path, sep: str, header: list[str], skip: set[str], sample_rows: int = 5000) -> list[str]:
    """Columns that look numeric but are identifiers: a value with a leading zero ("09122"), a decimal that ends
    with a zero ("34172.02080"), or a code-like name whose values are all digits. GDAL's type detection would
    turn them into numbers and lose those zeros."""
    usable = [h for h in header if h and h not in skip]
    if not usable:
        return []
    seen_leading: set[str] = set()
    digits_only = dict.fromkeys(usable, True)
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=sep)
        try:
            for n, row in enumerate(reader):
                if n >= sample_rows:
                    break
                for h in usable:
                    value = (row.get(h) or "").strip()
                    if not value:
                        continue
                    if _LEADING_ZERO.match(value) or _TRAILING_ZERO.match(value):
                        seen_leading.add(h)
                    if not value.replace(".", "", 1).isdigit():
                        digits_only[h] = False
        except csv.Error:
            return sorted(seen_leading, key=header.index)
    named = {h for h in usable if digits_only[h] and _IDENTIFIER_NAME.match(_key(h))}
    return [h for h in header if h in seen_leading | named]


_CSVT_TYPES = {
    "int32": "Integer",
    "int64": "Integer64",
    "float64": "Real",
    "float32": "Real",
    "bool": "Integer(Boolean)",
    "datetime64[ms]": "DateTime",
    "datetime64[D]": "Date",
    "datetime64[s]": "DateTime",
}


def write_csvt(csv_path: Path, fields: list[tuple[str, str]], as_text: list[str]) -> Path:
    """A ``.csvt`` beside a (temporary copy of a) CSV: GDAL's detected types, except ``as_text`` columns as String.

    GDAL reads column types from a .csvt in preference to its own detection; this keeps every detected type and
    only overrides the identifier columns.
    """
    types = ['"String"' if name in as_text else f'"{_CSVT_TYPES.get(dtype, "String")}"' for name, dtype in fields]
    target = csv_path.with_suffix(".csvt")
    target.write_text(",".join(types) + "\n", encoding="utf-8")
    return target
