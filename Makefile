# GoalGetter. `make run` serves the app on http://localhost:3000; `make test` runs every test.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
TOOLS_BIN := $(CURDIR)/.tools/node_modules/.bin
export PATH := $(TOOLS_BIN):$(PATH)
export REFLEX_CHECK_LATEST_VERSION := 0
export REFLEX_TELEMETRY_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run dev test lint bench install install-dev clean image-test backup restore

run: install  ## the app, production build, one port (3000)
	$(BIN)/reflex run --env prod

dev: install  ## hot reload: pages on :3000, backend on :8000
	$(BIN)/reflex run

test: install-dev  ## the whole suite: lint, unit, integration, browser
	@scripts/ensure-system-packages
	$(BIN)/ruff check goalgetter tests bench
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check goalgetter tests bench
	$(BIN)/ruff format --check goalgetter tests bench

bench: install-dev
	@scripts/ensure-system-packages
	$(BIN)/python -m bench

image-test: install-dev  ## builds the Dockerfile with podman and proves the container (tests/image)
	@scripts/ensure-system-packages
	IMAGE_TEST_REQUIRED=1 $(BIN)/python -m pytest -p no:cacheprovider tests/image

backup: install  ## a consistent copy of the embedded store while the app runs (TO=folder)
	$(BIN)/python -m goalgetter.backup backup $(if $(TO),--to "$(TO)")

restore: install  ## a backup folder into DATA_DIR, app stopped (FROM=folder, FORCE=1)
	@test -n "$(FROM)" || { echo "Usage: make restore FROM=backups/goalgetter-<time> [FORCE=1]" >&2; exit 2; }
	$(BIN)/python -m goalgetter.backup restore "$(FROM)" $(if $(FORCE),--force)

install: $(VENV)/.runtime-installed
	@scripts/ensure-bun

install-dev: install $(VENV)/.dev-installed
	@scripts/ensure-bun --test-tools

$(VENV)/bin/python:
	@python_bin="$$(scripts/find-python)" && \
	echo "Creating $(VENV) with $$python_bin" && \
	"$$python_bin" -m venv $(VENV) && \
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 13))' || \
	  { echo "$(VENV) is not Python 3.13+; remove it (make clean) and retry." >&2; exit 1; }
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

clean:
	rm -rf $(VENV) .tools .web
