#!/usr/bin/env bash
# A real pycsw 2.6.2 (CSW 2.0.2 + transactions, ISO 19139 'apiso' profile) for tests/server/csw, in its own plain
# venv `.venv-pycsw`: pycsw pins SQLAlchemy<2 and OWSLib<0.29, which must not leak into .venv. It also ships the
# ISO 19139 / GML XSDs (pycsw/plugins/profiles/apiso/schemas), usable offline by lxml.
# Idempotent: a stamp (hash of the requirement files + this script) makes reruns instant.
# Recipe: ../shared/recipes/environment.md §2b and metadata-catalogues.md.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$SELF")/.."
VENV=.venv-pycsw
want="$(cat requirements/pycsw.txt requirements/pycsw.lock.txt "$SELF" | sha256sum | cut -c1-16)"
if [ -x "$VENV/bin/python" ] && [ "$(cat "$VENV/.setup-stamp" 2>/dev/null)" = "$want" ]; then
  exit 0
fi
echo "setup_pycsw: installing pycsw 2.6.2 into $VENV"
[ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv "$VENV"
if [ -x .venv/bin/uv ]; then
  .venv/bin/uv pip install -q --compile-bytecode --python "$VENV/bin/python" -r requirements/pycsw.txt \
    -c requirements/pycsw.lock.txt
else
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -r requirements/pycsw.txt \
    -c requirements/pycsw.lock.txt
fi
"$VENV/bin/python" -c "import pycsw, sqlalchemy, owslib; print('setup_pycsw: pycsw', pycsw.__version__, '/ SQLAlchemy', sqlalchemy.__version__, '/ OWSLib', owslib.__version__)"
echo "$want" > "$VENV/.setup-stamp"
