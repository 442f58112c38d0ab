//go:build !linux

package main

// newMemoryGBps is not measured off Linux (see memory_linux.go).
func newMemoryGBps(int) float64 { return 0 }
