"""The HTML report: one self-contained file (inline CSS, maps as base64 PNG) a SIG administrator can open, mail or
attach to a ticket. French by default (``lang="en"`` for English); every issue keeps its stable code.

Order: verdict and counts first, then per layer the map with the flagged features in red, the problems (errors
first) with what to do, the field mapping, what was removed as personal data, and the fixes applied.
"""

from __future__ import annotations

import datetime as dt
import itertools
from html import escape
from typing import TYPE_CHECKING

from ..numbers import agree, count_text, quantity
from ..report import Issue, Severity
from .labels import code_help, code_title, t
from .preview import preview_png

if TYPE_CHECKING:
    from ..theme.run import LayerResult, ThemeRun

__all__ = ["render_html"]

_CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:0;background:#f4f5f7;color:#1d2433;font-size:14px}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #dde1e8;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.meta{color:#5a6272;margin:2px 0}
.card{background:#fff;border:1px solid #dde1e8;border-radius:6px;padding:16px;margin:12px 0}
.verdict{font-size:17px;font-weight:bold;padding:12px 16px;border-radius:6px;margin:14px 0}
.ok{background:#e3f4e8;color:#1e6b35;border:1px solid #9fd3ae}
.ko{background:#fdecea;color:#a32218;border:1px solid #f2b8b3}
.counts span{display:inline-block;margin-right:18px;font-size:15px}
.n-error{color:#c0271d;font-weight:bold}
.n-warning{color:#b36b00;font-weight:bold}
.n-info{color:#5a6272}
table{border-collapse:collapse;width:100%;margin:6px 0;background:#fff}
th,td{border:1px solid #e1e4ea;padding:5px 7px;text-align:left;vertical-align:top}
th{background:#eef0f4;font-weight:600}
td.num{text-align:right;white-space:nowrap}
.sev{display:inline-block;padding:1px 7px;border-radius:10px;font-size:12px;font-weight:bold;color:#fff}
.sev-error{background:#c0271d}
.sev-warning{background:#d98a00}
.sev-info{background:#8a93a3}
code{font-family:"DejaVu Sans Mono",monospace;font-size:12px;background:#f0f1f4;padding:1px 3px;border-radius:3px}
.layer{display:flex;gap:18px;flex-wrap:wrap}
figure{margin:0}
.layer img{border:1px solid #dde1e8;border-radius:4px;max-width:100%}
.facts{table-layout:fixed}
.facts td{overflow-wrap:anywhere}
.facts td:first-child{font-weight:600;width:34%}
.hint{color:#5a6272;font-size:13px}
details summary{cursor:pointer;color:#3d5a80}
footer{color:#8a93a3;font-size:12px;margin-top:30px}
"""


def _sev(s: Severity, lang: str) -> str:
    return f'<span class="sev sev-{s.value}">{escape(t(s.value, lang))}</span>'


def _counted(n: int, key: str, lang: str) -> str:
    """:func:`_words`, escaped: « 1 erreur », « 0 erreur », « 2 erreurs »; "1 error", "0 errors"."""
    return escape(_words(n, key, lang))


def _label(n: int, key: str, lang: str) -> str:
    """The word ``key`` agreeing with the count ``n`` written beside it, escaped: « erreur » for 0 or 1 in French,
    « erreurs » for 2 and more; "error" for 1 in English."""
    return escape(agree(n, t(f"{key}_one", lang), t(key, lang), lang))


def _words(n: int, key: str, lang: str) -> str:
    """``n`` and the word ``key`` agreeing with it, the count written the way ``lang`` writes it (« 1 004 »); not
    escaped (for a text escaped whole later)."""
    return quantity(n, t(f"{key}_one", lang), t(key, lang), lang)


def _message(issue: Issue, lang: str) -> str:
    return issue.message_fr if lang == "fr" and issue.message_fr else issue.message


def _issues_block(issues: list[Issue], lang: str) -> str:
    """Errors and warnings in view, notes (what odl-geo did) folded below."""
    main = [i for i in issues if i.severity is not Severity.INFO]
    notes = [i for i in issues if i.severity is Severity.INFO]
    out = _issues_table(main, lang) if main else f"<p>{escape(t('none', lang))}</p>"
    if notes:
        out += (
            f"<details><summary>{_counted(len(notes), 'infos', lang)}</summary>{_issues_table(notes, lang)}</details>"
        )
    return out


def _issues_table(issues: list[Issue], lang: str) -> str:
    if not issues:
        return f"<p>{escape(t('none', lang))}</p>"
    order = list(Severity)
    rows = []
    for i in sorted(issues, key=lambda i: order.index(i.severity)):
        todo = (i.hint_fr if lang == "fr" else "") or code_help(i.code, lang) or i.hint
        examples = ", ".join(f"#{e}" for e in i.examples)
        rows.append(
            f"<tr><td>{_sev(i.severity, lang)}</td><td><b>{escape(code_title(i.code, lang))}</b><br>"
            f"<code>{escape(i.code)}</code></td><td>{escape(_message(i, lang))}</td>"
            f'<td class="hint">{escape(todo)}</td><td class="num">{count_text(i.count, lang)}</td>'
            f"<td>{escape(examples)}</td></tr>"
        )
    head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in ("severity", "code", "what", "todo", "count", "examples"))
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _fields_table(run: ThemeRun, lyr: LayerResult, lang: str) -> str:
    if run.profile is None:
        return ""
    spec = next((r for r in run.profile.roles if r.role == lyr.role), None)
    if spec is None:
        return ""
    rows = []
    for f in spec.fields:
        source, how = lyr.matches.get(f.name, ("", ""))
        how_text = t(how.split(" ")[0], lang) + (f" {how.split(' ', 1)[1]}" if " " in how else "") if how else ""
        cls = ' class="n-error"' if f.required and not source else ""
        req = f" <small>({escape(t('required', lang))})</small>" if f.required else ""
        rows.append(
            f"<tr><td><code>{escape(f.name)}</code>{req}</td><td{cls}>"
            f"{escape(source) if source else '— ' + escape(t('unmapped', lang))}</td>"
            f"<td>{escape(how_text)}</td></tr>"
        )
    head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in ("target", "source", "how"))
    return (
        f"<details><summary><b>{escape(t('fields', lang))}</b> ({len(lyr.matches)}/{len(spec.fields)})</summary>"
        f"<table><tr>{head}</tr>{''.join(rows)}</table></details>"
    )


def _removals_table(lyr: LayerResult, lang: str) -> str:
    if not lyr.removals:
        return f"<h3>{escape(t('anonymisation', lang))}</h3><p>{escape(t('no_anon', lang))}</p>"
    rows = "".join(
        f"<tr><td><code>{escape(r.field)}</code></td><td>{escape(t(r.action, lang))}</td>"
        f'<td class="num">{count_text(r.count, lang) if r.count else ""}</td><td>{escape(t(r.reason, lang))}</td></tr>'
        for r in lyr.removals
    )
    head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in ("field", "action", "count", "reason"))
    return f"<h3>{escape(t('anonymisation', lang))}</h3><table><tr>{head}</tr>{rows}</table>"


CHANGES_SHOWN = 20


def _changes_table(run: ThemeRun, lyr: LayerResult, lang: str) -> str:
    """A readable sample of the changes with their total; every change is in report.json (or changes.csv)."""
    total = sum(len(f.details) for f in lyr.fixes)
    if not total:
        return ""
    # the first ones only: a streamed run's changes may be millions, read back from temporary files
    changes = list(itertools.islice(lyr.changes(), CHANGES_SHOWN))
    where = run.changes_file or "report.json"
    shown = min(total, CHANGES_SHOWN)
    caption = t("changes_sample" if shown < total else "changes_all", lang).format(
        shown=_words(shown, "changes", lang), total=count_text(total, lang), file=where
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td>{escape('' if v is None else str(v))}</td>"
            for v in ("" if c["feature"] is None else f"#{c['feature']}", c["field"], c["code"], c["old"], c["new"])
        )
        + "</tr>"
        for c in changes[:CHANGES_SHOWN]
    )
    head = "".join(f"<th>{escape(t(k, lang))}</th>" for k in ("feature", "field", "code", "old", "new"))
    return f"<p>{escape(caption)}</p><table><tr>{head}</tr>{rows}</table>"


def _layer_section(run: ThemeRun, lyr: LayerResult, lang: str, drawn: list[str | None] | None, at: int) -> str:
    issues = [i for i in run.report.issues if i.layer == lyr.layer]
    png = drawn[at] if drawn is not None else preview_png(lyr.frame, lyr.faulty)
    img = (
        (
            f'<figure><img alt="{escape(t("map_alt", lang))}" src="data:image/png;base64,{png}">'
            '<figcaption class="hint">'
            f"{escape(t('map', lang))} ({count_text(lyr.problem_count, lang)} / "
            f"{count_text(lyr.feature_count, lang)})</figcaption></figure>"
        )
        if png
        else f"<p class='hint'>{escape(t('no_map', lang))}</p>"
    )
    n = {s: sum(1 for i in issues if i.severity is s) for s in Severity}
    errors, warnings = n[Severity.ERROR], n[Severity.WARNING]
    # each label agrees with its count, as « 1 erreur » would read (« erreur | 1 », « erreurs | 2 »)
    facts = (
        f"<table class='facts'><tr><td>{escape(t('layer', lang))}</td><td>{escape(lyr.display)}</td></tr>"
        f"<tr><td>{_label(lyr.feature_count, 'features', lang)}</td><td>{count_text(lyr.feature_count, lang)}</td></tr>"
        f"<tr><td>{escape(t('crs', lang))}</td><td>{escape(lyr.crs or '—')}</td></tr>"
        f"<tr><td>{_label(errors, 'errors', lang)}</td><td class='n-error'>{count_text(errors, lang)}</td></tr>"
        f"<tr><td>{_label(warnings, 'warnings', lang)}</td><td class='n-warning'>{count_text(warnings, lang)}</td>"
        "</tr></table>"
    )
    fixes = ""
    if lyr.fixes:
        items = "".join(
            f"<li><code>{escape(f.code)}</code> {escape(' '.join(f.changes_fr if lang == 'fr' else f.changes))}</li>"
            for f in lyr.fixes
        )
        fixes = f"<h3>{escape(t('fixes', lang))}</h3><ul>{items}</ul>{_changes_table(run, lyr, lang)}"
    ran = ", ".join(f"<code>{escape(c)}</code>" for c in lyr.checks_ran)
    anon = _removals_table(lyr, lang) if run.profile is not None else ""
    return (
        f"<h2>{escape(t('layer', lang))} {escape(lyr.layer)}</h2><div class='card'><div class='layer'>{img}"
        f"<div style='flex:1;min-width:280px'>{facts}</div></div></div>"
        f"<h3>{escape(t('problems', lang))}</h3>{_issues_block(issues, lang)}{fixes}{anon}"
        f"{_fields_table(run, lyr, lang)}"
        f"<details><summary>{escape(t('checks_run', lang))} ({len(lyr.checks_ran)})</summary><p>{ran}</p></details>"
    )


def render_html(run: ThemeRun, lang: str = "fr", maps: list[str | None] | None = None) -> str:
    """The whole report as one HTML document. ``maps``: each layer's map (:func:`.preview.preview_png`'s PNG),
    drawn already (by a forked child while the run wrote its formats: ``odl_geo.theme.report_maps``); None:
    drawn here."""
    lang = lang if lang in ("fr", "en") else "fr"
    p = run.profile
    counts = run.counts()
    ok = not run.report.has_errors
    theme = f"{p.title.get(lang, p.title['en'])} (<code>{escape(p.key)}</code>)" if p else escape(t("no_theme", lang))
    colon = " :" if lang == "fr" else ":"  # French typography puts a space before the colon, English none
    meta = [f"<p class='meta'>{escape(t('theme', lang))}{colon} {theme}</p>"]
    if p is not None and p.schema is not None:
        meta.append(
            f"<p class='meta'>{escape(t('schema', lang))}{colon} {escape(p.schema.name)} {escape(p.schema.version)}</p>"
        )
    if run.area is not None:
        meta.append(f"<p class='meta'>{escape(t('area', lang))}{colon} {escape(run.area.name)}</p>")
    layer_names = {lyr.layer for lyr in run.layers}
    other = [i for i in run.report.issues if i.layer not in layer_names]
    parts = [
        f"<h1>{escape(t('title', lang))} — {escape(run.source_name)}</h1>",
        *meta,
        f"<div class='verdict {'ok' if ok else 'ko'}'>{escape(t('verdict_ok' if ok else 'verdict_ko', lang))}</div>",
        (
            "<div class='counts'>"
            f"<span class='n-error'>{_counted(counts['error'], 'errors', lang)}</span>"
            f"<span class='n-warning'>{_counted(counts['warning'], 'warnings', lang)}</span>"
            f"<span class='n-info'>{_counted(counts['info'], 'infos', lang)}</span></div>"
        ),
    ]
    if other:
        parts.append(f"<h2>{escape(t('source_issues', lang))}</h2>{_issues_block(other, lang)}")
    drawn = maps if maps is not None and len(maps) == len(run.layers) else None
    parts.extend(_layer_section(run, lyr, lang, drawn, at) for at, lyr in enumerate(run.layers))
    if run.files or run.corrected:
        items = "".join(
            f"<li><code>{escape(f.path)}</code> ({escape(f.format)}, "
            f"{_counted(f.feature_count, 'features', lang)})</li>"
            for f in run.files
        )
        items += "".join(f"<li><code>{escape(c)}</code> ({escape(t('corrected', lang))})</li>" for c in run.corrected)
        parts.append(f"<h2>{escape(t('files', lang))}</h2><ul>{items}</ul>")
    from .._version import __version__

    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts.append(f"<footer>{escape(t('generated', lang))} {escape(__version__)} — {stamp}</footer>")
    title = f"{t('title', lang)} — {run.source_name}"
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head>'
        f"<body><main>{''.join(parts)}</main></body></html>\n"
    )
