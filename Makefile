# Two commands for a fresh machine: `make demo` and `make test`. Both build .venv first when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(abspath $(VENV))/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed
# nbgrader runs `alembic` through PATH when it creates a gradebook.
export PATH := $(BIN):$(PATH)
ASSIGNMENTS := $(notdir $(wildcard source/*))

.PHONY: setup sandbox release translations student demo test lint grade dataset bench clean

setup: $(STAMP) sandbox

sandbox:  ## bubblewrap, the grading kernels' sandbox: apt-get installs it as root; otherwise says how
	@command -v bwrap >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq bubblewrap >/dev/null 2>&1 || \
	      { apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; }; \
	  else echo "Grading runs student code only in a sandbox: install it with 'sudo apt-get install bubblewrap'."; fi; }

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

release: $(STAMP)  ## regenerate release/ from source/ with nbgrader
	$(PY) -m coursekit.release

translations: $(STAMP)  ## bring locale/ (templates, each language's catalog) up to date with the English notebooks
	$(PY) -m coursekit.i18n update
	@$(PY) -m coursekit.i18n check >/dev/null || echo "Some Markdown cells need a translator: python -m coursekit.i18n check lists them"

student: $(STAMP)  ## JupyterLab as students see it (nbgrader's Validate and Assignment List only): make student [FOLDER=release/a1_numpy_basics]
	JUPYTER_CONFIG_DIR=$(abspath student_mode) $(BIN)/jupyter lab --notebook-dir=$(or $(FOLDER),release)

demo: $(STAMP) sandbox  ## the instructor's job end to end on sample students, in the scratch course demo_course/
	$(PY) -m coursekit.demo

test: $(STAMP) sandbox  ## lint and the whole test suite
	$(BIN)/ruff check .
	$(PY) -m pytest

grade: $(STAMP) sandbox  ## batch-autograde every submission: make grade ASSIGNMENT=a1_numpy_basics
	@[ -n "$(ASSIGNMENT)" ] || { echo "make grade needs the assignment to grade: make grade ASSIGNMENT=<name>," \
	  "with <name> one of: $(ASSIGNMENTS)"; exit 2; }
	$(BIN)/course-grade $(ASSIGNMENT)

dataset: $(STAMP)  ## rebuild the bundled cat / non-cat files
	$(PY) -m coursekit.dataset.synthetic --out datasets --force

bench: $(STAMP)  ## print speed figures (not part of make test)
	$(PY) bench/run_all.py

clean:  ## remove the demo's scratch course and caches; the real course's submissions, gradebook and feedback stay
	rm -rf demo_course .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -not -path "./.venv/*" -prune -exec rm -rf {} +
