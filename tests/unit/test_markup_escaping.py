"""Issue #14, item 8: whatever odl-geo writes into another format's markup is escaped for that markup.

Field names, values, layer and file names come from the source, so from anyone. Crafted here: names with ``&``,
``"``, ``<``, ``>``, backticks, ``]]>``, Markdown links and table pipes. KML, SLD and ISO 19139 must parse and give
the names back unchanged; the Markdown description sent to data.gouv.fr must render (with udata's own renderer,
mistune, as udata configures it) without any link, image or HTML coming from the data.
"""

from __future__ import annotations

import json
import subprocess
import tomllib
from pathlib import Path

import pytest
from lxml import etree
from markdown_it import MarkdownIt

from odl_geo.cli.main import main

HOSTILE_FIELDS = ["a&b", 'x"y', "<z>", "name`](https://evil.example/f)`", "t]]>u"]
HOSTILE_VALUE = "</Data><script>alert(1)</script> & ]]> \"q\" 'a'"
EVIL = "evil.example"
ROOT = Path(__file__).resolve().parents[2]
UDATA_PYTHON = ROOT / ".venv-udata" / "bin" / "python"


@pytest.fixture
def hostile_geojson(tmp_path: Path) -> Path:
    path = tmp_path / "src" / "points.geojson"
    path.parent.mkdir()
    props = {name: f"{HOSTILE_VALUE} {i}" for i, name in enumerate(HOSTILE_FIELDS)}
    features = [
        {"type": "Feature", "properties": props, "geometry": {"type": "Point", "coordinates": [3.8 + i / 100, 43.6]}}
        for i in range(3)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_kml_with_hostile_field_names_is_well_formed(hostile_geojson: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    code = main(["convert", str(hostile_geojson), "--to", "kml", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    root = etree.parse(str(out / "points.kml"), etree.XMLParser(resolve_entities=False, no_network=True))
    texts = "".join(root.getroot().itertext())
    assert "<script>" in texts  # a value, as text: not an element
    assert not root.getroot().xpath("//*[local-name()='script']")
    names = {el.get("name") for el in root.getroot().iter() if isinstance(el.tag, str) and el.get("name")}
    assert set(HOSTILE_FIELDS) <= names  # every name given back as it was


def test_sld_with_hostile_field_names_stays_well_formed() -> None:
    from odl_geo.style_fields import rename_sld_fields

    sld = (b'<?xml version="1.0" encoding="UTF-8"?><StyledLayerDescriptor xmlns="http://www.opengis.net/sld" '
           b'xmlns:ogc="http://www.opengis.net/ogc" version="1.0.0"><NamedLayer><Name>l</Name><UserStyle>'
           b"<FeatureTypeStyle><Rule><ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>TYPE</ogc:PropertyName>"
           b"<ogc:Literal>PI</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter></Rule></FeatureTypeStyle>"
           b"</UserStyle></NamedLayer></StyledLayerDescriptor>")  # fmt: skip
    for name in HOSTILE_FIELDS:
        renamed = rename_sld_fields(sld, {"TYPE": name})
        tree = etree.fromstring(renamed.content, etree.XMLParser(resolve_entities=False, no_network=True))
        (prop,) = tree.xpath("//*[local-name()='PropertyName']")
        assert prop.text == name


def test_iso_19139_with_hostile_texts_is_well_formed(tmp_path: Path) -> None:
    from metadata_support import EXAMPLES, convert_demo

    from odl_geo.metadata import parse_metadata, prepare_record

    folder = convert_demo("water", tmp_path)
    table = tomllib.loads((EXAMPLES / "water" / "metadata.toml").read_text("utf-8"))
    table.update(title='Fontaines & <bornes> "eau" ]]>', keywords=["a&b", "<kw>", 'q"'])
    result = prepare_record(folder, parse_metadata(table, "metadata.toml"))
    tree = etree.fromstring(result.xml, etree.XMLParser(resolve_entities=False, no_network=True))
    texts = {t.strip() for t in tree.itertext()}
    assert 'Fontaines & <bornes> "eau" ]]>' in texts
    assert {"a&b", "<kw>", 'q"'} <= texts


# -- Markdown sent to data.gouv.fr ---------------------------------------------------------------------------


def _manifest(layer: str, message: str) -> dict[str, object]:
    return {
        "source": {"name": "source`](https://evil.example/s)`.geojson"},
        "files": [
            {
                "path": "points.csv",
                "format": "csv",
                "layer": layer,
                "feature_count": 3,
                "geometry_type": "Point",
                "crs": "EPSG:4326",
                "bbox_wgs84": [3.8, 43.6, 3.9, 43.7],
            },
        ],
        "report": {"issues": [{"severity": "warning", "message": message, "count": 2}]},
    }


def _description(tmp_path: Path) -> tuple[str, str]:
    from odl_geo.publishers.datagouv._describe import describe_outputs, resource_meta
    from odl_geo.publishers.datagouv.publish import PublishOptions

    (tmp_path / "points.csv").write_text(",".join(f'"{n.replace(chr(34), chr(34) * 2)}"' for n in HOSTILE_FIELDS)
                                         + "\n1,2,3,4,5\n", encoding="utf-8")  # fmt: skip
    layer = "couche | cassée`](https://evil.example/l) <img src=x onerror=alert(1)>"
    message = "valeur [clic ici](https://evil.example/m) ![i](https://evil.example/i.png) <b>gras</b> `x`"
    manifest = _manifest(layer, message)
    options = PublishOptions(organization="org")
    described = describe_outputs(manifest, tmp_path, options)
    resource = resource_meta(manifest["files"][0], options).description  # type: ignore[index]
    return described, resource


def _check_rendered(html: str) -> None:
    assert f'href="https://{EVIL}' not in html and f"href='https://{EVIL}" not in html
    assert "<img" not in html and "<b>" not in html


def test_markdown_description_cannot_be_broken_out_of(tmp_path: Path) -> None:
    described, resource = _description(tmp_path)
    renderer = MarkdownIt("commonmark").enable("table")
    for text in (described, resource):
        _check_rendered(renderer.render(text))
    html = renderer.render(described)
    for name in HOSTILE_FIELDS:  # every field name shown whole, in a code span
        assert etree.fromstring(f"<div>{html}</div>").xpath("//code[.=$n]", n=name), name
    row = next(line for line in described.splitlines() if line.startswith("| couche"))
    assert row.count(" | ") == 3  # the pipe inside the layer name did not add a cell


def test_markdown_description_as_udata_renders_it(tmp_path: Path) -> None:
    """udata renders descriptions with mistune (escape=False, tables), then bleach: run that very renderer."""
    if not UDATA_PYTHON.exists():
        pytest.fail("the udata virtualenv is missing: run `make setup` (scripts/setup.sh builds .venv-udata)")
    described, resource = _description(tmp_path)
    script = (
        "import sys, mistune; md = mistune.create_markdown(escape=False, hard_wrap=True, "
        "plugins=['table', 'strikethrough']); sys.stdout.write(md(sys.stdin.read()))"
    )
    for text in (described, resource):
        html = subprocess.run([str(UDATA_PYTHON), "-c", script], input=text, capture_output=True, text=True,
                              check=True).stdout  # fmt: skip
        _check_rendered(html)
