#!/usr/bin/env bash
# The main job on the bundled samples: inspect, then convert each theme into out/<theme>/.
# Uses only files in examples/, so it works on a fresh clone without ../shared.
set -euo pipefail
cd "$(dirname "$0")/.."
ODL=.venv/bin/odl-geo
OUT=${OUT:-out}
mkdir -p "$OUT"
run() { echo; echo "\$ odl-geo $*"; "$ODL" "$@"; }

run inspect examples/hiking/cevennes_itineraires.json
run convert examples/hiking/cevennes_itineraires.json --decode-html --to gpkg,geojson,shp,csv,kml,fgb,parquet --out "$OUT/hiking"
run inspect examples/water/VilleMTP_MTP_Fontaines.csv
run convert examples/water/VilleMTP_MTP_Fontaines.csv --to gpkg,geojson,shp,csv,kml,fgb,parquet --out "$OUT/water"
run inspect examples/flood/PPRn_BourgOisans.zip
run convert examples/flood/PPRn_BourgOisans.zip --to gpkg,geojson,shp,csv,fgb,parquet --out "$OUT/flood"

# the embedded OGC server: QGIS Server over each output, GetCapabilities checked, one map saved as map.png
run serve "$OUT/hiking" --once
run serve "$OUT/water" --once
run serve "$OUT/flood" --once

echo
echo "demo: done. Outputs, manifest.json, project.qgs and map.png are in $OUT/ (odl-geo serve $OUT/flood to browse):"
for d in "$OUT"/hiking "$OUT"/water "$OUT"/flood; do
  printf '  %-12s %s files, %s\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)" "$(du -sh "$d" | cut -f1)"
done
