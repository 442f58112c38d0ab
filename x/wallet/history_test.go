package wallet

import (
	"bytes"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/encoding/protowire"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// entries returns n wallet entries of owner1 as the index keeps them, and
// the head they hash to.
func entries(n int) ([]*historyv1.Entry, []byte) {
	var es []*historyv1.Entry
	var head []byte
	for i := range n {
		e := &walletv1.HistoryEntry{Wallet: owner1.Bytes(), Seq: uint64(i + 1), Height: int64(10 + i), Kind: walletv1.HistoryKind_HISTORY_KIND_DEPOSIT,
			Denom: "CNY", Amount: uint64(100 + i), BalanceAfter: uint64(1000 + i), Time: int64(1e9 + i)}
		data := EncodeHistoryEntry(e)
		es = append(es, &historyv1.Entry{Subject: HistorySubject, Id: owner1.Bytes(), Seq: e.Seq, Height: e.Height, Time: e.Time, Data: data})
		head = NextHistoryHead(head, data)
	}
	return es, head
}

func TestNextHistoryHead(t *testing.T) {
	entry := []byte("entry")
	if got, want := NextHistoryHead(nil, entry), crypto.Keccak256(make([]byte, 32), entry); !bytes.Equal(got, want) {
		t.Fatalf("first head %x, want keccak256(0^32 || entry) %x", got, want)
	}
	prev := bytes.Repeat([]byte{7}, 32)
	if got, want := NextHistoryHead(prev, entry), crypto.Keccak256(prev, entry); !bytes.Equal(got, want) {
		t.Fatalf("head %x, want %x", got, want)
	}
}

func TestVerifyHistory(t *testing.T) {
	if _, err := VerifyHistory(owner1, 0, nil, nil); err != nil {
		t.Fatalf("empty history: %v", err)
	}
	es, head := entries(3)
	decoded, err := VerifyHistory(owner1, 3, head, es)
	if err != nil || len(decoded) != 3 || decoded[2].Amount != 102 {
		t.Fatalf("VerifyHistory = %v, %v", decoded, err)
	}
	// An entry of another wallet under this wallet's id, hashing right.
	other := &walletv1.HistoryEntry{Wallet: owner2.Bytes(), Seq: 1}
	otherData := EncodeHistoryEntry(other)
	stolen := []*historyv1.Entry{{Subject: HistorySubject, Id: owner1.Bytes(), Seq: 1, Data: otherData}}
	// Field 99 appended: decodes, but is not the canonical encoding.
	extra := protowire.AppendVarint(protowire.AppendTag(bytes.Clone(es[0].Data), 99, protowire.VarintType), 1)
	nonCanonical := []*historyv1.Entry{{Subject: HistorySubject, Id: owner1.Bytes(), Seq: 1, Data: extra}}
	wrongSeq := &walletv1.HistoryEntry{Wallet: owner1.Bytes(), Seq: 5}
	renumbered := []*historyv1.Entry{{Subject: HistorySubject, Id: owner1.Bytes(), Seq: 1, Data: EncodeHistoryEntry(wrongSeq)}}
	for name, tc := range map[string]struct {
		owner   [20]byte
		count   uint64
		head    []byte
		entries []*historyv1.Entry
	}{
		"count too high":             {owner1, 4, head, es},
		"count zero with entries":    {owner1, 0, nil, es},
		"empty with a count":         {owner1, 1, head, nil},
		"zero count, non-empty head": {owner1, 0, head, nil},
		"other owner":                {owner2, 3, head, es},
		"prefix against the head":    {owner1, 2, head, es[:2]},
		"another wallet's entry":     {owner1, 1, NextHistoryHead(nil, otherData), stolen},
		"non-canonical":              {owner1, 1, NextHistoryHead(nil, extra), nonCanonical},
		"entry's own seq differs":    {owner1, 1, NextHistoryHead(nil, renumbered[0].Data), renumbered},
	} {
		if _, err := VerifyHistory(tc.owner, tc.count, tc.head, tc.entries); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}
