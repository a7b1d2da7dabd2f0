"""``markdownToText`` (web/src/common.js): the catalogue's description excerpts, run in Node.js (which builds the
components, ``make setup``) on udata descriptions as odl-geo writes them and as people write them."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMMON = REPO / "web" / "src" / "common.js"
RECORDED = REPO / "scripts" / "demo" / "catalogue-enregistre" / "api" / "1" / "datasets.json"


def excerpts(texts: list[str], max_len: int = 280) -> list[str]:
    node = shutil.which("node")
    assert node, "Node.js is needed (it builds web/: make setup)"
    script = (f"import {{ markdownToText }} from {json.dumps(COMMON.as_uri())};"
              "let s = ''; process.stdin.on('data', d => s += d); process.stdin.on('end', () =>"
              f" console.log(JSON.stringify(JSON.parse(s).map(t => markdownToText(t, {max_len})))));")
    proc = subprocess.run([node, "--input-type=module", "-e", script], input=json.dumps(texts), text=True,
                          capture_output=True, check=True, timeout=60)  # fmt: skip
    return json.loads(proc.stdout)


def test_tables_and_headings_are_left_out_underscores_kept():
    description = (
        "## Origine\n\n- Source : `VilleMTP_MTP_Fontaines.csv`\n- Fréquence de mise à jour : annuelle\n\n"
        "## Couches\n\n| Couche | Entités | Géométrie |\n|---|---|---|\n| VilleMTP_MTP_Fontaines | 48 | Point |\n\n"
        "## Champs\n\n- **VilleMTP_MTP_Fontaines** : `id_local` (text), `type_point` (text)\n"
    )
    assert excerpts([description]) == [(
        "Source : VilleMTP_MTP_Fontaines.csv · Fréquence de mise à jour : annuelle · "
        "VilleMTP_MTP_Fontaines : id_local (text), type_point (text)"
    )]


def test_prose_emphasis_links_and_escapes():
    got = excerpts([
        ("Les **bornes fontaines** de la ville,\n[publiées par odl-geo](https://example.org/odl).\n\n"
        "Deuxième _paragraphe_"),
        "Une ~~vieille~~ *note*, 2*3*4, un\\_tiret\\_bas, du __gras__ et snake_case_name.\n\n---\n\n> citée",
        "<script>alert(1)</script> texte ![image](x.png)",
        "```\ncode_block | a |\n```\nAprès le code.",
    ])  # fmt: skip
    assert got == [
        "Les bornes fontaines de la ville, publiées par odl-geo. Deuxième paragraphe",
        "Une vieille note, 2*3*4, un_tiret_bas, du gras et snake_case_name. citée",
        "alert(1) texte image",
        "Après le code.",
    ]


def test_the_excerpt_is_cut_at_a_word():
    (got,) = excerpts(["mot " * 100], max_len=30)
    assert got == "mot mot mot mot mot mot mot …"
    (got,) = excerpts(["- un\n- deux\n- trois\n- quatre"], max_len=14)
    assert got == "un · deux …"  # never ends on a separator


def test_descriptions_odl_geo_publishes_read_as_text():
    """The recorded answer of the demo: descriptions odl-geo wrote (layer tables, field lists)."""
    data = json.loads(RECORDED.read_text(encoding="utf-8"))["data"]
    got = excerpts([d["description"] for d in data])
    assert len(got) == 3
    for text, d in zip(got, data, strict=True):
        assert "|" in d["description"] and "## " in d["description"]  # the Markdown odl-geo writes: tables too
        assert "|" not in text and "---" not in text and "#" not in text and "`" not in text and "**" not in text
        assert "Source : " in text  # the "## Origine" heading left out, its list item kept
    water = next(t for t, d in zip(got, data, strict=True) if "Fontaines" in d["description"])
    assert "Source : VilleMTP_MTP_Fontaines.csv · " in water
