#!/bin/sh
# bench-rpc: one ledgerd node's committed transactions per second over RPC
# against CometBFT's stock kvstore, with the same client and the same
# CometBFT settings (package testnet/benchrpc). It builds cometbft at the
# version go.mod pins and the load client, then runs both nodes in turn,
# RUNS times, and prints both committed rates and their ratio.
#
#   scripts/bench-rpc.sh build/ledgerd
#   RUNS=3 DURATION=30s WORKERS=64 scripts/bench-rpc.sh build/ledgerd
#   PROFILE=1 scripts/bench-rpc.sh build/ledgerd   # CPU profiles in build/bench-rpc/profiles
#
# Settings, from the environment (defaults in testnet/benchrpc/cmd/benchrpc):
#   DURATION, WARMUP     timed window (20s) after a warm-up (5s)
#   WORKERS, BATCH       concurrent senders (128), transactions per request (1)
#   WALLETS, TXS         ledgerd payers opened in genesis (3000), transfers each (50)
#   RUNS                 runs of both nodes, in turn (1)
#   PROFILE=1            CPU profile of each node during the window
#   OUTPUT=json          figures as JSON
#   TIMEOUT_COMMIT, MEMPOOL_SIZE, RECHECK, INDEXER   both nodes' CometBFT settings
#   APP_MEMPOOL=true     ledgerd keeps its own mempool (default: CometBFT's flood, as the kvstore)
#   LEDGERD_ARGS         extra `ledgerd start` flags, e.g. --history.enabled=false
set -eu
LEDGERD=$1
TOOLS=${TOOLS:-build/tools}
DIR=${BENCHRPC_DIR:-build/bench-rpc}

mkdir -p "$TOOLS"
echo "bench-rpc: building cometbft $(go list -m -f '{{.Version}}' github.com/cometbft/cometbft) and the load client" >&2
go build -o "$TOOLS/cometbft" github.com/cometbft/cometbft/cmd/cometbft
CGO_ENABLED=1 go build -o "$TOOLS/benchrpc" ./testnet/benchrpc/cmd/benchrpc

ARGS=""
opt() { # opt FLAG VALUE: add -FLAG=VALUE if VALUE is set
	if [ -n "$2" ]; then ARGS="$ARGS -$1=$2"; fi
}
opt duration "${DURATION:-}"
opt warmup "${WARMUP:-}"
opt workers "${WORKERS:-}"
opt batch "${BATCH:-}"
opt wallets "${WALLETS:-}"
opt txs "${TXS:-}"
opt runs "${RUNS:-}"
opt timeout-commit "${TIMEOUT_COMMIT:-}"
opt mempool-size "${MEMPOOL_SIZE:-}"
opt recheck "${RECHECK:-}"
opt app-mempool "${APP_MEMPOOL:-}"
opt indexer "${INDEXER:-}"
opt o "${OUTPUT:-}"
if [ "${PROFILE:-0}" != 0 ]; then ARGS="$ARGS -profile"; fi
# shellcheck disable=SC2086 # ARGS holds flags without spaces
exec "$TOOLS/benchrpc" -ledgerd "$LEDGERD" -cometbft "$TOOLS/cometbft" -dir "$DIR" $ARGS -ledgerd-args "${LEDGERD_ARGS:-}"
