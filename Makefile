# Everything the project needs is installed by these targets into .venv; nothing
# is assumed on the machine beyond Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
BENCH_STAMP := $(VENV)/.installed-bench
SAMPLE := examples/night-market.fountain
OUT ?= out/night-market

.PHONY: setup system demo test lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

## The main job on the bundled sample: script and breakdown files in $(OUT)/.
demo: setup system
	$(BIN)/shotline run $(SAMPLE) -o $(OUT)
	$(BIN)/shotline breakdown $(SAMPLE) --sheet scenes

## System packages: espeak-ng (temp dialogue), DejaVu fonts (storyboard PDFs) and,
## for the tests, a PostgreSQL server (the tests start their own).
SYSTEM_PACKAGES := espeak-ng fonts-dejavu-core postgresql
system:
	@missing=""; \
	command -v espeak-ng >/dev/null 2>&1 || missing="$$missing espeak-ng"; \
	[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$$missing fonts-dejavu-core"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 \
	  || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq >/dev/null && apt-get install -y -qq $$missing >/dev/null; \
	  else echo "missing system packages:$$missing (sudo apt-get install$$missing)" >&2; exit 1; fi; \
	fi

lint: setup
	$(BIN)/ruff check src tests bench

typecheck: setup
	$(BIN)/mypy src

unit: setup system
	$(BIN)/python -m pytest

## The whole suite: lint, types, tests.
test: lint typecheck unit

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

## Benchmarks against the shared corpus (../shared/corpus by default).
bench: $(BENCH_STAMP)
	$(BIN)/python bench/parse_speed.py
	$(BIN)/python bench/breakdown_pages.py
	$(BIN)/python bench/engine_speed.py

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache
