# twosource: `make demo` sets up and runs the main job; `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The corpus to index and the article to check; override either: make demo ARTICLE=story.html
CORPUS ?= ../shared/data/fakes/FA-KES-Dataset.csv
CORPUS_OPTIONS ?= --encoding latin-1 --title-column article_title --text-column article_content --outlet-column source --date-column date
ARTICLE ?= ../shared/data/seed/qalamoun-2015-05-13.txt
CHECK_OPTIONS ?=

.PHONY: demo test test-unit lint bench clean

# The runtime and the dev tools; `make test` adds the training extra (torch), which the tests that train need.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-train: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,train]'
	touch $@

demo: $(VENV)/.installed
	@articles=$$($(BIN)/twosource index stats --json 2>/dev/null | $(BIN)/python -c 'import json,sys; print(json.load(sys.stdin)["articles"])' 2>/dev/null || echo 0); \
	if [ "$$articles" = "0" ]; then \
		echo "The index is empty: ingesting $(CORPUS)"; \
		$(BIN)/twosource ingest $(CORPUS) $(CORPUS_OPTIONS) || [ $$? -eq 1 ]; \
	else echo "The index holds $$articles articles; checking against it."; fi
	$(BIN)/twosource check $(ARTICLE) $(CHECK_OPTIONS)

test: $(VENV)/.installed-train
	$(BIN)/pytest -q

# The unit tier alone: hand-built inputs, no servers, no models to load; seconds.
test-unit: $(VENV)/.installed
	$(BIN)/pytest -q tests/unit

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests bench

bench: $(VENV)/.installed
	$(BIN)/python bench/bench_pipeline.py
	$(BIN)/python bench/bench_stance.py
	$(BIN)/python bench/bench_claims.py
	$(BIN)/python bench/bench_serve.py
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_copies.py

clean:
	rm -rf $(VENV) build *.egg-info
