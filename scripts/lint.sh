#!/usr/bin/env bash
# gofmt, go vet, and the determinism rules of consensus code (x/, app/): no
# wall clock, math/rand, floats, unsafe or reflect outside tests. A reviewed
# exception carries "// nolint:determinism: <why>" on its line.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
unformatted=$(gofmt -l $(git ls-files --cached --others --exclude-standard '*.go' | grep -v '\.pb\.go$') 2>/dev/null || true)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; fail=1
fi

go vet ./... || fail=1

hits=$(grep -rnE 'time\.Now\(|math/rand|float(32|64)|"unsafe"|"reflect"' --include='*.go' x app \
  | grep -v '_test\.go:' | grep -v '\.pb\.go:' | grep -v 'nolint:determinism' || true)
if [ -n "$hits" ]; then
  echo "non-deterministic constructs in consensus code (x/, app/):"; echo "$hits"; fail=1
fi

[ "$fail" -eq 0 ] && echo "lint: ok"
exit "$fail"
