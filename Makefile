# The two commands of the README. Each makes its own virtualenv, so a fresh clone needs
# nothing but Python 3.11 (and Java 17 + Maven for the Neo4j half of the tests).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: demo test bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

demo: $(VENV)/.installed  ## generate a demo population, ingest it, sweep, offer, pay; then serve it over GraphQL
	$(VENV)/bin/familycard demo --serve

test: $(VENV)/.installed  ## the test suite, on LadybugDB and on a real Neo4j 5.26
	$(PY) -m pytest

bench: $(VENV)/.installed  ## ingest and sweep benchmarks (see BENCHMARKS.md); long: 1 M people
	$(PY) -m pip install -q -e '.[bench]'
	$(PY) bench/ingest.py
	$(PY) bench/sweep.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
