# Two entry points (see README): `make reports` and `make test`.
# Each creates .venv and installs the package with its dev extras when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: reports test lint bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

reports: $(STAMP)
	$(PY) -m kpianalysis.build --data-root data/raw --processed data/processed --out reports

# the browser tests need headless Chromium (Debian package); installed here when missing
test: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
	  echo "chromium could not be installed: the browser test will fail"
	$(PY) -m ruff check src tests benchmarks
	$(PY) -m pytest -n 2

lint: $(STAMP)
	$(PY) -m ruff check src tests benchmarks

# Benchmarks compare against svy and samplics, installed here only (not runtime dependencies).
bench: $(STAMP)
	$(PY) -m pip install --quiet svy samplics
	$(PY) benchmarks/bench_likert.py
	$(PY) benchmarks/bench_design.py
	$(PY) benchmarks/bench_raking.py
	$(PY) benchmarks/bench_sae.py
	$(PY) benchmarks/bench_replicate.py
	$(PY) benchmarks/bench_import.py
	$(PY) benchmarks/bench_build.py

# Long fuzz run of the readers (issue 11): 50,000 malformed variants of data/raw, counts printed.
FUZZ_VARIANTS ?= 50000
FUZZ_SEED ?= 20261130
FUZZ_JOBS ?= 2
fuzz: $(STAMP)
	PYTHONPATH=src $(PY) tests/fuzz_inputs.py --variants $(FUZZ_VARIANTS) --seed $(FUZZ_SEED) \
	  --jobs $(FUZZ_JOBS)

clean:
	rm -rf reports/*.html reports/*.json reports/executed data/processed/*.parquet
