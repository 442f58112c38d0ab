#!/bin/sh
# Measures the auditor console's wallet page with a long history in
# headless Chromium: ENTRIES (default 10000) history entries fetched from
# the node in pages, checked against the proven accumulator, decoded and
# rendered, three runs. Prints the figures with the load average; they are
# also written to build/console-timing.txt. LIMIT_MS (default 2000) is the
# figure a run must not exceed.
set -e
cd "$(dirname "$0")/.."
ENTRIES=${ENTRIES:-10000}
echo "load before: $(uptime)"
CONSOLE_TIMING=$ENTRIES CONSOLE_TIMING_LIMIT_MS=${LIMIT_MS:-2000} \
	go test -count=1 -run '^TestWalletPageTiming$' -timeout 10m ./client/console/ >build/console-timing.log 2>&1 || {
	cat build/console-timing.log
	exit 1
}
cat build/console-timing.txt
echo "load after: $(uptime)"
