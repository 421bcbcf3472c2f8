.ONESHELL:
SHELL := /bin/bash
export PIP_DISABLE_PIP_VERSION_CHECK = 1

setup:
	python3 -m venv venv
	source venv/bin/activate
	pip install -r requirements.txt

tools:
	pip install pre-commit  # expect: VG305
