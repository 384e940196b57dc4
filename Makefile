# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test bench install init clean

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

init: $(STAMP)
	$(PY) -m ipoverseas init

# Serve the app on http://localhost:$(PORT) with the embedded SQLite database and demo content.
run: init
	$(PY) -m streamlit run app.py --server.port $(PORT)

# The whole suite. IPOVERSEAS_TEST_DATABASE_URL adds PostgreSQL; PYTEST_ARGS=--e2e adds the Chromium journeys.
test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Benchmarks: one name=value line per figure.
bench: $(STAMP)
	$(PY) -m pytest -m bench --bench -s -q $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
