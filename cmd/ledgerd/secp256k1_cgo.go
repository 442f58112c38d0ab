// Mirrors the build constraint of go-ethereum's crypto/signature_cgo.go.
//go:build !nacl && !js && !wasip1 && cgo && !gofuzz && !tinygo

package main

const secp256k1Backend = "libsecp256k1 (cgo)"
