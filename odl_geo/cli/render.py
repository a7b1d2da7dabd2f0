"""Human-readable output of the CLI: short, in the order a person reads it (result, then problems)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from rich.table import Table

from ..numbers import agree, count_text
from ..report import Report, Severity

if TYPE_CHECKING:
    from rich.console import Console

    from ..exports.manifest import Manifest
    from ..inspect import LayerReport

__all__ = ["extent_text", "print_issues", "print_layers", "print_manifest"]

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "dim"}
_WORD = {
    "en": {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"},
    "fr": {Severity.ERROR: "erreur", Severity.WARNING: "avertissement", Severity.INFO: "info"},
}


def print_issues(console: Console, report: Report, verbose: bool, lang: str = "en") -> None:
    """The issues, errors first; ``lang="fr"`` prints the French messages and hints where they exist."""
    fr = lang == "fr"
    shown = [i for i in report.issues if verbose or i.severity is not Severity.INFO]
    for issue in sorted(shown, key=lambda i: list(Severity).index(i.severity)):
        message = issue.text(lang)
        unit = "objets" if fr else "features"
        shown_count = count_text(issue.count, lang if fr else "en")
        count = f" ({shown_count} {unit})" if issue.count > 1 and unit not in message else ""
        # French typography puts a space before the colon (« couche : message »), as the French messages do
        where = f"{issue.layer}{' :' if fr else ':'} " if issue.layer and issue.layer not in message else ""
        examples = ""
        if issue.examples and verbose:
            examples = (" p. ex. objet n°" if fr else " e.g. feature #") + (", n°" if fr else ", #").join(
                map(str, issue.examples)
            )
        text = escape(f"[{issue.code}] {where}{message}{count}{examples}")
        console.print(f"[{_STYLE[issue.severity]}]{_WORD[lang][issue.severity]}[/] {text}", highlight=False)
        hint = (issue.hint_fr or _french_help(issue.code) or issue.hint) if fr else issue.hint
        if hint:
            console.print(escape(f"    -> {hint}"), highlight=False, style="dim")
    hidden = len(report.issues) - len(shown)
    if hidden:
        n = count_text(hidden, "fr" if fr else "en")
        note = (
            f"({n} {agree(hidden, 'note', 'notes')} d'information {agree(hidden, 'masquée', 'masquées')} ; "
            "--verbose les affiche)"
            if fr
            else f"({n} informational {agree(hidden, 'note', 'notes', 'en')} hidden; --verbose shows them)"
        )
        console.print(f"[dim]{escape(note)}[/dim]")


def _french_help(code: str) -> str:
    from ..reports.labels import code_help

    return code_help(code, "fr")


def print_layers(console: Console, layers: list[LayerReport], verbose: bool) -> None:
    for lyr in layers:
        table = Table(title=escape(lyr.display), title_justify="left", show_header=False, box=None, pad_edge=False)
        table.add_column(style="bold")
        table.add_column()
        types = ", ".join(f"{k} {v}" for k, v in lyr.geometry_types.items()) or (
            lyr.declared_geometry_type or "none (table)"
        )
        table.add_row("format", lyr.driver)
        table.add_row("features", f"{lyr.feature_count:,}")
        table.add_row("geometry", types)
        table.add_row("CRS", f"{lyr.crs_label} [{_HOW.get(lyr.crs_how, lyr.crs_how)}]")
        if lyr.encoding:
            table.add_row("encoding", f"{lyr.encoding} [{lyr.encoding_how}]")
        if lyr.bounds:
            table.add_row("extent", extent_text(lyr.bounds, lyr.bounds_unit))
        fields = ", ".join(f"{n} ({t})" for n, t in lyr.fields)
        table.add_row("fields", fields if len(fields) < 400 or verbose else fields[:400] + "…")
        console.print(table, markup=False)
        print_issues(console, lyr.report, verbose)
        console.print()


_HOW = {"implied": "implied by RFC 7946"}


def extent_text(bounds: list[float], unit: str | None) -> str:
    """xmin, ymin, xmax, ymax as a person reads them: degrees to 6 decimals (about 10 cm), metres to the
    centimetre at most ("766918.25", "6279703"); no thousands separator, which would read as a list separator."""
    xmin, ymin, xmax, ymax = bounds
    degrees = unit.startswith("degree") if unit else (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90)
    if degrees:
        return ", ".join(f"{v:.6f}" for v in bounds) + " (degrees)"
    units = {"metre": "metres", None: "CRS units"}.get(unit, unit)
    return ", ".join(f"{v:.2f}".rstrip("0").rstrip(".") for v in bounds) + f" ({units})"


def print_manifest(console: Console, manifest: Manifest, out_dir: str, verbose: bool) -> None:
    table = Table(title=f"Written to {out_dir}", title_justify="left")
    for col in ("file", "format", "layer", "features", "CRS", "size"):
        table.add_column(col, justify="right" if col in ("features", "size") else "left")
    for f in manifest.files:
        table.add_row(f.path, f.format, f.layer, f"{f.feature_count:,}", f.crs or "-", _size(f.size))
    console.print(table)
    print_issues(console, manifest.report, verbose)


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)
