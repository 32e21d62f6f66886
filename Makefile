PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean browser postgres readme

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/drillsim run demo --reps 20 --seed 7 --out demo-results --force --report demo-results/report.html

# the report tests open HTML in Debian's Chromium
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y -q chromium || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q chromium; }; }

# the drill-history tests start their own PostgreSQL server from Debian's binaries
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get install -y -q postgresql || { $$SUDO apt-get update -q && $$SUDO apt-get install -y -q postgresql; }; }

test: $(STAMP) browser postgres
	$(BIN)/python -m pytest -n auto

# prints the figures and keeps them in bench.log; tests/benchmarks/readme.py puts them in the README
bench: $(STAMP)
	bash -o pipefail -c '$(BIN)/python -m pytest -q -s tests/benchmarks --override-ini addopts= | tee bench.log'

# rewrite the README's example blocks from the current code (see tests/readme_examples.py)
readme: $(STAMP)
	$(BIN)/python tests/readme_examples.py

# mypy reads drillsim's modules through links laid out as the installed package, so that an
# import of drillsim.sim resolves to sim/ (the editable install's import hook is opaque to it)
TYPES := build/types/drillsim
lint: $(STAMP)
	$(BIN)/ruff check .
	@mkdir -p $(TYPES) && touch $(TYPES)/__init__.py
	@for d in sim scenarios reports drills; do ln -sfn ../../../$$d $(TYPES)/$$d; done
	MYPYPATH=build/types $(BIN)/mypy -p drillsim.sim -p drillsim.scenarios -p drillsim.reports \
	  -p drillsim.drills

clean:
	rm -rf $(VENV) demo-results build *.egg-info bench.log
