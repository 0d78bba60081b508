# The two commands of the README:  make run  (the monitor)  ·  make test  (the test suite)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install everything

run: $(STAMP)  ## start the monitor: demo site, scheduler, console on http://127.0.0.1:8501
	$(BIN)/tousu run

test: $(STAMP)  ## run the whole test suite
	$(BIN)/python -m pytest -q

bench: $(STAMP)  ## run the benchmarks and print figures
	$(BIN)/python -m bench

es-start:  ## start the local Elasticsearch node; then: export TOUSU_ES_URL=http://127.0.0.1:9200
	scripts/elasticsearch.sh start

es-stop:  ## stop the local Elasticsearch node
	scripts/elasticsearch.sh stop

.PHONY: install run test bench es-start es-stop
