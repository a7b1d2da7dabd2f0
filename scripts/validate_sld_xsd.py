"""Validate the committed styles against the official OGC XSDs, from an offline mirror of schemas.opengis.net.

No PyPI or Debian package ships the OGC SLD schemas and this project's machines reach no other host, so this
check cannot be part of ``make test`` (which always runs the SLD 1.0.0 content-model test instead). Run it where
a mirror is at hand::

    .venv/bin/python scripts/validate_sld_xsd.py /path/to/schemas.opengis.net

The mirror needs ``sld/1.0.0``, ``sld/1.1.0``, ``se/1.1.0``, ``filter/1.0.0``, ``filter/1.1.0``, ``gml/2.1.2``,
``gml/3.1.1``, ``ows/1.0.0``, ``wms/1.3.0``, plus ``w3c/1999/xlink.xsd`` and ``w3c/2001/xml.xsd``. Every
``styles/*/*.sld`` is validated against SLD 1.0.0 and every ``*.se.sld`` against SLD 1.1.0. Exit 0 when all are
valid, 1 otherwise, 2 when the mirror is incomplete.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from lxml import etree

STYLES = Path(__file__).resolve().parent.parent / "styles"


def official_schema(root: Path, work: Path, rel: str) -> etree.XMLSchema:
    """Load an OGC XSD from the mirror, every remote schemaLocation rewritten to the copy.

    (lxml resolvers would load some files twice under two names and refuse the duplicate components.)
    """
    copy = work / "ogc"
    if not copy.exists():
        shutil.copytree(root, copy)
        for xsd in copy.rglob("*.xsd"):
            text = xsd.read_text(encoding="utf-8")
            text = text.replace('schemaLocation="http://schemas.opengis.net/', f'schemaLocation="{copy}/')
            text = text.replace('"http://www.w3.org/1999/xlink.xsd"', f'"{copy}/w3c/1999/xlink.xsd"')
            text = text.replace('"http://www.w3.org/2001/xml.xsd"', f'"{copy}/w3c/2001/xml.xsd"')
            xsd.write_text(text, encoding="utf-8")
    return etree.XMLSchema(etree.parse(str(copy / rel)))


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not Path(argv[0]).is_dir():
        print(__doc__, file=sys.stderr)
        return 2
    root = Path(argv[0])
    with tempfile.TemporaryDirectory() as tmp:
        try:
            sld10 = official_schema(root, Path(tmp), "sld/1.0.0/StyledLayerDescriptor.xsd")
            sld11 = official_schema(root, Path(tmp), "sld/1.1.0/StyledLayerDescriptor.xsd")
        except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            print(f"the mirror at {root} is incomplete: {exc}", file=sys.stderr)
            return 2
        failed = 0
        files = sorted(STYLES.glob("*/*.sld"))
        for path in files:
            schema, version = (sld11, "1.1.0") if path.name.endswith(".se.sld") else (sld10, "1.0.0")
            ok = schema.validate(etree.parse(str(path)))
            print(f"{'valid' if ok else 'INVALID'} SLD {version}: {path.relative_to(STYLES)}")
            for err in [] if ok else schema.error_log:
                print(f"    line {err.line}: {err.message}")
            failed += not ok
    print(f"{len(files) - failed}/{len(files)} styles valid")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
