# The two README commands: `make demo` and `make test`. Both set everything up first (idempotent).
.PHONY: setup demo test lint bench clean plugin-zip plugin-install

setup:
	@bash scripts/setup.sh

demo: setup
	@bash scripts/demo.sh

test: setup
	@bash scripts/test.sh

lint: setup
	@.venv/bin/ruff check odl_geo tests bench
	@.venv/bin/mypy

bench: setup
	@.venv/bin/python bench/convert.py
	@.venv/bin/python bench/publish.py
	@.venv/bin/python bench/datagouv.py
	@.venv/bin/python bench/embed.py
	@.venv/bin/python bench/jobs.py

clean:
	rm -rf out .pytest_cache .ruff_cache .mypy_cache

QGIS_PLUGINS_DIR ?= $(HOME)/.local/share/QGIS/QGIS3/profiles/default/python/plugins

plugin-zip: setup
	@.venv/bin/python scripts/package_plugin.py

plugin-install: setup
	@.venv/bin/python scripts/package_plugin.py --install "$(QGIS_PLUGINS_DIR)"
