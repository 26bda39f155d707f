# otelcol-aiops — every entry point a developer or CI needs. `make help` lists them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

GO        ?= go
TOOLS_MOD := internal/tools/tools.mod
TOOLS_BIN := $(CURDIR)/.tools/bin
OCB       := $(TOOLS_BIN)/builder
MDATAGEN  := $(TOOLS_BIN)/mdatagen
GOLANGCI  := $(TOOLS_BIN)/golangci-lint
GOLANGCI_VERSION := v2.15.0

BIN       := bin/otelcol-aiops
DIST_SRC  := $(wildcard cmd/otelcol-aiops/*.go)
CONFIGS   := $(wildcard configs/*.yaml)
# Packages for go vet; unit tests and benchmarks skip the generated main package, which
# `build` compiles and the integration tests exercise (a -race build of the whole
# distribution would double CI time for no test). Integration tests sit behind a build tag.
PKGS      := ./...
UNIT_PKGS  = $(shell $(GO) list ./... | grep -v '/cmd/otelcol-aiops$$')

export PATH := $(TOOLS_BIN):$(PATH)
# The distribution is pure Go (sqlite included), so the binary is static and portable.
export CGO_ENABLED ?= 0

.PHONY: help
help: ## list targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

# ---- tools: pinned in internal/tools/tools.mod (a modfile, not a second module) ----
$(OCB) $(MDATAGEN): $(TOOLS_MOD)
	@mkdir -p $(TOOLS_BIN)
	$(GO) build -modfile=$(TOOLS_MOD) -o $@ $(if $(filter $(OCB),$@),go.opentelemetry.io/collector/cmd/builder,go.opentelemetry.io/collector/cmd/mdatagen)

$(GOLANGCI):
	@mkdir -p $(TOOLS_BIN)
	GOBIN=$(TOOLS_BIN) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)

.PHONY: tools
tools: $(OCB) $(MDATAGEN) ## install the pinned code generators into .tools/bin

# ---- generation ----
.PHONY: generate
generate: system-deps $(OCB) $(MDATAGEN) ## regenerate mdatagen code, the ocb distribution sources and go.mod
	$(GO) generate ./...
	scripts/generate-distribution.sh $(OCB)

# System packages (gcc, clang/llvm/libbpf-dev, PostgreSQL): installed when missing and root.
.PHONY: system-deps
system-deps:
	scripts/ci-deps.sh

.PHONY: check-generated
check-generated: system-deps $(OCB) $(MDATAGEN) ## fail if any generated file differs from what `make generate` writes
	scripts/check-generated.sh

# ---- build and run ----
$(BIN): go.mod go.sum $(DIST_SRC) $(shell find . -name '*.go' -not -path './.tools/*' -not -path './integration/*' -not -name '*_test.go') | $(OCB)
	$(GO) build -trimpath -ldflags='-s -w' -o $@ ./cmd/otelcol-aiops

.PHONY: build
build: $(BIN) ## build bin/otelcol-aiops from the committed ocb output (installs the pinned ocb if missing)

.PHONY: run
run: build data/api-token ## build and run the collector on configs/quickstart.yaml (monitors this machine)
	./$(BIN) --config configs/quickstart.yaml

# The incident API's bearer token for the quickstart: random, created once, readable by you only.
data/api-token:
	@mkdir -p data
	@umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' >$@
	@echo "incident API token written to $@ (curl -H \"Authorization: Bearer \$$(cat $@)\" localhost:8089/api/v1/incidents)"

.PHONY: demo
demo: build ## replay a generated alert storm into the quickstart collector and show the incident it becomes
	scripts/demo.sh ./$(BIN)

# ---- tests ----
.PHONY: test
test: check-generated unit validate-configs integration ## everything CI runs: generated-code check, unit tests with -race, config validation, integration tests

.PHONY: unit
unit: ## unit and component tests with the race detector
	CGO_ENABLED=1 $(GO) test -race -count=1 $(UNIT_PKGS)

.PHONY: validate-configs
validate-configs: build ## `otelcol-aiops validate` on every file in configs/
	@set -a; . configs/validate.env; set +a; \
	for f in $(CONFIGS); do echo "validate $$f"; ./$(BIN) validate --config "$$f"; done

.PHONY: integration
integration: build ## start the built binary on loopback and assert on what comes out
	OTELCOL_AIOPS_BIN=$(CURDIR)/$(BIN) $(GO) test -tags integration -count=1 -timeout 20m ./integration/...

.PHONY: bench
bench: ## Go benchmarks of every package (see docs/benchmarks.md for the recorded figures)
	$(GO) test -run '^$$' -bench . -benchmem $(UNIT_PKGS)

.PHONY: lint
lint: $(GOLANGCI) ## gofmt, go vet and golangci-lint
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)
	$(GOLANGCI) run $(PKGS)

.PHONY: clean
clean: ## remove build outputs (not the tools)
	rm -rf bin
