package wallet

import (
	"bytes"
	"encoding/base64"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/encoding/protowire"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

func entries(n int) ([]*walletv1.HistoryEntry, []byte) {
	var es []*walletv1.HistoryEntry
	var head []byte
	for i := range n {
		e := &walletv1.HistoryEntry{Wallet: owner1.Bytes(), Seq: uint64(i + 1), Height: int64(10 + i), Kind: walletv1.HistoryKind_HISTORY_KIND_DEPOSIT,
			Denom: "CNY", Amount: uint64(100 + i), BalanceAfter: uint64(1000 + i), Time: int64(1e9 + i)}
		es = append(es, e)
		head = NextHistoryHead(head, EncodeHistoryEntry(e))
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
	if err := VerifyHistory(owner1, 0, nil, nil); err != nil {
		t.Fatalf("empty history: %v", err)
	}
	es, head := entries(3)
	if err := VerifyHistory(owner1, 3, head, es); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"count too high":             VerifyHistory(owner1, 4, head, es),
		"count zero with entries":    VerifyHistory(owner1, 0, nil, es),
		"empty with a count":         VerifyHistory(owner1, 1, head, nil),
		"zero count, non-empty head": VerifyHistory(owner1, 0, head, nil),
		"other owner":                VerifyHistory(owner2, 3, head, es),
		"prefix against the head":    VerifyHistory(owner1, 2, head, es[:2]),
	} {
		if err == nil {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestHistoryFromEvent(t *testing.T) {
	es, _ := entries(1)
	enc := EncodeHistoryEntry(es[0])
	attrs := func(entry string) map[string]string {
		return map[string]string{"wallet": owner1.Hex(), "seq": "1", "entry": entry}
	}
	e, err := HistoryFromEvent(EventHistory, attrs(base64.StdEncoding.EncodeToString(enc)))
	if err != nil || !bytes.Equal(EncodeHistoryEntry(e), enc) {
		t.Fatalf("round trip: %v %v", e, err)
	}
	// Field 99 appended: decodes, but is not the canonical encoding.
	extra := protowire.AppendVarint(protowire.AppendTag(append([]byte(nil), enc...), 99, protowire.VarintType), 1)
	for name, tc := range map[string]struct {
		kind  string
		entry string
	}{
		"other event":   {"transfer", base64.StdEncoding.EncodeToString(enc)},
		"not base64":    {EventHistory, "***"},
		"not an entry":  {EventHistory, base64.StdEncoding.EncodeToString([]byte{0x0a, 0xff})},
		"non-canonical": {EventHistory, base64.StdEncoding.EncodeToString(extra)},
	} {
		if _, err := HistoryFromEvent(tc.kind, attrs(tc.entry)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
