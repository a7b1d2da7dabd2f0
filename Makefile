# The two README commands: `make demo` and `make test`. Both set everything up first (idempotent).
.PHONY: setup demo test test-unit test-qgis lint bench clean

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

clean:
	rm -rf out .pytest_cache .ruff_cache .mypy_cache
