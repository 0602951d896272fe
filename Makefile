# evalkit: `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SEED ?= 20261122
RAW_DIR ?= data/raw
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg

## Create .venv and install evalkit (editable), pinned dependencies and the `evalkit` Jupyter kernel
install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24,<27"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name evalkit --display-name "Python (evalkit)" > /dev/null
	touch $(STAMP)

## Write the synthetic demo (five regions) into data/raw/ if it is empty; ground truth goes to data/truth/
demo: $(STAMP)
	@if [ -z "$$(ls -A $(RAW_DIR) 2>/dev/null | grep -v '^.gitkeep$$')" ]; then \
	  $(BIN)/evalkit synth --out $(RAW_DIR) --seed $(SEED); \
	else echo "$(RAW_DIR) has files: using them (empty it to regenerate the demo)"; fi

## Clean the field files, run every notebook in order and render reports/index.html
report: demo
	$(BIN)/evalkit run

## Validate the field files in data/raw/ and list every problem (file, row, column)
check: $(STAMP)
	$(BIN)/evalkit check $(RAW_DIR)

## Install Debian's headless Chromium for the browser test, if it is missing (needs root and apt-get)
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser test (apt-get)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	      chromium fonts-dejavu-core > /dev/null; \
	  else echo "chromium is missing and cannot be installed here: the browser test will be skipped"; fi; }

## Run the whole test suite (lint, unit, bad input, end to end, browser, notebooks re-executed with nbval)
test: demo browser-deps
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg -p no:randomly notebooks/

## Open JupyterLab on notebooks/ with the evalkit kernel
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

## Time the pipeline against its floor (kernels that only import the stack)
bench: $(STAMP)
	$(BIN)/python benchmarks/pipeline.py

## Remove derived files (data/processed, reports except the committed screenshots/); data/raw is left alone
clean:
	rm -rf data/processed/*
	find reports -mindepth 1 -maxdepth 1 ! -name screenshots ! -name .gitkeep -exec rm -rf {} +
	touch data/processed/.gitkeep reports/.gitkeep

## List the targets
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-zA-Z_-]+:/{if(doc){split($$0,a,":"); printf "  make %-8s %s\n", a[1], doc}; doc=""}' $(MAKEFILE_LIST)

.PHONY: install demo report check test browser-deps lab bench clean help
