# The two commands of the README. Each makes its own virtualenv, so a fresh clone needs
# nothing but Python 3.11 (and Java 17 + Maven for the Neo4j half of the tests).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: demo test scenarios lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

demo: $(VENV)/.installed  ## generate a demo population, ingest it, sweep, offer, pay; then serve it over GraphQL
	$(VENV)/bin/familycard demo --serve

test: $(VENV)/.installed  ## the test suite, on LadybugDB and on a real Neo4j 5.26
	@# the GraphQL-over-HTTP audit's npm helper, once, when npm is here (without it those tests skip, saying so)
	@if command -v npm >/dev/null && [ ! -d tests/http_audit/node_modules ]; then \
		npm ci --prefix tests/http_audit --no-audit --no-fund --loglevel=error; fi
	$(PY) -m pytest

scenarios: $(VENV)/.installed  ## kill -9 mid-run, two runs at once, Neo4j loads, on both engines (about 9 minutes; CI runs them)
	$(PY) -m pytest -m scenario

lint: $(VENV)/.installed  ## ruff, with the settings in pyproject.toml (CI runs it before the tests)
	$(VENV)/bin/ruff check src tests bench tools

bench: $(VENV)/.installed  ## ingest and sweep benchmarks (see BENCHMARKS.md); long: 1 M people
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/ingest.py
	$(PY) bench/sweep.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
