# Two commands on a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test install install-test lint typecheck pytest pytest-typer-min bench bench-startup constraints clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv

# Installs take the versions CI tests from constraints.txt (pyproject.toml holds the ranges users may get).
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/uv pip install -q --python $(BIN)/python -c constraints.txt -e . \
	  || $(BIN)/python -m pip install -q -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/uv pip install -q --python $(BIN)/python -c constraints.txt -e '.[test]' \
	  || $(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/hqd demo --out demo-out

lint: install-test
	$(BIN)/ruff check src tests benchmarks

typecheck: install-test
	$(BIN)/mypy src/hqd

pytest: install-test
	$(BIN)/pytest -q -n 2 --dist loadfile

# The command-line boundary on the lowest Typer pyproject.toml allows (constraints-typer-min.txt), in a small
# venv of its own: Typer, Click, Rich, numpy and hqd without its other dependencies (~10 s).
TYPER_MIN := .venv-typer-min
pytest-typer-min: install-test
	$(BIN)/uv venv -q --allow-existing --python $(BIN)/python $(TYPER_MIN)
	$(BIN)/uv pip install -q --python $(TYPER_MIN)/bin/python -r constraints-typer-min.txt \
	  "$$(grep '^pytest==' constraints.txt)"
	$(BIN)/uv pip install -q --python $(TYPER_MIN)/bin/python --no-deps -e .
	$(TYPER_MIN)/bin/python -m pytest -q -p no:cacheprovider tests/cli/test_main.py

test: lint typecheck pytest-typer-min pytest  # the full suite last: its summary closes the output

# Re-pin constraints.txt from the current .venv (after changing pyproject.toml and testing).
constraints: install-test
	{ sed -n '1,3p' constraints.txt; $(BIN)/uv pip freeze --python $(BIN)/python --exclude-editable; } > constraints.new
	mv constraints.new constraints.txt

bench: install-test
	$(BIN)/python benchmarks/bench_engine.py

bench-startup: install
	$(BIN)/python benchmarks/bench_startup.py

clean:
	rm -rf $(VENV) $(TYPER_MIN) build dist demo-out .pytest_cache .mypy_cache .ruff_cache
