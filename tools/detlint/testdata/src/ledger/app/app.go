// Package app is consensus code: a prefix covers the package at its own path.
package app

func spawn() {
	go spawn() // want `go statement`
}
