package main

import "testing"

func TestRecoveryCostTimesCorrectRecoveries(t *testing.T) {
	d, err := recoveryCost(3, 20)
	if err != nil {
		t.Fatal(err)
	}
	// libsecp256k1 takes tens of microseconds, the pure-Go fallback about
	// three times that: anything outside a wide band is a broken timing.
	if d < 1e3 || d > 1e7 {
		t.Errorf("one recovery took %v", d)
	}
}
