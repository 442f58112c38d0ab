// Package appendix is not consensus code (the prefix ledger/app does not cover it): nothing here is reported.
package appendix

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
