package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"log"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

// recoveryCost is the time one recovery of a signer's public key from a
// signature takes on one core (go-ethereum's crypto.Ecrecover, the
// recovery the node makes for each transaction): the median of rounds of
// n recoveries each. It measures the machine, not ledgerd: on the shared
// virtual machines the project is measured on, it moves by tens of per
// cent within an hour, and the transfers' rate with it, so a figure is
// read beside the recovery cost of the same minutes. It fails if a
// recovery does not give back the key that signed.
func recoveryCost(rounds, n int) (time.Duration, error) {
	key, err := crypto.ToECDSA(bytes.Repeat([]byte{0x5a}, 32))
	if err != nil {
		return 0, err
	}
	want := crypto.FromECDSAPub(&key.PublicKey)
	hashes, sigs := make([][]byte, n), make([][]byte, n)
	for i := range n {
		h := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
		hashes[i] = h[:]
		if sigs[i], err = crypto.Sign(hashes[i], key); err != nil {
			return 0, err
		}
	}
	costs := make([]time.Duration, rounds)
	for r := range costs {
		t0 := time.Now()
		for i := range n {
			pub, err := crypto.Ecrecover(hashes[i], sigs[i])
			if err != nil {
				return 0, fmt.Errorf("recovery %d: %w", i, err)
			}
			if !bytes.Equal(pub, want) {
				return 0, fmt.Errorf("recovery %d gave another key", i)
			}
		}
		costs[r] = time.Since(t0) / time.Duration(n)
	}
	slices.Sort(costs)
	return costs[len(costs)/2], nil
}

// calibrate is recoveryCost as the harness measures it beside the blocks,
// in microseconds: 5 rounds of 200 recoveries, about 35 ms of one core.
func calibrate() float64 {
	d, err := recoveryCost(5, 200)
	if err != nil {
		log.Fatalf("timing signature recovery: %v", err)
	}
	return float64(d.Nanoseconds()) / 1000
}
