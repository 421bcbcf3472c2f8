# Deployment helpers; settings live at the bottom of the file.
.PHONY: deploy bootstrap agent

deploy:
	$(VENV_PIP) install -r requirements/deploy.txt
	$(HOST_PIP) install --user fabric  # expect: VG302

bootstrap:
	$(ROOT_PIP) install supervisor  # expect: VG301

agent:
	pip install -r requirements/agent.txt  # expect: VG303

VENV_PIP = $(ENV_DIR)/bin/pip
ENV_DIR = .deploy-venv
HOST_PIP = pip3
ROOT_PIP = sudo -H $(HOST_PIP)
PIP_CACHE_DIR = .cache/pip
export PIP_CACHE_DIR
agent: export PIP_BREAK_SYSTEM_PACKAGES = 1
