//go:build !nacl && !js && !wasip1 && cgo && !gofuzz && !tinygo

package main

const backend = "libsecp256k1 (cgo)"
