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

# the three themes as one job (examples/demo.toml: convert each into $OUT/<theme>, what cron would run); a
# data.gouv.fr step to a LOCAL udata is added when one is configured, remote targets stay commented out in the job
JOB=examples/demo.toml
if [ "$OUT" != out ] || [ -n "${ODL_DATAGOUV_URL:-}" ]; then
  JOB="$OUT/demo-job.toml"   # the same job, paths made absolute (and the local udata step when configured)
  sed -e "s#^out = \"../out\"#out = \"$(realpath "$OUT")\"#" \
      -e "s#^\(source\|mapping\|metadata\) = \"#\1 = \"$PWD/examples/#" examples/demo.toml > "$JOB"
fi
if [ -n "${ODL_DATAGOUV_URL:-}" ] && [ -n "${ODL_DATAGOUV_API_KEY:-}" ] && [ -n "${ODL_DATAGOUV_ORG:-}" ]; then
  echo "data.gouv.fr: publishing to the local udata at $ODL_DATAGOUV_URL (organization $ODL_DATAGOUV_ORG)"
  python3 - "$JOB" <<'PY'
import os, re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
step = f'[dataset.datagouv]\nurl = "{os.environ["ODL_DATAGOUV_URL"]}"\norg = "{os.environ["ODL_DATAGOUV_ORG"]}"\n'
parts = re.split(r"(?m)^(?=\[\[dataset\]\])", text)
open(path, "w", encoding="utf-8").write(parts[0] + "".join(p.rstrip("\n") + "\n" + step + "\n" for p in parts[1:]))
PY
else
  echo "data.gouv.fr: not configured, nothing sent (set ODL_DATAGOUV_URL, ODL_DATAGOUV_API_KEY and ODL_DATAGOUV_ORG"
  echo "for a local udata; remote targets: see the commented sections of examples/demo.toml)"
fi
run run "$JOB"

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

# quality control of what the job published (issue #13): each output folder served by QGIS Server and checked
# as a map client would (and the local udata's datasets when configured); status page in $OUT/status.html
run monitor "$JOB" --serve --html "$OUT/status.html"

# the commune website (issue #11): the snippet, and a page with the live map of the three themes and the catalogue,
# served locally; in a terminal it keeps serving until Ctrl-C, otherwise it checks the page and exits
bash scripts/demo_site.sh "$OUT"
