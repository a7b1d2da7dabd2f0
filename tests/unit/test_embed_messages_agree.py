"""The web components' messages agree with their counts (``t`` of web/src/i18n.js, run in Node.js, which builds
the components: ``make setup``): « 1 jeu de données », « 1 234 jeux de données », "1 dataset", "3 features found",
where a commune's page said « 1 jeu(x) de données » and « 3 objet(s) trouvé(s) ». The same rule as the reports'
(:func:`odl_geo.numbers.agree`): French takes the singular for 0 and 1, English for 1 only."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from odl_geo.numbers import agree, count_text

I18N = Path(__file__).resolve().parents[2] / "web" / "src" / "i18n.js"


def messages(calls: list[tuple[str, str, dict[str, object]]]) -> list[str]:
    node = shutil.which("node")
    assert node, "Node.js is needed (it builds web/: make setup)"
    script = (f"import {{ t }} from {json.dumps(I18N.as_uri())};"
              "let s = ''; process.stdin.on('data', d => s += d); process.stdin.on('end', () =>"
              " console.log(JSON.stringify(JSON.parse(s).map(([l, k, v]) => t(l, k, v)))));")
    proc = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps(calls), text=True,
                          capture_output=True, check=True, timeout=60)  # fmt: skip
    return json.loads(proc.stdout)


@pytest.mark.parametrize("n", [0, 1, 2, 11, 1234])
def test_the_catalogue_and_the_map_count_as_the_reports_do(n):
    fr, en, found_fr, found_en = messages(
        [("fr", "results", {"count": n}), ("en", "results", {"count": n}),
         ("fr", "infoCount", {"count": n}), ("en", "infoCount", {"count": n})]
    )  # fmt: skip
    assert fr == f"{count_text(n, 'fr')} {agree(n, 'jeu', 'jeux', 'fr')} de données"
    assert en == f"{count_text(n, 'en')} {agree(n, 'dataset', 'datasets', 'en')}"
    assert found_fr == f"{count_text(n, 'fr')} {agree(n, 'objet trouvé', 'objets trouvés', 'fr')}."
    assert found_en == f"{count_text(n, 'en')} {agree(n, 'feature', 'features', 'en')} found."
    assert "(" not in fr + en + found_fr + found_en


def test_a_searched_text_is_shown_as_typed_not_read_as_a_placeholder():
    [fr] = messages([("fr", "resultsFor", {"count": 1, "q": "{count:a|b} <b>"})])
    assert fr == "1 jeu de données pour « {count:a|b} <b> »"
