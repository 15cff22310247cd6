# docgen — the two commands that matter: `make serve` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup setup-test serve serve-prod test bench templates clean

setup:
	@scripts/setup.sh serve

setup-test:
	@scripts/setup.sh test

serve: setup
	$(VENV)/bin/docgen db upgrade
	DOCGEN_PUBLIC_URL=$${DOCGEN_PUBLIC_URL:-http://$(HOST):$(PORT)} $(VENV)/bin/flask --app docgen run --host $(HOST) --port $(PORT)

# Production: gunicorn with the shipped gunicorn.conf.py (threaded workers, read deadlines); put nginx in front.
WORKERS ?= 4
serve-prod: setup
	$(VENV)/bin/docgen db upgrade
	DOCGEN_BIND=$(HOST):$(PORT) DOCGEN_WORKERS=$(WORKERS) $(VENV)/bin/gunicorn

test: setup-test
	$(PY) -m pytest $(PYTEST_ARGS)

bench: setup-test
	mkdir -p out
	$(PY) scripts/bench.py --json out/bench.json $(BENCH_ARGS)
	$(PY) scripts/bench_http.py --json out/bench_http.json
	$(PY) scripts/bench_attacks.py
	$(PY) scripts/bench_ui.py
	$(PY) scripts/bench_batch.py --json out/bench_batch.json
	$(PY) scripts/bench_summary.py out/bench.json out/bench_http.json out/bench_batch.json

templates: setup
	$(PY) scripts/build_docx_templates.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis out
