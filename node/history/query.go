package history

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Query limits.
const (
	// DefaultLimit is a page's size when the request gives none.
	DefaultLimit = 100
	// MaxLimit is the largest page.
	MaxLimit = 1000
	// MaxScan bounds the entries one wallet query reads: a page stops
	// after this many even if it has fewer than limit entries (which only
	// happens if block times ever went backwards; see Query).
	MaxScan = 4 * MaxLimit
	// MaxTxEntries bounds a transaction's entries (a batch transfer of
	// max_batch_legs recipients writes max_batch_legs+1).
	MaxTxEntries = 20_000
)

var _ app.HistoryIndex = (*Index)(nil)

// Query answers a HistoryRequest (app.HistoryIndex):
//
//   - by wallet: its entries newest first (descending seq), at most limit
//     (0: DefaultLimit; at most MaxLimit); before_seq > 0 keeps only seq <
//     before_seq, for the next page; from_time and to_time (Unix seconds,
//     inclusive, 0: open) keep only entries whose block time is in range.
//     An entry's time never decreases with its seq (block times increase
//     with height), so to_time is found by binary search over seq and the
//     walk back stops at the first entry before from_time: a page costs
//     O(log n + limit) reads, never a scan of the wallet's history. The walk
//     still checks each entry's time and reads at most MaxScan entries.
//   - by tx_hash: every entry the transaction wrote, ordered by wallet and
//     seq; limit, before_seq and times do not apply.
//
// An invalid request fails with app.ErrInvalidRequest; a stopped index
// (see Stopped) fails every query.
func (x *Index) Query(req *walletv1.HistoryRequest) (*walletv1.HistoryEntries, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, errClosed
	}
	if err := x.Stopped(); err != nil {
		return nil, errcode.Wrap(app.ErrHistoryStopped, "%v", err)
	}
	switch {
	case len(req.TxHash) > 0 && len(req.Wallet) > 0:
		return nil, invalid("give a wallet or a tx hash, not both")
	case len(req.TxHash) > 0:
		return x.queryTx(req)
	case len(req.Wallet) > 0:
		return x.queryWallet(req)
	}
	return nil, invalid("give a wallet or a tx hash")
}

func invalid(format string, args ...any) error {
	return errcode.Wrap(app.ErrInvalidRequest, "history request: "+format, args...)
}

func (x *Index) queryWallet(req *walletv1.HistoryRequest) (*walletv1.HistoryEntries, error) {
	switch {
	case len(req.Wallet) != addressLen:
		return nil, invalid("wallet is %d bytes, want %d", len(req.Wallet), addressLen)
	case req.Limit > MaxLimit:
		return nil, invalid("limit %d: at most %d", req.Limit, MaxLimit)
	case req.FromTime < 0 || req.ToTime < 0:
		return nil, invalid("negative time")
	case req.FromTime > 0 && req.ToTime > 0 && req.FromTime > req.ToTime:
		return nil, invalid("from_time %d is after to_time %d", req.FromTime, req.ToTime)
	}
	limit := int(req.Limit)
	if limit == 0 {
		limit = DefaultLimit
	}
	top, err := x.newestSeq(req.Wallet)
	if err != nil {
		return nil, err
	}
	if req.BeforeSeq > 0 {
		top = min(top, req.BeforeSeq-1)
	}
	if req.ToTime > 0 && top > 0 {
		if top, err = x.lastAtOrBefore(req.Wallet, top, req.ToTime); err != nil {
			return nil, err
		}
	}
	out := &walletv1.HistoryEntries{}
	if top == 0 {
		return out, nil
	}
	it, err := x.db.ReverseIterator(entryKey(req.Wallet, 1), entryKey(req.Wallet, top+1))
	if err != nil {
		return nil, x.readErr(err)
	}
	defer it.Close()
	for scanned := 0; it.Valid() && len(out.Entries) < limit && scanned < MaxScan; it.Next() {
		scanned++
		e, err := x.decode(it.Key(), it.Value())
		if err != nil {
			return nil, err
		}
		if req.FromTime > 0 && e.Time < req.FromTime {
			break
		}
		if req.ToTime > 0 && e.Time > req.ToTime {
			continue
		}
		out.Entries = append(out.Entries, e)
	}
	if err := it.Error(); err != nil {
		return nil, x.readErr(err)
	}
	return out, nil
}

