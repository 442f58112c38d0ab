package history

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Query limits.
const (
	// DefaultLimit is a page's size when the request gives none.
	DefaultLimit = 100
	// MaxLimit is the largest page.
	MaxLimit = 1000
	// MaxScan bounds the entries one subject query reads: a page stops
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
//   - by subject and id: its entries newest first (descending seq), at most limit
//     (0: DefaultLimit; at most MaxLimit); before_seq > 0 keeps only seq <
//     before_seq, for the next page; from_time and to_time (Unix seconds,
//     inclusive, 0: open) keep only entries whose block time is in range.
//     An entry's time never decreases with its seq (block times increase
//     with height), so to_time is found by binary search over seq and the
//     walk back stops at the first entry before from_time: a page costs
//     O(log n + limit) reads, never a scan of the subject's history. The
//     walk still checks each entry's time and reads at most MaxScan entries.
//   - by tx_hash: every entry the transaction wrote, ordered by subject, id
//     and seq; limit, before_seq and times do not apply.
//
// An invalid request fails with app.ErrInvalidRequest; a stopped index
// (see Stopped) fails every query.
func (x *Index) Query(req *historyv1.Request) (*historyv1.Entries, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return nil, errClosed
	}
	if err := x.Stopped(); err != nil {
		return nil, errcode.Wrap(app.ErrHistoryStopped, "%v", err)
	}
	switch {
	case len(req.TxHash) > 0 && len(req.Id) > 0:
		return nil, invalid("give a subject and id, or a tx hash, not both")
	case len(req.TxHash) > 0:
		return x.queryTx(req)
	case len(req.Id) > 0:
		return x.querySubject(req)
	}
	return nil, invalid("give a subject and id, or a tx hash")
}

func invalid(format string, args ...any) error {
	return errcode.Wrap(app.ErrInvalidRequest, "history request: "+format, args...)
}

func (x *Index) querySubject(req *historyv1.Request) (*historyv1.Entries, error) {
	switch {
	case req.Subject == "" || len(req.Subject) > 255:
		return nil, invalid("subject %q: want 1 to 255 bytes (\"wallet\", \"loan\")", req.Subject)
	case len(req.Id) > 255:
		return nil, invalid("id is %d bytes, at most 255", len(req.Id))
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
	top, err := x.newestSeq(req.Subject, req.Id)
	if err != nil {
		return nil, err
	}
	if req.BeforeSeq > 0 {
		top = min(top, req.BeforeSeq-1)
	}
	if req.ToTime > 0 && top > 0 {
		if top, err = x.lastAtOrBefore(req.Subject, req.Id, top, req.ToTime); err != nil {
			return nil, err
		}
	}
	out := &historyv1.Entries{}
	if top == 0 {
		return out, nil
	}
	it, err := x.db.ReverseIterator(entryKey(req.Subject, req.Id, 1), entryKey(req.Subject, req.Id, top+1))
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

// newestSeq returns the subject's highest indexed seq, 0 if none.
func (x *Index) newestSeq(subject string, id []byte) (uint64, error) {
	prefix := entryPrefix(subject, id)
	it, err := x.db.ReverseIterator(prefix, prefixEnd(prefix))
	if err != nil {
		return 0, x.readErr(err)
	}
	defer it.Close()
	if !it.Valid() {
		return 0, x.readErr(it.Error())
	}
	k := it.Key()
	if len(k) != len(prefix)+8 {
		return 0, fmt.Errorf("history: index %s: malformed entry key %x", x.dir, k)
	}
	return binary.BigEndian.Uint64(k[len(prefix):]), nil
}

// lastAtOrBefore returns the highest seq <= top of owner whose time is at
// most t, 0 if none, by binary search: entry times never decrease with seq.
// Seqs 1..top are all indexed (heights are applied whole and in order).
func (x *Index) lastAtOrBefore(subject string, id []byte, top uint64, t int64) (uint64, error) {
	lo, hi := uint64(0), top // time(lo) <= t (seq 0: before everything); answer in [lo, hi]
	for lo < hi {
		mid := hi - (hi-lo)/2
		e, err := x.entry(subject, id, mid)
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

// entry reads the subject's entry seq, which must be indexed.
func (x *Index) entry(subject string, id []byte, seq uint64) (*historyv1.Entry, error) {
	k := entryKey(subject, id, seq)
	v, err := x.db.Get(k)
	if err != nil {
		return nil, x.readErr(err)
	}
	if v == nil {
		return nil, fmt.Errorf("history: index %s lacks entry %d of %s %x below a later one: the index is damaged; delete it to rebuild", x.dir, seq, subject, id)
	}
	return x.decode(k, v)
}

func (x *Index) queryTx(req *historyv1.Request) (*historyv1.Entries, error) {
	switch {
	case len(req.TxHash) != txHashLen:
		return nil, invalid("tx hash is %d bytes, want %d", len(req.TxHash), txHashLen)
	case req.BeforeSeq != 0 || req.FromTime != 0 || req.ToTime != 0 || req.Limit != 0 || req.Subject != "":
		return nil, invalid("subject, before_seq, limit, from_time and to_time select a subject's entries, not a transaction's")
	}
	prefix := append([]byte{prefixTx}, req.TxHash...)
	it, err := x.db.Iterator(prefix, prefixEnd(prefix))
	if err != nil {
		return nil, x.readErr(err)
	}
	defer it.Close()
	out := &historyv1.Entries{}
	for ; it.Valid(); it.Next() {
		k := it.Key()
		subject, id, seq, ok := parseSubjectKey(k[len(prefix):])
		if !ok {
			return nil, fmt.Errorf("history: index %s: malformed tx key %x", x.dir, k)
		}
		if len(out.Entries) == MaxTxEntries {
			return nil, fmt.Errorf("history: transaction %x has more than %d entries", req.TxHash, MaxTxEntries)
		}
		e, err := x.entry(subject, id, seq)
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
func (x *Index) decode(k, v []byte) (*historyv1.Entry, error) {
	e := new(historyv1.Entry)
	if err := proto.Unmarshal(v, e); err != nil {
		return nil, fmt.Errorf("history: index %s: entry %x does not decode: %w", x.dir, k, err)
	}
	subject, id, seq, ok := parseSubjectKey(k[1:])
	if !ok || subject != e.Subject || !bytes.Equal(id, e.Id) || seq != e.Seq {
		return nil, fmt.Errorf("history: index %s: entry under key %x is of %s %x seq %d", x.dir, k, e.Subject, e.Id, e.Seq)
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
