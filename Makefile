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
# The version go.mod requires for the generated code's helpers.
VTPROTO_VERSION       := v0.6.1-0.20240319094008-0393e58bdf10
# The packages whose messages also get codecs without reflection (a package
# added here is added to store/codec_test.go's generatedCodecFiles too).
VTPROTO_PATHS         := ledgerd/wallet

export CGO_ENABLED = 1

.PHONY: build wasm chromium console-timing run test test-short test-iavl race lint bench fuzz proto clean devnet-reset localnet localnet-stop \
	docker-image localnet-docker localnet-docker-stop bench-net bench-rpc e2e reliability

## build: the ledgerd binary with cgo (libsecp256k1), at build/ledgerd, embedding the console's verifier (wasm)
build: wasm
	$(GO) build -ldflags '$(LDFLAGS)' -o $(LEDGERD) ./cmd/ledgerd

CONSOLE_STATIC := client/console/static

## wasm: the auditor console's verifier (client/console/wasm) compiled to WebAssembly, with the Go installation's wasm_exec.js, into client/console/static for the build to embed
wasm:
	GOOS=js GOARCH=wasm CGO_ENABLED=0 $(GO) build -trimpath -ldflags='-s -w' -o $(CONSOLE_STATIC)/console.wasm ./client/console/wasm
	@root=$$($(GO) env GOROOT); f=$$root/lib/wasm/wasm_exec.js; [ -f $$f ] || f=$$root/misc/wasm/wasm_exec.js; cp $$f $(CONSOLE_STATIC)/wasm_exec.js

## chromium: install Debian's chromium (and a Chinese font) for the console's browser tests, if missing
chromium:
	@scripts/chromium.sh >/dev/null

## console-timing: how long the console's wallet page takes to verify and render a 10,000-entry history in headless Chromium
console-timing: wasm chromium
	@scripts/console-timing.sh

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

LOCALNET_DOCKER  ?= .localnet-docker
# Published ports from here, as the process localnet's (26700 runs beside it).
DOCKER_BASE_PORT ?= 26600
# docker-compose (v1, or v2 standalone), else the docker compose plugin.
COMPOSE ?= $(shell command -v docker-compose >/dev/null 2>&1 && echo docker-compose || echo docker compose)

## docker-image: ledgerd statically linked with cgo (libsecp256k1) in a FROM-scratch image, ledgerd:VERSION and ledgerd:latest; pulls nothing
docker-image: wasm
	VERSION=$(VERSION) COMMIT=$(COMMIT) scripts/docker-image.sh $(BUILD)/docker ledgerd:$(VERSION) ledgerd:latest

## localnet-docker: generate (first time) a VALIDATORS-bank network of containers in ./.localnet-docker and start it with compose
localnet-docker: build docker-image
	@[ -d $(LOCALNET_DOCKER)/node0 ] || $(LEDGERD) testnet init --docker --validators $(VALIDATORS) --base-port $(DOCKER_BASE_PORT) --output $(LOCALNET_DOCKER)
	$(COMPOSE) -f $(LOCALNET_DOCKER)/docker-compose.yml up -d

## localnet-docker-stop: stop and remove the localnet's containers; the chain stays in ./.localnet-docker for the next start
localnet-docker-stop:
	$(COMPOSE) -f $(LOCALNET_DOCKER)/docker-compose.yml down

## test: lint, every package's tests (the console's in headless Chromium), and a short fuzz of the tx decoders
test: lint wasm chromium test-iavl
	$(GO) test -timeout 12m ./...
	$(GO) test -run '^$$' -fuzz '^FuzzDecodeTx$$' -fuzztime 10000x ./app/
	$(GO) test -run '^$$' -fuzz '^FuzzCheckTx$$' -fuzztime 10000x ./app/

## lint: gofmt, go vet, and the determinism analyzer (tools/detlint) over x/ and app/
lint:
	@scripts/lint.sh

# Left out: the migration tests, which need upstream's cmd/legacydump (the
# module does not ship it), and the three that write one MutableTree from
# many goroutines at once, which its doc comment forbids: upstream's copies
# survived that, the in-place patch does not (third_party/iavl/LEDGERD.md).
IAVL_SKIP := TestLazySet|TestLegacyReferenceNode|TestDeleteVersions|TestPruning|TestRandomSet|TestIterateConcurrency|TestIteratorConcurrency|TestNewIteratorConcurrency

## test-iavl: the tests of the patched IAVL in third_party/iavl (a module of its own, which ./... leaves out): upstream's and the patch's
test-iavl:
	cd third_party/iavl && $(GO) test -timeout 10m -skip '$(IAVL_SKIP)' ./...

