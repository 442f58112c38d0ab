#!/bin/sh
# query-flood: floods one validator of a four-validator network (processes
# on this machine) with ABCI queries and prints, for that node, blocks per
# second and the time a restarted validator takes to be admitted as its
# peer, without the flood, during it and after it, with the flood's query
# rate and latency (testnet/queryflood_test.go). Bounded in time: about
# 3 x FLOOD_SECONDS plus start-up; the go test timeout is 10 minutes.
#
#   scripts/query-flood.sh
#   FLOOD_WORKERS=64 FLOOD_SECONDS=30 scripts/query-flood.sh
#   FLOOD_BIN=/path/to/other/ledgerd scripts/query-flood.sh   # the same on another build (A/B)
set -eu
echo "query-flood: load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
QUERY_FLOOD=1 FLOOD_BIN=${FLOOD_BIN:-} FLOOD_WORKERS=${FLOOD_WORKERS:-32} FLOOD_SECONDS=${FLOOD_SECONDS:-20} \
	go test -count=1 -v -timeout 10m -run '^TestQueryFlood$' ./testnet/ | grep -E 'queryflood_test|^(---|ok|FAIL|PASS)'
echo "query-flood: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
