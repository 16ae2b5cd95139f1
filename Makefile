# Every target sets up what it needs: a fresh clone needs only Python 3.11+ and Go.
# Setup is idempotent: nothing is reinstalled unless pyproject.toml changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TOXIPROXY := $(BIN)/toxiproxy-server
TOXIPROXY_VERSION := v2.12.0

.PHONY: setup run test bench clean

setup: $(INSTALLED) $(TOXIPROXY)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# The real Toxiproxy server (Go); `go install` names the binary `server`.
$(TOXIPROXY): | $(BIN)/python
	GOBIN=$(abspath $(VENV))/gobin go install github.com/Shopify/toxiproxy/v2/cmd/server@$(TOXIPROXY_VERSION)
	cp $(VENV)/gobin/server $@

run: setup
	$(BIN)/gauntlet run

test: setup
	$(BIN)/python -m pytest -q

# Each prints ratios measured side by side in one run and writes bench/results/*.json.
bench: setup
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/service.py
	$(BIN)/python bench/slo_eval.py

clean:
	rm -rf $(VENV) reports .pytest_cache
