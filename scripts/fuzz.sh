#!/usr/bin/env bash
# Runs every fuzz target of the module for FUZZTIME each (default 1m), one
# after another, and reports the targets that found a failure. Failing inputs
# are written under the package's testdata/fuzz/<target>/, where `go test`
# replays them from then on: commit them with the fix. FUZZPARALLEL (default:
# every core) sets how many fuzzing processes a target runs, so that a long
# run can leave a core to other work.
set -uo pipefail
FUZZTIME=${FUZZTIME:-1m}
FUZZPARALLEL=${FUZZPARALLEL:-}
GO=${GO:-go}
failed=()
ran=0
for pkg in $($GO list ./...); do
	for target in $($GO test -list '^Fuzz' "$pkg" 2>/dev/null | grep '^Fuzz'); do
		ran=$((ran + 1))
		echo "== $pkg $target ($FUZZTIME)"
		if ! $GO test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" ${FUZZPARALLEL:+-parallel "$FUZZPARALLEL"} "$pkg" 2>&1 | tail -4; then
			failed+=("$pkg $target")
		fi
	done
done
echo "== $ran fuzz targets, ${#failed[@]} failed"
for f in "${failed[@]}"; do echo "FAILED: $f"; done
[ ${#failed[@]} -eq 0 ]
