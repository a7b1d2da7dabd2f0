#!/usr/bin/env bash
# One idempotent set-up for a fresh Debian 12 machine of this kind (root or sudo).
# Reruns do no network I/O: apt runs only when a package is missing, the venv is refilled only
# when pyproject.toml, requirements/lock.txt or EXTRAS change (stamp file). See ../shared/recipes/environment.md
# for why each choice (system-site-packages venv from /usr/bin/python3, numpy<2, uv --compile-bytecode).
# requirements/lock.txt pins every Python package of .venv (the versions the tests passed with); it is used as
# constraints, so pyproject.toml keeps the ranges and the lock the exact versions. To change a version, edit
# pyproject.toml, then re-run the command at the top of the lock (add --upgrade-package NAME to move one package).
set -euo pipefail
cd "$(dirname "$0")/.."
APT_PKGS="python3-qgis qgis qgis-server gdal-bin proj-data postgresql-15-postgis-3 xvfb chromium fonts-dejavu-core qttools5-dev-tools"
EXTRAS="${EXTRAS:-dev,qgis-test,postgis,validate,metadata,server,fiona,dask}"
missing=""
for p in $APT_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing Debian packages:$missing"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# NOT `python3`: the first python3 on PATH may be a pyenv build that cannot import qgis.
[ -x .venv/bin/python ] || /usr/bin/python3 -m venv --system-site-packages .venv
[ -x .venv/bin/uv ] || .venv/bin/pip install -q --disable-pip-version-check uv
LOCK=requirements/lock.txt
want="$(cat pyproject.toml "$LOCK" | sha256sum | cut -c1-16)-$EXTRAS"
if [ "$(cat .venv/.setup-stamp 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages into .venv (pinned by $LOCK)"
  .venv/bin/uv pip install -q --compile-bytecode --python .venv/bin/python -c "$LOCK" -e ".[$EXTRAS]"
  echo "$want" > .venv/.setup-stamp
fi
# The web components' bundle (odl_geo/embed/static/, build output, gitignored): `npm ci` only when
# web/package-lock.json changed, the build only when web/ changed (stamp files, as for the venv).
# Node.js 20 and its own npm from the machine: never Debian's npm (it conflicts with that Node.js).
if [ -f web/package-lock.json ]; then
  command -v npm >/dev/null || { echo "setup: npm is missing: install Node.js 20 with its npm (not Debian's npm)"; exit 1; }
  lockhash="$(sha256sum web/package-lock.json | cut -c1-16)"
  if [ "$(cat web/node_modules/.odl-setup-stamp 2>/dev/null)" != "$lockhash" ]; then
    echo "setup: installing the web components' npm packages (web/package-lock.json)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error) && echo "$lockhash" > web/node_modules/.odl-setup-stamp
  fi
  webhash="$(cd web && { cat package-lock.json build.mjs; find src -type f | sort | xargs cat; } | sha256sum | cut -c1-16)"
  if [ "$(cat web/node_modules/.odl-build-stamp 2>/dev/null)" != "$webhash" ] || [ ! -f odl_geo/embed/static/odl-embed.js ]; then
    echo "setup: building the web components (node web/build.mjs -> odl_geo/embed/static/)"
    node web/build.mjs && echo "$webhash" > web/node_modules/.odl-build-stamp
  fi
fi
# The pyproj wheel does not see Debian's NTF->RGF93 grid; PROJ's user dir is searched by every PROJ>=7.
if [ -f /usr/share/proj/ntf_r93.gsb ]; then
  mkdir -p "$HOME/.local/share/proj" && ln -sf /usr/share/proj/ntf_r93.gsb "$HOME/.local/share/proj/ntf_r93.gsb"
fi
# Server test environments, each in its own venv so their pins never leak into .venv
for extra in scripts/setup_udata.sh scripts/setup_pycsw.sh; do
  if [ -f "$extra" ]; then bash "$extra"; fi
done
QT_QPA_PLATFORM=offscreen .venv/bin/python -c "import qgis.core, geopandas, pyogrio; print('setup: env ok, QGIS', qgis.core.Qgis.QGIS_VERSION, '/ GDAL (pyogrio)', pyogrio.__gdal_version_string__)"
