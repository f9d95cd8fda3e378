# Two commands do everything on a fresh machine (see README.md):
#   make demo   set up and start the tool on its embedded defaults with the built-in demo platform
#   make test   set up and run the test-suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup browser axe

$(BIN)/lti-tool: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/lti-tool

# Headless Chromium drives the page tests (Debian package; installed when root can install it).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "chromium is not installed: the browser tests will be skipped (apt-get install chromium)"; fi; }

# axe-core (npm) checks the pages' accessibility in the browser tests.
AXE := node_modules/axe-core/axe.min.js
axe:
	@test -f $(AXE) || { command -v npm >/dev/null 2>&1 && npm install --no-audit --no-fund --no-save --silent axe-core@4 \
	  || echo "npm is not installed: the accessibility checks will be skipped"; }

demo: setup
	$(BIN)/lti-tool demo

test: setup browser axe
	$(BIN)/python -m pytest
