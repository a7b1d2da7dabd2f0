#!/usr/bin/env bash
# The main job on the bundled samples, with the embedded defaults (local files, local QGIS Server):
# for each theme, check against the national schema and write the standard product with its quality report
# (report.html), the open formats and a manifest, then serve the result with QGIS Server and save one map.
# Uses only files in examples/, so it works on a fresh clone without ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
ODL=.venv/bin/odl-geo
OUT=${OUT:-out}
mkdir -p "$OUT"
run() { echo; echo "\$ odl-geo $*"; "$ODL" "$@"; }

# what is in each sample, and what is wrong with it, before anything is written
run inspect examples/hiking/cevennes_itineraires.json
run inspect examples/water/VilleMTP_MTP_Fontaines.csv
run inspect examples/flood/PPRn_BourgOisans.zip
run check examples/water/VilleMTP_MTP_Fontaines.csv --theme pei --out "$OUT/pei-check" || \
  echo "(expected: the fountains are no fire hydrants, the PEI check reports the missing required fields)"

run convert examples/hiking/cevennes_itineraires.json --theme hiking --area occitanie \
  --to gpkg,geojson,shp,csv,kml,fgb,parquet --metadata examples/hiking/metadata.toml --out "$OUT/hiking"
run convert examples/water/VilleMTP_MTP_Fontaines.csv --theme water --mapping examples/water/fontaines.toml --area 34 \
  --to gpkg,geojson,shp,csv,kml,fgb,parquet --metadata examples/water/metadata.toml --out "$OUT/water"
run convert examples/flood/PPRn_BourgOisans.zip --theme flood --to geojson,shp,csv \
  --metadata examples/flood/metadata.toml --out "$OUT/flood"

# the embedded OGC server: QGIS Server over each output, GetCapabilities checked, one map saved as map.png
run serve "$OUT/hiking" --once
run serve "$OUT/water" --once
run serve "$OUT/flood" --once

echo
echo "demo: done. In $OUT/<theme>/: the schema product, open formats, manifest.json, report.html (quality report),"
echo "metadata.xml (ISO 19139, INSPIRE) and metadata.jsonld (DCAT-AP),"
echo "project.qgs and map.png (browse with: .venv/bin/odl-geo serve $OUT/flood)."
for d in "$OUT"/hiking "$OUT"/water "$OUT"/flood; do
  printf '  %-8s %3s files, %s\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)" "$(du -sh "$d" | cut -f1)"
done

# the commune website (issue #11): the snippet, and a page with the live map of the three themes and the catalogue,
# served locally; in a terminal it keeps serving until Ctrl-C, otherwise it checks the page and exits
bash scripts/demo_site.sh "$OUT"
