//go:build nacl || js || wasip1 || !cgo || gofuzz || tinygo

package main

const backend = "pure Go"
