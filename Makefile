# exitflow: `make run` brings up a local stack with a demo CoC; `make test` runs every test.
SHELL := /bin/bash
GO ?= go
BIN := bin
# The Temporal CLI (dev server + Web UI) that `make run` builds from source into .data/bin.
TEMPORAL_CLI_VERSION := v1.5.1
# Mailpit (SMTP server with an HTTP API) that `make run` and the notification tests send to, built into .data/bin.
MAILPIT_VERSION := v1.27.11
# Linters, pinned; `go run pkg@version` builds them through the module proxy outside exitflow's go.mod.
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
REVIVE := github.com/mgechev/revive@v1.17.0
# Temporal's determinism analyzer for workflow code (its own module; exit 3 on findings).
WORKFLOWCHECK := go.temporal.io/sdk/contrib/tools/workflowcheck@v0.6.0

.PHONY: build test generate run temporal-cli mailpit bench lint
build:
	$(GO) build -o $(BIN)/exitflow ./starter

generate:
	cd internal/store && $(GO) generate .

test: lint
	$(GO) test -count=1 -p 2 -timeout 14m ./...

# Local stack: PostgreSQL (yours, or a private cluster in .data/pg), Temporal dev server
# (127.0.0.1:7233, Web UI http://127.0.0.1:8233), Mailpit (SMTP 127.0.0.1:1025, API
# http://127.0.0.1:8025/api/v1/messages), demo CoC in .data/demo. Ctrl-C stops it.
# Knobs: make run DEMO=0 | DEMO_HOUSEHOLDS=500 | PG_PORT=5440 | TEMPORAL_UI_PORT=8234
run:
	@GO='$(GO)' TEMPORAL_CLI_VERSION='$(TEMPORAL_CLI_VERSION)' MAILPIT_VERSION='$(MAILPIT_VERSION)' scripts/run.sh

# Builds .data/bin/temporal at TEMPORAL_CLI_VERSION if it is missing or another version.
temporal-cli:
	@GO='$(GO)' TEMPORAL_CLI_VERSION='$(TEMPORAL_CLI_VERSION)' scripts/temporal-cli.sh

# Builds .data/bin/mailpit at MAILPIT_VERSION if it is missing or another version.
mailpit:
	@GO='$(GO)' MAILPIT_VERSION='$(MAILPIT_VERSION)' scripts/mailpit.sh

bench:
	@if [ -d bench ]; then \
		echo "$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 3h ./bench/..."; \
		$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 3h ./bench/...; \
	else echo "make bench: no bench/ folder yet"; fi

# go vet, staticcheck, revive (a doc comment on every exported name), workflowcheck, gofmt.
lint:
	$(GO) vet ./...
	$(GO) run $(WORKFLOWCHECK) ./workflows/...
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(REVIVE) -config .revive.toml -set_exit_status ./...
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.data/*' -not -path './vendor/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change these files (run gofmt -w):"; echo "$$out"; exit 1; fi
