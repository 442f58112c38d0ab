package txpool

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"testing"
)

func tx(s string) *Tx[int] {
	return &Tx[int]{Hash: sha256.Sum256([]byte(s)), Raw: []byte(s), Data: len(s)}
}

func strs(raws [][]byte) []string {
	out := make([]string, len(raws))
	for i, r := range raws {
		out[i] = string(r)
	}
	return out
}

func TestPoolKeepsAdmissionOrderAndBounds(t *testing.T) {
	p := New[int](3, 9)
	for _, s := range []string{"aaa", "bbb", "ccc"} {
		if err := p.Add(tx(s)); err != nil {
			t.Fatalf("Add(%s): %v", s, err)
		}
	}
	if err := p.Add(tx("aaa")); !errors.Is(err, ErrDuplicate) {
		t.Fatalf("Add of a pending tx: got %v, want ErrDuplicate", err)
	}
	if err := p.Add(tx("d")); !errors.Is(err, ErrFull) {
		t.Fatalf("Add past 3 txs: got %v, want ErrFull", err)
	}
	if p.Len() != 3 || p.Bytes() != 9 {
		t.Fatalf("Len %d Bytes %d, want 3 and 9", p.Len(), p.Bytes())
	}
	p.Retain(func(tx *Tx[int]) bool { return string(tx.Raw) != "bbb" })
	if err := p.Add(tx("dddd")); !errors.Is(err, ErrFull) {
		t.Fatalf("Add past 9 bytes: got %v, want ErrFull", err)
	}
	if err := p.Add(tx("d")); err != nil {
		t.Fatalf("Add within both bounds: %v", err)
	}
	if got, want := strs(p.Reap(10, 100)), []string{"aaa", "ccc", "d"}; !slices.Equal(got, want) {
		t.Fatalf("Reap: %v, want %v", got, want)
	}
	if got, want := strs(p.Reap(2, 100)), []string{"aaa", "ccc"}; !slices.Equal(got, want) {
		t.Fatalf("Reap(2 txs): %v, want %v", got, want)
	}
	if got, want := strs(p.Reap(10, 5)), []string{"aaa"}; !slices.Equal(got, want) {
		t.Fatalf("Reap(5 bytes): %v, want %v: a prefix, never skipping a tx that does not fit", got, want)
	}
}

func TestRetainDropsAndForgets(t *testing.T) {
	p := New[int](10, 0)
	for i := range 6 {
		if err := p.Add(tx(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	dropped := p.Retain(func(tx *Tx[int]) bool { return tx.Raw[0]%2 == 0 })
	if dropped != 3 || p.Len() != 3 || p.Bytes() != 3 {
		t.Fatalf("dropped %d, Len %d, Bytes %d; want 3, 3, 3", dropped, p.Len(), p.Bytes())
	}
	if p.Has(tx("1").Hash) || !p.Has(tx("2").Hash) {
		t.Fatal("Has answers for dropped or kept txs wrongly")
	}
	if err := p.Add(tx("1")); err != nil {
		t.Fatalf("a dropped tx may come back: %v", err)
	}
	if got, want := strs(p.Reap(10, 100)), []string{"0", "2", "4", "1"}; !slices.Equal(got, want) {
		t.Fatalf("order after Retain and Add: %v, want %v", got, want)
	}
}

func TestGossipDrainsOnceAndIsBounded(t *testing.T) {
	p := New[int](3, 0)
	for _, s := range []string{"aa", "bb", "cc"} {
		if err := p.Add(tx(s)); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := strs(p.Gossip(5)), []string{"aa", "bb"}; !slices.Equal(got, want) {
		t.Fatalf("Gossip(5 bytes): %v, want %v", got, want)
	}
	if got, want := strs(p.Gossip(0)), []string{"cc"}; !slices.Equal(got, want) {
		t.Fatalf("second Gossip: %v, want %v", got, want)
	}
	if got := p.Gossip(0); len(got) != 0 {
		t.Fatalf("third Gossip: %v, want none", strs(got))
	}
	// A node that never gossips keeps only the newest maxTxs.
	p.Retain(func(*Tx[int]) bool { return false })
	for i := range 5 {
		if err := p.Add(tx(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
		if i >= 2 {
			p.Retain(func(*Tx[int]) bool { return false })
		}
	}
	if got, want := strs(p.Gossip(0)), []string{"2", "3", "4"}; !slices.Equal(got, want) {
		t.Fatalf("Gossip after 5 adds to a pool of 3: %v, want %v", got, want)
	}
}

func TestRetainGossipsLongPendingAgain(t *testing.T) {
	p := New[int](10, 0)
	if err := p.Add(tx("a")); err != nil {
		t.Fatal(err)
	}
	p.Gossip(0)
	keepAll := func(*Tx[int]) bool { return true }
	var gossiped []int
	for block := 1; block <= regossipAfter+2*regossipEvery; block++ {
		p.Retain(keepAll)
		if len(p.Gossip(0)) > 0 {
			gossiped = append(gossiped, block)
		}
	}
	want := []int{regossipAfter, regossipAfter + regossipEvery, regossipAfter + 2*regossipEvery}
	if !slices.Equal(gossiped, want) {
		t.Fatalf("gossiped again after blocks %v, want %v", gossiped, want)
	}
}
