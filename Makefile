# make demo : install into .venv and run the four SPOS steps on digits
# make test : install into .venv (with test deps) and run the test suite
# make test-reverse : the same with the test files in reverse order
# make lint : flake8, isort and yapf as OpenMMLab sets them (setup.cfg)
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# the CPU wheel that this project is tested with; on a GPU machine install
# your CUDA build of torch into the venv first, it is kept if it satisfies
# requirements.txt
TORCH ?= torch==2.13.0
STAMP := $(VENV)/.mmnas-installed
TEST_STAMP := $(VENV)/.mmnas-test-installed
LINT_STAMP := $(VENV)/.mmnas-lint-installed
LINT_PATHS := mmnas tools tests benchmarks configs setup.py

.PHONY: install demo test test-reverse lint clean-demo

$(STAMP): requirements.txt setup.py
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip wheel 'setuptools<81'
	$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install -q '$(TORCH)'
	$(PY) -m pip install -q -e .
	touch $@

$(TEST_STAMP): $(STAMP) requirements/tests.txt
	$(PY) -m pip install -q -r requirements/tests.txt
	touch $@

$(LINT_STAMP): requirements/lint.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements/lint.txt
	touch $@

install: $(STAMP)

demo: $(STAMP)
	PYTHON=$(PY) bash tools/run_demo.sh

test: $(TEST_STAMP)
	$(PY) -m pytest -q tests

test-reverse: $(TEST_STAMP)
	$(PY) -m pytest -q $$(find tests -name 'test_*.py' | sort -r)

lint: $(LINT_STAMP)
	$(PY) -m flake8 $(LINT_PATHS)
	$(PY) -m isort --check-only --diff $(LINT_PATHS)
	$(PY) -m yapf --recursive --diff $(LINT_PATHS)

clean-demo:
	rm -rf work_dirs/demo
