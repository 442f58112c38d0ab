#!/usr/bin/env bash
# gofmt, go vet, and the determinism analyzer (tools/detlint) over consensus
# code (x/, app/): no map iteration, goroutines, wall clock, floats,
# randomness, unsafe or reflect outside tests. A reviewed exception carries
# "// nolint:determinism: <why>" on its line or alone on the line above.
# The module clients under x/ (x/<module>/<module>client: packages whose
# directory name ends in "client") are not consensus code and are left out.
set -euo pipefail
cd "$(dirname "$0")/.."

fail=0
unformatted=$(gofmt -l $(git ls-files --cached --others --exclude-standard '*.go' | grep -v '\.pb\.go$') 2>/dev/null || true)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; fail=1
fi

go vet ./... || fail=1
# The auditor console's verifier runs in the browser: it must keep building
# for js/wasm (no Badger, goleveldb or CometBFT node code in its imports).
GOOS=js GOARCH=wasm CGO_ENABLED=0 go build -o /dev/null ./client/console/wasm || fail=1

detlint=build/tools/detlint
go build -o "$detlint" ./tools/detlint/cmd/detlint
consensus=$(go list ./x/... ./app/... | grep -v 'client$')
# shellcheck disable=SC2086 # one package per word
if ! findings=$("$detlint" -test=false $consensus 2>&1); then
  echo "detlint (x/, app/):"; echo "${findings//"$PWD/"/}"; fail=1
fi

[ "$fail" -eq 0 ] && echo "lint: ok"
exit "$fail"
