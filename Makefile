# qingshan — `make run` and `make test` are the whole set-up (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.9
BUF_VERSION := 1.75.0
TOOLS := .cache/tools
UV := $(TOOLS)/bin/uv
BUF := .cache/npm/node_modules/.bin/buf
VENV := .venv
PY := $(VENV)/bin/python
STACK := $(PYTHON) deploy/local/stack.py
SERVICES := $(PYTHON) deploy/local/services.py
PROTO_FILES := $(shell find proto -name '*.proto')
PROTO_STAMP := libs/contracts/src/qingshan/.generated
PYTEST_ARGS ?=
CHROMIUM := /usr/bin/chromium
CONSOLE_ASSETS := services/console/node_modules/.installed
# `make test` runs against its own servers; TEST_PROFILE=ci picks yet other ports and data, so
# a second checkout can run its suite while another one's test servers are in use.
TEST_PROFILE ?= test
export QINGSHAN_TEST_PROFILE := $(TEST_PROFILE)
KUSTOMIZE_VERSION := v5.8.1
KUSTOMIZE := .cache/kustomize-$(KUSTOMIZE_VERSION)/kustomize
DOCKERFILE_LINT_SRC := $(wildcard deploy/k8s/dockerfile-lint/*.go) deploy/k8s/dockerfile-lint/go.mod deploy/k8s/dockerfile-lint/go.sum
DOCKERFILE_LINT := .cache/dockerfile-lint/dockerfile-lint

export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: help install browser proto infra run stop test test-unit lint token clean wipe bench faults fuzz k8s k8s-kustomize

help:
	@echo "make run     install everything, start Kafka, FerretDB, Keycloak and the four services"
	@echo "make stop    stop them"
	@echo "make test    install everything, run the whole suite against servers it starts"
	@echo "make lint    ruff, mypy, import-linter, buf lint, buf breaking against main~1"
	@echo "make bench   figures beside their baselines (own stack), bench/results.json"
	@echo "make faults  kill -9 broker and services, stop the store, under load; counts"
	@echo "make fuzz    schemathesis against every service's OpenAPI"
	@echo "make token ROLE=operator [UNIT=town-01]   a real token from the local Keycloak"
	@echo "make token ROLE=supervisor SUB=duty-lead   a development token for a person of the directory"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) uv.lock pyproject.toml $(wildcard libs/*/pyproject.toml services/*/pyproject.toml)
	$(UV) sync --frozen --all-packages --python $(PYTHON)
	@touch $@

install: $(VENV)/.synced proto browser $(CONSOLE_ASSETS)

# The browser the browser tests drive: Debian's chromium package (never a browser download),
# plus a font with Chinese glyphs for the pages and their screenshots. apt-get needs root (CI
# runs as root); a machine that has both already is left alone.
browser:
	@if [ ! -x $(CHROMIUM) ] || ! { command -v fc-list >/dev/null && fc-list :lang=zh | grep -q .; }; then \
		echo "make install: $(CHROMIUM) or a Chinese font is missing; installing Debian's chromium and fonts-wqy-microhei with apt-get"; \
		mkdir -p .cache; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			--no-install-recommends chromium fonts-wqy-microhei; } >.cache/apt-browser.log 2>&1 \
			|| { tail -30 .cache/apt-browser.log; exit 1; }; \
		echo "make install: $$($(CHROMIUM) --version) installed"; \
	fi

# The console's front-end packages (htmx, ECharts, Leaflet, axe-core) exactly as its
# package-lock.json pins them; the console serves them itself (an intranet has no CDN).
$(CONSOLE_ASSETS): services/console/package.json services/console/package-lock.json
	npm ci --silent --no-audit --no-fund --prefix services/console
	@touch $@

# Python code generated from proto/, never committed (libs/contracts/src/qingshan is ignored).
# Generated into a fresh directory and swapped in, so a running process never sees it half-made.
$(PROTO_STAMP): $(VENV)/.synced $(PROTO_FILES)
	rm -rf libs/contracts/.gen && mkdir -p libs/contracts/.gen libs/contracts/src
	$(PY) -m grpc_tools.protoc -I proto --python_out=libs/contracts/.gen \
		--pyi_out=libs/contracts/.gen --grpc_python_out=libs/contracts/.gen $(PROTO_FILES)
	rm -rf libs/contracts/src/qingshan.old
	if [ -d libs/contracts/src/qingshan ]; then mv libs/contracts/src/qingshan libs/contracts/src/qingshan.old; fi
	mv libs/contracts/.gen/qingshan libs/contracts/src/qingshan
	rm -rf libs/contracts/src/qingshan.old libs/contracts/.gen
	@touch $@

proto: $(PROTO_STAMP)

infra:
	$(STACK) fetch

run: install infra
	$(STACK) up
	$(SERVICES) up

stop:
	-$(SERVICES) down
	$(STACK) down

wipe: stop
	$(STACK) wipe

test-unit: install
	$(PY) -m pytest -m unit -q $(PYTEST_ARGS)

# The whole suite against a Kafka broker and FerretDB started for it (own ports, own data),
# stopped afterwards whatever the outcome.
test: install infra
	@$(STACK) versions
	@status=0; \
	$(STACK) --profile $(TEST_PROFILE) wipe && $(STACK) --profile $(TEST_PROFILE) up || status=$$?; \
	if [ $$status -eq 0 ]; then \
		eval "$$($(STACK) --profile $(TEST_PROFILE) env | sed 's/^QINGSHAN_/export QINGSHAN_TEST_/')"; \
		$(PY) -m pytest -q $(PYTEST_ARGS) || status=$$?; \
	fi; \
	$(SERVICES) --profile $(TEST_PROFILE) down >/dev/null 2>&1; \
	$(STACK) --profile $(TEST_PROFILE) down; \
	$(STACK) versions; \
	exit $$status

$(BUF):
	npm install --silent --prefix .cache/npm "@bufbuild/buf@$(BUF_VERSION)"

# The previous commit of main, as buf reads it: through the repository's own git directory (a
# worktree's .git is a file), so it works in a fresh clone and in a worktree alike.
GIT_COMMON_DIR = $(shell git rev-parse --path-format=absolute --git-common-dir)
BUF_AGAINST = $(GIT_COMMON_DIR)\#branch=main,ref=HEAD~1,subdir=proto

# ruff (style, complexity and statement counts), mypy on the pure layers, the layer contracts
# (import-linter, pyproject.toml), buf lint, and buf breaking against the previous commit of main.
lint: install $(BUF)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy libs/core/src/qingshan_core \
		$(wildcard services/*/src/*/domain) $(wildcard services/*/src/*/service_layer)
	$(VENV)/bin/lint-imports
	cd proto && ../$(BUF) lint
	$(BUF) breaking proto --against '$(BUF_AGAINST)'

# Figures beside their baselines, from a stack of its own (see bench/run.py); never asserted.
bench: install infra
	$(PY) -m bench.run $(BENCH_ARGS)

# The fault suite (see faults/run.py): kill -9 the broker and services, stop the store, under a
# steady intake load, on a stack of its own (profile faults), stopped at the end whatever happens.
faults: install infra
	$(PY) -m faults.run $(FAULTS_ARGS)

# API fuzzing (tests/fuzz/run_fuzz.py): schemathesis against every service's OpenAPI, in process,
# on the test servers; starts them if none is running (and then stops them again).
fuzz: install infra
	@started=; \
	$(STACK) --profile $(TEST_PROFILE) status | grep -q running || started=1; \
	status=0; \
	$(STACK) --profile $(TEST_PROFILE) up || status=$$?; \
	if [ $$status -eq 0 ]; then \
		eval "$$($(STACK) --profile $(TEST_PROFILE) env | sed 's/^QINGSHAN_/export QINGSHAN_TEST_/')"; \
		$(PY) tests/fuzz/run_fuzz.py $(FUZZ_ARGS) || status=$$?; \
	fi; \
	if [ -n "$$started" ]; then $(STACK) --profile $(TEST_PROFILE) down; fi; \
	exit $$status

# A real access token from the local Keycloak (`make run` started it): the role's demo user,
# or for `integration` a service account by client credentials (deploy/local/idp.py). With SUB=,
# a development token (HS256, accepted by the development profile only) for that subject: the
# demo bureau's people (duty-lead, town-01-head ...) have inboxes but no Keycloak account.
token:
	@if [ -n "$(SUB)" ]; then \
		$(PY) -m qingshan_core.token --role "$(ROLE)" $(if $(UNIT),--unit "$(UNIT)") --sub "$(SUB)"; \
	else \
		$(STACK) token --role "$(ROLE)" $(if $(UNIT),--unit "$(UNIT)"); \
	fi

clean:
	rm -rf $(VENV) libs/contracts/src/qingshan .pytest_cache .mypy_cache .ruff_cache

# Kubernetes deployment (deploy/k8s): lint the service Dockerfiles, build every overlay with the
# pinned kustomize and validate what it renders (deploy/k8s/validate.py). Uses the venv as it
# is (make install creates it); never syncs it.
$(KUSTOMIZE):
	GOBIN=$(CURDIR)/$(dir $(KUSTOMIZE)) go install sigs.k8s.io/kustomize/kustomize/v5@$(KUSTOMIZE_VERSION)

# BuildKit's Dockerfile parser and linter, built from the pinned module in deploy/k8s/dockerfile-lint.
$(DOCKERFILE_LINT): $(DOCKERFILE_LINT_SRC)
	cd deploy/k8s/dockerfile-lint && go build -o $(CURDIR)/$(DOCKERFILE_LINT) .

k8s: $(KUSTOMIZE) $(DOCKERFILE_LINT)
	@test -x $(PY) || { echo "make k8s: no $(PY) yet, run make install first" >&2; exit 1; }
	$(DOCKERFILE_LINT) services/Dockerfile services/console/Dockerfile
	$(PY) deploy/k8s/validate.py --kustomize $(KUSTOMIZE)

# Prints the pinned kustomize's path, installing it first if needed (used by tests/k8s).
k8s-kustomize: $(KUSTOMIZE)
	@echo $(CURDIR)/$(KUSTOMIZE)
