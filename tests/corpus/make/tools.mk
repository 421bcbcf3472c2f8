# Included by the main Makefile: helper targets.
PYTHON := $(shell which python3)
PY3 ?= $(shell command -v python3 2>/dev/null)
SYSTEM_PIP := $(shell command -v pip3 || command -v pip)
VENV_DIR := build/venv

.PHONY: tools lint-tools docs-tools system-tools

tools:
	$(PYTHON) -m pip install --user pre-commit  # expect: VG302

lint-tools:
	$(PY3) -m pip install --break-system-packages ruff  # expect: VG303

system-tools:
	$(SYSTEM_PIP) install --user twine  # expect: VG302

docs-tools: PIP_FLAGS = --user
docs-tools:
	$(PYTHON) -m pip install $(PIP_FLAGS) sphinx  # expect: VG302

release: export PIP_BREAK_SYSTEM_PACKAGES = 1
release:
	pip install build twine  # expect: VG303

venv-tools: PYTHON = $(VENV_DIR)/bin/python
venv-tools:
	python3 -m venv $(VENV_DIR)
	$(PYTHON) -m pip install nox

clean-tools:
	$(PYTHON) -m pip uninstall -y pre-commit sphinx
