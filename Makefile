# Every target bootstraps its own virtual environment, so a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test bench lint fmt clean apiserver bundles

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --config-settings editable_mode=compat -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/stackctl render

test: $(STAMP) lint
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check stackctl tests
	$(BIN)/ruff format --check stackctl tests
	$(BIN)/mypy
	$(BIN)/lint-imports

fmt: $(STAMP)
	$(BIN)/ruff format stackctl tests
	$(BIN)/ruff check --fix stackctl tests

# The API test server by hand: prints a kubeconfig path, serves on 127.0.0.1 until Ctrl-C.
apiserver: $(STAMP)
	$(BIN)/python -m tests.apiserver $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m tests.bench
	$(BIN)/python -m tests.bench_validate
	$(BIN)/python -m tests.bench_bundle
	$(BIN)/python -m tests.bench_cluster

# OLM bundles and file-based catalogs under bundles/ (committed; a test checks they match the generator).
bundles: $(STAMP)
	$(BIN)/stackctl bundle --out bundles

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
