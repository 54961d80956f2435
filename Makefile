# Courtside: every target sets itself up (venv + pinned requirements) and is a no-op when already up to date.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: help venv demo test up synth lint bench clean layer

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

venv: $(STAMP) ## create .venv and install pinned requirements

demo: $(STAMP) ## run the main job end to end on the embedded local stack
	$(PY) -m courtside.cli demo

test: $(STAMP) ## run the whole test suite
	$(PY) -m pytest -n 2 --dist loadscope

up: $(STAMP) ## run the local stack in the foreground (Ctrl-C stops it)
	$(PY) -m courtside.cli up

layer: $(STAMP) ## build the Lambda dependency layer (manylinux wheels, no Docker)
	$(PY) -m courtside.packaging

synth: $(STAMP) $(NODE_STAMP) layer ## synthesize every CDK stack offline (cdk-nag runs in synth)
	npx aws-cdk synth --quiet

lint: $(STAMP) ## ruff check + format check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

bench: $(STAMP) ## run every benchmark under bench/
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## remove local state and build output
	rm -rf .courtside cdk.out build
