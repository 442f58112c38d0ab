package bank

import (
	"math/rand"
	"testing"
	"time"
)

// Test files are not consensus code: nothing here is reported.
func TestBank(t *testing.T) {
	go work()
	for range map[int]int{} {
	}
	_ = time.Now()
	_ = rand.Float64()
}
