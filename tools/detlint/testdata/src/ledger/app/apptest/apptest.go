// Package apptest is not consensus code (its path ends in /apptest): nothing here is reported.
package apptest

import (
	"math/rand"
	"time"
)

func Spawn(m map[string]int) float64 {
	go Spawn(m)
	for range m {
	}
	_ = time.Now()
	return rand.Float64()
}
