#!/usr/bin/env bash
# Builds ledgerd statically linked with cgo (libsecp256k1) into OUTDIR, checks
# that it is static and uses libsecp256k1, and builds the ledgerd image from
# OUTDIR (the binary, testnet/Dockerfile and an empty tmp/) with each TAG.
# No image is pulled: the image is FROM scratch. VERSION and COMMIT, if set,
# are stamped into the binary as by `make build`.
#
#   scripts/docker-image.sh OUTDIR TAG...
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 OUTDIR TAG..." >&2; exit 2
fi
out=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
version=${VERSION:-$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo dev)}
commit=${COMMIT:-$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)}

mkdir -p "$out/tmp"
out=$(cd "$out" && pwd)
(cd "$root" && CGO_ENABLED=1 go build -tags osusergo,netgo \
  -ldflags "-X main.version=$version -X main.commit=$commit -linkmode external -extldflags -static" \
  -o "$out/ledgerd" ./cmd/ledgerd)

# A FROM-scratch image has no dynamic loader or libc: the binary must need none.
if ldd "$out/ledgerd" 2>&1 | grep -q '=>'; then
  echo "$out/ledgerd is dynamically linked:" >&2; ldd "$out/ledgerd" >&2; exit 1
fi
if ! "$out/ledgerd" version | grep -q '^secp256k1: libsecp256k1'; then
  echo "$out/ledgerd does not use libsecp256k1:" >&2; "$out/ledgerd" version >&2; exit 1
fi
cp "$root/testnet/Dockerfile" "$out/Dockerfile"

tags=()
for t in "$@"; do tags+=(-t "$t"); done
# The legacy builder needs no buildx plugin; FROM scratch needs no registry.
DOCKER_BUILDKIT=${DOCKER_BUILDKIT:-0} docker build -q "${tags[@]}" "$out"
