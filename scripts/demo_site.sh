#!/usr/bin/env bash
# The end of `make demo`: a commune's web page with the live map of the three demo themes and the data catalogue.
#   scripts/demo_site.sh [OUT]      (OUT holds hiking/, water/, flood/ converted by scripts/demo.sh)
# odl-geo embed writes the snippet and a page (OUT/site) from the outputs; odl-geo serve serves the map (QGIS
# Server behind its CORS front), the web components and the page, with the strict Content-Security-Policy.
# The catalogue lists a RECORDED data.gouv.fr API answer (scripts/demo/, made by scripts/record_demo_catalogue.py
# from the tests' local udata), served locally: the page and this script say so.
# In a terminal, it serves until Ctrl-C; otherwise (CI, make test, a pipe) it checks that the page answers and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
ODL=.venv/bin/odl-geo
PY=.venv/bin/python
OUT=${1:-${OUT:-out}}
PORT=${DEMO_PORT:-$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
BASE="http://127.0.0.1:$PORT"
RECORDED=scripts/demo/catalogue-enregistre
ORG=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["odl_geo_recorded"]["organization"])' \
  "$RECORDED/api/1/datasets.json")
NOTICE="Démo locale : le catalogue montre une réponse ENREGISTRÉE de l'API data.gouv.fr (udata local des tests, \
jeux publiés par odl-geo), servie par cet ordinateur, pas une réponse en direct. La carte est servie en direct par \
odl-geo serve (QGIS Server)."

echo
echo "\$ odl-geo embed $OUT/site --from $OUT/hiking $OUT/water $OUT/flood --server $BASE/ows/ ..."
"$ODL" embed "$OUT/site" --from "$OUT/hiking" "$OUT/water" "$OUT/flood" --server "$BASE/ows/" \
  --datagouv "$BASE/catalogue-enregistre" --org "$ORG" --title "Démo odl-geo : carte et données ouvertes" \
  --notice "$NOTICE" --json > "$OUT/site.json"
rm -rf "$OUT/site/catalogue-enregistre"
cp -r "$RECORDED" "$OUT/site/catalogue-enregistre"
CSP=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["content_security_policy"])' "$OUT/site.json")
echo "snippet: $OUT/site/snippet.html   webmaster's notes: $OUT/site/LISEZMOI.txt"
echo "catalogue: RECORDED data.gouv.fr answer ($RECORDED), served locally; the page says so"

SERVE=("$ODL" serve "$OUT/hiking" "$OUT/water" "$OUT/flood" --port "$PORT" --page "$OUT/site" --page-csp "$CSP")
if [ -t 0 ] && [ -t 1 ]; then
  echo
  echo "demo page: $BASE/   (map + catalogue; Ctrl-C stops)"
  exec "${SERVE[@]}"
fi

# not interactive: serve in the background, check the page, the components, the map server and the recorded API
"${SERVE[@]}" --duration 300 > "$OUT/serve.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
if ! $PY - "$BASE" <<'EOF'
import sys, time, urllib.request

base = sys.argv[1]
def get(path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
deadline = time.monotonic() + 120
while True:
    try:
        status, headers, page = get("/")
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit("the demo page did not answer within 120 s")
        time.sleep(0.3)
assert status == 200 and "<odl-map" in page and "<odl-catalogue" in page and "ENREGISTR" in page, page[:500]
assert "script-src 'self'" in headers.get("Content-Security-Policy", ""), headers
assert get("/odl-embed/odl-embed.js")[0] == 200
_, headers, caps = get("/ows/?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")
assert headers.get("Access-Control-Allow-Origin") == "*"
assert all(f"odl-geo:theme={t}" in caps for t in ("hiking", "water", "flood")), caps[:500]
status, _, answer = get("/catalogue-enregistre/api/1/datasets/?organization=x&page=1")
assert status == 200 and '"odl_geo_recorded"' in answer
print(f"demo page checked: {base}/ answers (map server, web components, recorded catalogue)")
EOF
then
  echo "demo page check failed; the server's output:" >&2
  cat "$OUT/serve.log" >&2
  exit 1
fi
kill "$pid"
wait "$pid" 2>/dev/null || true
trap - EXIT
echo "not an interactive terminal: the page is not kept running (run make demo in a terminal to browse it)."