## bench: in-process benchmark of signed transfers through FinalizeBlock and Commit
bench: build
	$(GO) run -ldflags '$(LDFLAGS)' ./cmd/ledgerd-bench $(BENCHFLAGS)

## bench-net: saturation throughput and latency of a 4-validator network (Docker if available, else processes); MODE, RATES, WALLETS, DURATION scale it
bench-net: build
	@scripts/bench-net.sh $(LEDGERD)

## bench-rpc: one node's committed tx/s over RPC against CometBFT's stock kvstore, same client and settings; RUNS, DURATION, WORKERS, BATCH, WALLETS, TXS, PROFILE scale it
bench-rpc: build
	@scripts/bench-rpc.sh $(LEDGERD)

E2E_DURATION  ?= 10m
E2E_SCHEDULES ?= 1

## e2e: E2E_SCHEDULES (default 1) randomized fault schedules under load, each for E2E_DURATION (default 10m) on a fresh network; the seed is printed, E2E_SEED replays it
e2e:
	E2E=1 E2E_DURATION=$(E2E_DURATION) E2E_SCHEDULES=$(E2E_SCHEDULES) $(GO) test -count=1 -v -run '^TestE2E$$' -timeout 0 ./testnet/

CRASH_KILLS       ?= 1000
DETERMINISM_SEEDS ?= 50
DETERMINISM_RUNS  ?= 3

## race: the concurrency tests (queries, CheckTx and the peer filter beside block execution; readers of saved IAVL versions beside writes; the node log's readers beside its writer; streamed batches; the parallel working hash and the hashing behind a block's writes; trees sharing an encoded node cache) under the race detector; a few minutes, most of it compiling
race:
	$(GO) test -count=1 -race -run 'Concurrent|DuringFirstBlock|StreamingBatch|InTheBackground|InFlightSync|HashBehind|ChunkInFlight' ./app/ ./store/...
	cd third_party/iavl && $(GO) test -count=1 -race -run 'ReadersOfSavedVersions|ParallelWorkingHash|HashBehind|SharedByTreesAtOnce|SavedNodesInReusedArrays|WriteFailureStopsTheEncoder|EncodeFailureStopsTheWrites' .

## reliability: the long runs of docs/reliability.md: determinism (DETERMINISM_SEEDS x DETERMINISM_RUNS), CRASH_KILLS SIGKILLs, E2E_SCHEDULES fault schedules, every fuzz target for FUZZTIME; hours with the defaults there
reliability:
	DETERMINISM_SEEDS=$(DETERMINISM_SEEDS) DETERMINISM_RUNS=$(DETERMINISM_RUNS) $(GO) test -count=1 -v -run '^TestDeterminism$$' -timeout 0 ./app/
	CRASH_KILLS=$(CRASH_KILLS) $(GO) test -count=1 -v -run '^TestCrashUnderLoad$$' -timeout 0 ./testnet/
	$(MAKE) race
	$(MAKE) e2e
	$(MAKE) fuzz

## fuzz: run every fuzz target of every package for FUZZTIME each (default 1m; docs/reliability.md runs 10m), FUZZPARALLEL processes per target (default: every core)
fuzz:
	@GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

## proto: regenerate Go code from proto/ with the pinned buf, protoc-gen-go and (for VTPROTO_PATHS) protoc-gen-go-vtproto
proto: $(TOOLS)/buf $(TOOLS)/protoc-gen-go $(TOOLS)/protoc-gen-go-vtproto
	cd proto && PATH="$(TOOLS):$$PATH" buf lint && PATH="$(TOOLS):$$PATH" buf generate
	cd proto && PATH="$(TOOLS):$$PATH" buf generate --template buf.gen.vtproto.yaml $(addprefix --path ,$(VTPROTO_PATHS))

$(TOOLS)/buf:
	GOBIN=$(TOOLS) $(GO) install github.com/bufbuild/buf/cmd/buf@$(BUF_VERSION)

$(TOOLS)/protoc-gen-go:
	GOBIN=$(TOOLS) $(GO) install google.golang.org/protobuf/cmd/protoc-gen-go@$(PROTOC_GEN_GO_VERSION)

$(TOOLS)/protoc-gen-go-vtproto:
	GOBIN=$(TOOLS) $(GO) install github.com/planetscale/vtprotobuf/cmd/protoc-gen-go-vtproto@$(VTPROTO_VERSION)

clean:
	rm -rf $(BUILD)
