# Every target sets up what it needs: a fresh clone needs only Python 3.11+ and Go.
# Setup is idempotent: nothing is reinstalled unless pyproject.toml changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
TOXIPROXY := $(BIN)/toxiproxy-server
TOXIPROXY_VERSION := v2.12.0

.PHONY: setup run lint test test-browser chromium test-docker bench bench-quick gate-power clean

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

# Lint and format are part of the tests: a style error fails `make test`.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# One pytest worker per core (pytest-xdist): each worker starts its own Postgres, Toxiproxy
# and services on free ports under its own temporary folder. TEST_WORKERS=0 runs in-process.
TEST_WORKERS ?= $(shell nproc 2>/dev/null || echo 1)

test: lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

# The HTML reports in headless Chromium (Debian's package): charts render, hover and zoom
# work, no console error, no network request; screenshots land in docs/.
test-browser: setup chromium
	GAUNTLET_BROWSER_TESTS=1 $(BIN)/python -m pytest -q tests/browser

chromium:
	@command -v chromium >/dev/null || { apt-get update && apt-get install -y chromium; }

# The container paths on a real engine: installs docker.io and debootstrap, starts dockerd
# and builds the images, each only if missing, then runs the docker-marked tests.
test-docker: setup
	tests/docker/prepare.sh $(TOXIPROXY)
	$(BIN)/python -m pytest -q -m docker tests/docker

# Every benchmark in bench/: each prints its ratios, measured side by side in one run, one
# per line, and writes bench/results/*.json. The fuzzer runs a tenth of its default cases.
bench: setup
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/latency_floor.py
	$(BIN)/python bench/service.py
	$(BIN)/python bench/load_overhead.py
	$(BIN)/python bench/slo_eval.py
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/client_cost.py
	$(BIN)/python bench/audit_backlog.py
	$(BIN)/python bench/validator_cost.py
	$(BIN)/python bench/validator_fuzz.py --cases 10000 --jobs 2

# Every benchmark with --quick (tiny sizes, one or two rounds, no results file): a check that
# each still runs against today's code, not a measurement. Every bench/*.py is found, except
# the two that run whole suites. `make test` runs the same (tests/bench/test_benchmarks_run.py).
BENCH_QUICK := $(filter-out bench/gate_power.py bench/verdict_stability.py,$(sort $(wildcard bench/*.py)))

bench-quick: setup
	@set -e; for script in $(BENCH_QUICK); do echo "== $$script --quick"; $(BIN)/python $$script --quick; done

# The core suite against the clean orchestrator and against each deliberately broken
# build of bench/mutants/ (one defect at a time): writes bench/results/gate_power.json.
gate-power: setup
	$(BIN)/python bench/gate_power.py

clean:
	rm -rf $(VENV) reports .pytest_cache
