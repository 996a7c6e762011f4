# exitflow: `make run` brings up a local stack with a demo CoC; `make test` runs every test.
SHELL := /bin/bash
GO ?= go
BIN := bin

.PHONY: build test generate
build:
	$(GO) build -o $(BIN)/exitflow ./starter

generate:
	cd internal/store && $(GO) generate .

test:
	$(GO) vet ./...
	$(GO) test -count=1 -p 2 ./...
