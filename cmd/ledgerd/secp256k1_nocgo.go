// Mirrors the build constraint of go-ethereum's crypto/signature_nocgo.go.
//go:build nacl || js || wasip1 || !cgo || gofuzz || tinygo

package main

const secp256k1Backend = "pure Go (decred secp256k1), about 3x slower: build with CGO_ENABLED=1"
