#!/usr/bin/env bash
# The real udata (data.gouv.fr's software) for tests/server/datagouv, in its own venv `.venv-udata`.
# udata 17.18 pins ~100 packages (Flask, requests, urllib3, pymongo...): they must not leak into .venv,
# so this is a plain venv (no --system-site-packages) from Debian's /usr/bin/python3 (udata needs >=3.11).
# Idempotent: a stamp (hash of requirements/udata.txt + this script) makes reruns instant.
# Recipe and rationale: ../shared/recipes/udata-local.md (mongomock in-process, no MongoDB needed).
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$SELF")/.."
VENV=.venv-udata
UDATA="udata==17.18.0"
MONGOMOCK="mongomock==4.3.0"
want="$(cat requirements/udata.txt "$SELF" | sha256sum | cut -c1-16)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.setup-stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "setup_udata: installing $UDATA + $MONGOMOCK into $VENV (~30 s)"
[ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv "$VENV"
# (pip.conf's find-links may name local mirrors absent on this machine: hide those harmless warnings)
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "$UDATA" "$MONGOMOCK" -c requirements/udata.txt \
  2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
"$VENV/bin/python" -c "from importlib.metadata import version as v; print('setup_udata: udata', v('udata'), '/ mongomock', v('mongomock'))"
echo "$want" > "$VENV/.setup-stamp"