// newestSeq returns owner's highest indexed seq, 0 if none.
func (x *Index) newestSeq(owner []byte) (uint64, error) {
	prefix := append([]byte{prefixEntry}, owner...)
	it, err := x.db.ReverseIterator(prefix, prefixEnd(prefix))
	if err != nil {
		return 0, x.readErr(err)
	}
	defer it.Close()
	if !it.Valid() {
		return 0, x.readErr(it.Error())
	}
	k := it.Key()
	if len(k) != entryKeyLen {
		return 0, fmt.Errorf("history: index %s: malformed entry key %x", x.dir, k)
	}
	return binary.BigEndian.Uint64(k[1+addressLen:]), nil
}

// lastAtOrBefore returns the highest seq <= top of owner whose time is at
// most t, 0 if none, by binary search: entry times never decrease with seq.
// Seqs 1..top are all indexed (heights are applied whole and in order).
func (x *Index) lastAtOrBefore(owner []byte, top uint64, t int64) (uint64, error) {
	lo, hi := uint64(0), top // time(lo) <= t (seq 0: before everything); answer in [lo, hi]
	for lo < hi {
		mid := hi - (hi-lo)/2
		e, err := x.entry(owner, mid)
		if err != nil {
			return 0, err
		}
		if e.Time <= t {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, nil
}

// entry reads owner's entry seq, which must be indexed.
func (x *Index) entry(owner []byte, seq uint64) (*walletv1.HistoryEntry, error) {
	k := entryKey(owner, seq)
	v, err := x.db.Get(k)
	if err != nil {
		return nil, x.readErr(err)
	}
	if v == nil {
		return nil, fmt.Errorf("history: index %s lacks entry %d of %x below a later one: the index is damaged; delete it to rebuild", x.dir, seq, owner)
	}
	return x.decode(k, v)
}

func (x *Index) queryTx(req *walletv1.HistoryRequest) (*walletv1.HistoryEntries, error) {
	switch {
	case len(req.TxHash) != txHashLen:
		return nil, invalid("tx hash is %d bytes, want %d", len(req.TxHash), txHashLen)
	case req.BeforeSeq != 0 || req.FromTime != 0 || req.ToTime != 0 || req.Limit != 0:
		return nil, invalid("before_seq, limit, from_time and to_time select a wallet's entries, not a transaction's")
	}
	prefix := append([]byte{prefixTx}, req.TxHash...)
	it, err := x.db.Iterator(prefix, prefixEnd(prefix))
	if err != nil {
		return nil, x.readErr(err)
	}
	defer it.Close()
	out := &walletv1.HistoryEntries{}
	for ; it.Valid(); it.Next() {
		k := it.Key()
		if len(k) != txEntryKeyLen {
			return nil, fmt.Errorf("history: index %s: malformed tx key %x", x.dir, k)
		}
		if len(out.Entries) == MaxTxEntries {
			return nil, fmt.Errorf("history: transaction %x has more than %d entries", req.TxHash, MaxTxEntries)
		}
		owner, seq := k[1+txHashLen:1+txHashLen+addressLen], binary.BigEndian.Uint64(k[1+txHashLen+addressLen:])
		e, err := x.entry(owner, seq)
		if err != nil {
			return nil, err
		}
		out.Entries = append(out.Entries, e)
	}
	if err := it.Error(); err != nil {
		return nil, x.readErr(err)
	}
	return out, nil
}

// decode reads the entry stored under key k and checks that it is the one
// the key names.
func (x *Index) decode(k, v []byte) (*walletv1.HistoryEntry, error) {
	e := new(walletv1.HistoryEntry)
	if err := proto.Unmarshal(v, e); err != nil {
		return nil, fmt.Errorf("history: index %s: entry %x does not decode: %w", x.dir, k, err)
	}
	if len(k) != entryKeyLen || !bytes.Equal(e.Wallet, k[1:1+addressLen]) || e.Seq != binary.BigEndian.Uint64(k[1+addressLen:]) {
		return nil, fmt.Errorf("history: index %s: entry under key %x is of %x seq %d", x.dir, k, e.Wallet, e.Seq)
	}
	return e, nil
}

func (x *Index) readErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("history: index %s: read: %w", x.dir, err)
}

// prefixEnd returns the smallest key above every key with prefix p (p is
// never all 0xff here).
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}
