package wallet

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/exec"
)

// EventHistory is the event that carries one history entry to every node's
// off-consensus history index. Attributes: "wallet" (0x-hex owner), "seq"
// (decimal), "entry" (standard base64 of the entry's canonical encoding).
const EventHistory = "wallet_history"

var historyEncoding = proto.MarshalOptions{Deterministic: true}

// EncodeHistoryEntry returns e's canonical encoding: the bytes the
// accumulator hashes.
func EncodeHistoryEntry(e *walletv1.HistoryEntry) []byte {
	b, err := historyEncoding.Marshal(e)
	if err != nil {
		panic(fmt.Sprintf("wallet: encode history entry: %v", err))
	}
	return b
}

// NextHistoryHead is the accumulator step: keccak256(head || entry), with
// an empty head standing for 32 zero bytes.
func NextHistoryHead(head, entry []byte) []byte {
	if len(head) == 0 {
		head = make([]byte, 32)
	}
	return crypto.Keccak256(head, entry)
}

// appendHistory numbers e as w's next entry, stamps it with the context's
// height, transaction and time, advances w's accumulator, and emits it for
// the history index. The caller stores w.
func appendHistory(ctx exec.Context, w *walletv1.Wallet, e *walletv1.HistoryEntry) {
	e.Wallet = w.Owner
	e.Seq = w.HistoryCount + 1
	e.Height, e.TxHash, e.Time = ctx.Height, ctx.TxHash, ctx.Time.Unix()
	enc := EncodeHistoryEntry(e)
	w.HistoryHead = NextHistoryHead(w.HistoryHead, enc)
	w.HistoryCount = e.Seq
	ctx.Emit(EventHistory,
		"wallet", exec.Hex(common.BytesToAddress(w.Owner)),
		"seq", strconv.FormatUint(e.Seq, 10),
		"entry", base64.StdEncoding.EncodeToString(enc))
}

// VerifyHistory checks that entries are exactly the history a wallet's
// proven accumulator (count, head) commits to: all of them, from seq 1, in
// order, unaltered. It names the first entry that does not fit.
func VerifyHistory(owner common.Address, count uint64, head []byte, entries []*walletv1.HistoryEntry) error {
	if uint64(len(entries)) != count {
		return fmt.Errorf("history of %s: %d entries, the proven accumulator counts %d", owner.Hex(), len(entries), count)
	}
	var h []byte
	for i, e := range entries {
		if e.Seq != uint64(i+1) {
			return fmt.Errorf("history of %s: entry %d has seq %d: missing or out of order", owner.Hex(), i+1, e.Seq)
		}
		if !bytes.Equal(e.Wallet, owner.Bytes()) {
			return fmt.Errorf("history of %s: entry %d belongs to %x", owner.Hex(), e.Seq, e.Wallet)
		}
		h = NextHistoryHead(h, EncodeHistoryEntry(e))
	}
	if count == 0 && len(head) == 0 {
		return nil
	}
	if !bytes.Equal(h, head) {
		return fmt.Errorf("history of %s: the %d entries hash to %x, the proven head is %x: an entry was altered", owner.Hex(), count, h, head)
	}
	return nil
}

// HistoryFromEvent decodes a history event's entry. It fails on an event of
// another type or a malformed one.
func HistoryFromEvent(kind string, attrs map[string]string) (*walletv1.HistoryEntry, error) {
	if kind != EventHistory {
		return nil, fmt.Errorf("event %q is not %q", kind, EventHistory)
	}
	raw, err := base64.StdEncoding.DecodeString(attrs["entry"])
	if err != nil {
		return nil, fmt.Errorf("history event: entry: %w", err)
	}
	e := new(walletv1.HistoryEntry)
	// Unknown fields are dropped so that the re-encoding below differs
	// from raw: kept, they would be re-emitted and pass for canonical.
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(raw, e); err != nil {
		return nil, fmt.Errorf("history event: entry: %w", err)
	}
	if !bytes.Equal(EncodeHistoryEntry(e), raw) {
		return nil, fmt.Errorf("history event: entry is not canonically encoded")
	}
	return e, nil
}
