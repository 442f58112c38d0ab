#!/bin/sh
# bench-net: the saturation throughput of a 4-validator network, and the
# commit latency at it. It starts a fresh network (in Docker when the image
# can be built and compose runs, else as processes), funds WALLETS wallets,
# sends signed payments at each rate of RATES for DURATION, prints each
# step and the saturation point, and stops the network.
#
#   scripts/bench-net.sh build/ledgerd
#   MODE=process RATES=500,1000,0 WALLETS=4000 DURATION=30s scripts/bench-net.sh build/ledgerd
#   MEMPOOL=app scripts/bench-net.sh build/ledgerd   # each node's app keeps its mempool
set -eu
LEDGERD=$1
MODE=${MODE:-auto}
DIR=${BENCHNET_DIR:-build/bench-net}
RATES=${RATES:-250,500,750,1000,0}
WALLETS=${WALLETS:-3000}
DURATION=${DURATION:-20s}
VALIDATORS=${VALIDATORS:-4}
# MEMPOOL: who keeps each node's mempool, flood (CometBFT) or app (ledgerd).
MEMPOOL=${MEMPOOL:-flood}
# PRESIGN: payments per wallet signed before each step (at most what the
# step sends at its rate), so that the generator's signing does not take
# the nodes' cores during the step; 0 signs each at submission.
PRESIGN=${PRESIGN:-16}
PRESIGN_FLAG=""
if [ "$PRESIGN" != 0 ]; then PRESIGN_FLAG="--presign $PRESIGN"; fi
BASE_PORT=${BASE_PORT:-27600}
COMPOSE=${COMPOSE:-docker-compose}

if [ "$MODE" = auto ]; then
	MODE=process
	if docker info >/dev/null 2>&1 && command -v "$COMPOSE" >/dev/null 2>&1; then
		MODE=docker
	fi
fi
rm -rf "$DIR"
case $MODE in
docker)
	make --no-print-directory docker-image >/dev/null
	"$LEDGERD" testnet init --docker --mempool "$MEMPOOL" --validators "$VALIDATORS" --base-port "$BASE_PORT" --output "$DIR" >/dev/null
	"$COMPOSE" -f "$DIR/docker-compose.yml" up -d
	trap '"$COMPOSE" -f "$DIR/docker-compose.yml" down >/dev/null 2>&1' EXIT
	;;
process)
	"$LEDGERD" testnet init --mempool "$MEMPOOL" --validators "$VALIDATORS" --base-port "$BASE_PORT" --output "$DIR" >/dev/null
	"$LEDGERD" testnet start "$DIR" >/dev/null
	trap '"$LEDGERD" testnet stop "$DIR" >/dev/null' EXIT
	;;
*)
	echo "MODE=$MODE: want auto, docker or process" >&2
	exit 2
	;;
esac
echo "bench-net: $VALIDATORS validators ($MODE, mempool $MEMPOOL), $WALLETS wallets, rates $RATES for $DURATION each"
"$LEDGERD" testnet load "$DIR" --wait 60s --wallets "$WALLETS" --rate "$RATES" --duration "$DURATION" --drain 30s ${PRESIGN_FLAG:-} ${LOADFLAGS:-}
