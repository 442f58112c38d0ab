package wallet

import (
	"bytes"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
)

// HistorySubject is the subject of wallets' history chains; the id is
// the owner's address.
const HistorySubject = "wallet"

// EncodeHistoryEntry returns e's canonical encoding: the bytes the
// accumulator hashes.
func EncodeHistoryEntry(e *walletv1.HistoryEntry) []byte { return history.Encode(e) }

// NextHistoryHead is the accumulator step (history.Next).
func NextHistoryHead(head, entry []byte) []byte { return history.Next(head, entry) }

// appendHistory numbers e as w's next entry, stamps it with the context's
// height, transaction and time, advances w's accumulator, and emits it for
// the history index. The caller stores w.
func appendHistory(ctx exec.Context, w *walletv1.Wallet, e *walletv1.HistoryEntry) {
	e.Wallet = w.Owner
	e.Seq = w.HistoryCount + 1
	e.Height, e.TxHash, e.Time = ctx.Height, ctx.TxHash, ctx.Time.Unix()
	// e's generated codec, called on its concrete type, leaves e where the
	// caller made it: every payment appends two entries.
	c := history.AppendEncoded(ctx, HistorySubject, w.Owner, history.Chain{Count: w.HistoryCount, Head: w.HistoryHead}, e.SizeVT(),
		e.MarshalToSizedBufferVT)
	w.HistoryCount, w.HistoryHead = c.Count, c.Head
}

// DecodeHistoryEntry decodes an indexed entry's data as a wallet history
// entry, refusing bytes that are not its canonical encoding (which the
// accumulator would not have hashed).
func DecodeHistoryEntry(data []byte) (*walletv1.HistoryEntry, error) {
	e := new(walletv1.HistoryEntry)
	// Unknown fields are dropped so that the re-encoding below differs
	// from data: kept, they would be re-emitted and pass for canonical.
	if err := (proto.UnmarshalOptions{DiscardUnknown: true}).Unmarshal(data, e); err != nil {
		return nil, fmt.Errorf("wallet history entry: %w", err)
	}
	if !bytes.Equal(EncodeHistoryEntry(e), data) {
		return nil, fmt.Errorf("wallet history entry is not canonically encoded")
	}
	return e, nil
}

// VerifyHistory checks that entries are exactly the history a wallet's
// proven accumulator (count, head) commits to: all of them, from seq 1, in
// order, unaltered, each a wallet entry of owner numbered as indexed. It
// returns them decoded, and names the first entry that does not fit.
func VerifyHistory(owner common.Address, count uint64, head []byte, entries []*historyv1.Entry) ([]*walletv1.HistoryEntry, error) {
	if err := history.Verify(history.Chain{Count: count, Head: head}, entries); err != nil {
		return nil, fmt.Errorf("history of %s: %w", owner.Hex(), err)
	}
	out := make([]*walletv1.HistoryEntry, len(entries))
	for i, ie := range entries {
		e, err := DecodeHistoryEntry(ie.Data)
		if err != nil {
			return nil, fmt.Errorf("history of %s: entry %d: %w", owner.Hex(), ie.Seq, err)
		}
		if !bytes.Equal(e.Wallet, owner.Bytes()) || ie.Subject != HistorySubject || !bytes.Equal(ie.Id, owner.Bytes()) {
			return nil, fmt.Errorf("history of %s: entry %d belongs to %s %x (entry says %x)", owner.Hex(), ie.Seq, ie.Subject, ie.Id, e.Wallet)
		}
		if e.Seq != ie.Seq {
			return nil, fmt.Errorf("history of %s: entry %d says seq %d", owner.Hex(), ie.Seq, e.Seq)
		}
		out[i] = e
	}
	return out, nil
}
