# Two commands for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# The browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
CHROMIUM := /usr/bin/chromium
# The desktop client's tests open real Tk windows on a virtual screen.
XVFB := /usr/bin/Xvfb
# The reverse-proxy test runs Debian's nginx with docs/nginx.conf.
NGINX := /usr/sbin/nginx
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The store's tests also run on a private PostgreSQL server, from Debian's package: its
# binaries (any version, 15 on Debian 12), or the rule that installs them when missing.
POSTGRES := $(or $(firstword $(wildcard /usr/lib/postgresql/*/bin/postgres)),postgresql-package)
# The tests of several server processes share live events over a private Redis server.
REDIS := /usr/bin/redis-server
# The IRC client test drives Debian's irssi in tmux.
IRSSI := /usr/bin/irssi
# `hubbub bench --against inspircd` runs the same load on Debian's InspIRCd 3; its tests too.
INSPIRCD := /usr/sbin/inspircd
# The IRC conformance suite irctest lives in ../shared (read-only); its requirements are on PyPI.
IRCTEST_STAMP := $(VENV)/.installed-irctest
# The browser tests check accessibility with axe-core, from the npm registry (pinned).
AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: run test lint clean postgresql-package

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		chromium fonts-dejavu-core

$(XVFB):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		xvfb xauth

postgresql-package:
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		postgresql

$(NGINX):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx

$(REDIS):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		redis-server

$(IRSSI):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		irssi tmux

$(INSPIRCD):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends inspircd

$(IRCTEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -r ../shared/irctest/requirements.txt pytest-timeout
	touch $@

$(AXE): tests/browser/package.json tests/browser/package-lock.json
	command -v npm >/dev/null || { $(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm; }
	npm ci --prefix tests/browser --no-audit --no-fund
	touch $@

run: $(STAMP)
	$(BIN)/hubbub serve

test: $(TEST_STAMP) $(CHROMIUM) $(XVFB) $(NGINX) $(AXE) $(POSTGRES) $(REDIS) $(IRSSI) $(INSPIRCD) \
		$(IRCTEST_STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy src
	$(BIN)/python -m pytest -q

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) .hubbub .pytest_cache .mypy_cache .ruff_cache tests/browser/node_modules
