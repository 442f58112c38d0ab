# ledgerd build and test entry points. `make run` and `make test` need only Go,
# gcc and git: everything else is installed by these targets.

GO        ?= go
BUILD     := build
TOOLS     := $(CURDIR)/$(BUILD)/tools
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT    ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
LEDGERD   := $(BUILD)/ledgerd
DEVNET    ?= .devnet
FUZZTIME  ?= 1m
BUF_VERSION           := v1.50.0
PROTOC_GEN_GO_VERSION := v1.36.12

export CGO_ENABLED = 1

.PHONY: build run test test-short lint bench fuzz proto clean devnet-reset localnet localnet-stop

## build: the ledgerd binary with cgo (libsecp256k1), at build/ledgerd
build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(LEDGERD) ./cmd/ledgerd

## run: build, create (first time) and start a single-node devnet in ./.devnet
run: build
	@scripts/devnet.sh $(LEDGERD) $(DEVNET)

## devnet-reset: delete the devnet (its chain, keys and state)
devnet-reset:
	rm -rf $(DEVNET)

LOCALNET    ?= .localnet
VALIDATORS  ?= 4

## localnet: generate (first time) and start a VALIDATORS-bank network as processes in ./.localnet
localnet: build
	@[ -d $(LOCALNET)/node0 ] || $(LEDGERD) testnet init --validators $(VALIDATORS) --output $(LOCALNET)
	$(LEDGERD) testnet start $(LOCALNET)

## localnet-stop: stop the localnet's processes
localnet-stop: build
	$(LEDGERD) testnet stop $(LOCALNET)

## test: lint, every package's tests, and a short fuzz of the tx decoders
test: lint
	$(GO) test -timeout 12m ./...
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeTx$$' -fuzztime 10s ./app/
	$(GO) test -run '^$$' -fuzz '^FuzzCheckTx$$' -fuzztime 10s ./app/

## lint: gofmt, go vet, and the determinism check over x/ and app/
lint:
	@scripts/lint.sh

## bench: in-process benchmark of signed transfers through FinalizeBlock and Commit
bench: build
	$(GO) run -ldflags '$(LDFLAGS)' ./cmd/ledgerd-bench $(BENCHFLAGS)

## fuzz: run each fuzz target for FUZZTIME (default 1m)
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeTx$$' -fuzztime $(FUZZTIME) ./app/
	$(GO) test -run '^$$' -fuzz '^FuzzCheckTx$$' -fuzztime $(FUZZTIME) ./app/

## proto: regenerate Go code from proto/ with the pinned buf and protoc-gen-go
proto: $(TOOLS)/buf $(TOOLS)/protoc-gen-go
	cd proto && PATH="$(TOOLS):$$PATH" buf lint && PATH="$(TOOLS):$$PATH" buf generate

$(TOOLS)/buf:
	GOBIN=$(TOOLS) $(GO) install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)

$(TOOLS)/protoc-gen-go:
	GOBIN=$(TOOLS) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)

clean:
	rm -rf $(BUILD)
