package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/x/history"
)

// PathHistory is the query path of the node's history index (see package
// app: QueryHistory).
const PathHistory = "/history"

// maxHistoryPage is the largest page the node's index returns.
const maxHistoryPage = 1000

// History asks the node's history index for one page: a subject's entries
// newest first (req.Subject and req.Id, with BeforeSeq, Limit, FromTime
// and ToTime), or a transaction's entries (req.TxHash). The index is off
// consensus: the answer is the node's word, which VerifiedHistory checks.
// A node without an index answers with a *QueryError (app.ErrNoHistory).
func (c *Client) History(ctx context.Context, req *historyv1.Request) ([]*historyv1.Entry, error) {
	if req == nil || (len(req.Id) == 0) == (len(req.TxHash) == 0) {
		return nil, errors.New("client: history: give a subject and id, or a tx hash")
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("client: history: %w", err)
	}
	r, err := c.Query(ctx, PathHistory, data, 0)
	if err != nil {
		return nil, err
	}
	out := new(historyv1.Entries)
	if err := decodeAnswer(PathHistory, r.Value, out); err != nil {
		return nil, err
	}
	return out.Entries, nil
}

// TxHistory returns the history entries the transaction with txHash
// (SHA-256 of its bytes) wrote, ordered by subject, id and seq: the node's
// word.
func (c *Client) TxHistory(ctx context.Context, txHash []byte) ([]*historyv1.Entry, error) {
	if len(txHash) != 32 {
		return nil, fmt.Errorf("client: tx history: tx hash is %d bytes, want 32", len(txHash))
	}
	return c.History(ctx, &historyv1.Request{TxHash: txHash})
}

// HistorySource says where a subject's accumulator is proven: the record
// at Key of store Store, from whose value Chain reads it
// (module.HistorySubject gives these for every subject).
type HistorySource struct {
	Subject string
	Store   string
	Key     []byte
	Chain   func(value []byte) (history.Chain, error)
}

// ProvenHistory is a subject's complete history, proven.
type ProvenHistory struct {
	// Chain is the accumulator proven in the subject's record, and Proof
	// the record's proof.
	Chain history.Chain
	Proof *Proven
	// Entries are all of them, oldest first.
	Entries []*historyv1.Entry
}

// VerifiedHistory returns the complete history of src's subject id at
// height (0 = latest), oldest first, proven:
//
//  1. the record holding the accumulator (count, head), at height H, with
//     its proof (Verified);
//  2. pages of entries from the node's history index, from seq count back
//     to 1 (entries newer than H are not asked for, and ignored if sent);
//     the index is written just behind the state, so while entry count is
//     not there yet it waits, at most WithHeaderTimeout;
//  3. history.Verify: entries 1..count, in order, unaltered, hash to the
//     proven head.
//
// Entries that do not match the proven accumulator (missing, altered,
// reordered) are an error wrapping ErrVerification that says which; they
// must not be used. The module's own checks of its entries' content (the
// wallet's VerifyHistory) come after. A record proven absent is a
// *NotFoundError.
func (c *Client) VerifiedHistory(ctx context.Context, src HistorySource, id []byte, height int64) (*ProvenHistory, error) {
	what := fmt.Sprintf("%s %X", src.Subject, id)
	p, err := c.Verified(ctx, src.Store, src.Key, height)
	if err != nil {
		return nil, err
	}
	if p.Value == nil {
		return nil, &NotFoundError{What: what, Store: src.Store, Key: src.Key, Proven: true, Height: p.Height}
	}
	chain, err := src.Chain(p.Value)
	if err != nil {
		return nil, fmt.Errorf("client: %s: the proven record does not decode: %v: %w", what, err, ErrVerification)
	}
	var got []*historyv1.Entry // newest first, as the node sent them
	for before := chain.Count + 1; before > 1; {
		page, err := c.historyPage(ctx, src.Subject, id, before, before == chain.Count+1)
		if err != nil {
			return nil, fmt.Errorf("client: history of %s at height %d: %w", what, p.Height, err)
		}
		next := before
		for _, e := range page {
			if e.Seq < before && e.Subject == src.Subject && string(e.Id) == string(id) { // anything else was not asked for
				got = append(got, e)
				next = min(next, e.Seq)
			}
		}
		if next == before {
			break // the node has nothing older: what is missing is reported below
		}
		before = next
	}
	slices.Reverse(got)
	if err := checkHistory(chain, got); err != nil {
		return nil, fmt.Errorf("client: the history of %s from %s does not match the accumulator proven at height %d "+
			"(%d entries, head %X); do not use it: %w: %w", what, c.url, p.Height, chain.Count, chain.Head, ErrVerification, err)
	}
	return &ProvenHistory{Chain: chain, Proof: p, Entries: got}, nil
}

// historyPage fetches a subject's entries below before. A node indexes a
// block shortly after committing it, so for the newest page (first) it
// waits, as long as for a header, while the newest proven entry
// (before-1) is not there yet.
func (c *Client) historyPage(ctx context.Context, subject string, id []byte, before uint64, first bool) ([]*historyv1.Entry, error) {
	req := &historyv1.Request{Subject: subject, Id: id, BeforeSeq: before, Limit: maxHistoryPage}
	page, err := c.History(ctx, req)
	if err != nil || !first {
		return page, err
	}
	deadline := time.Now().Add(c.cfg.headerTimeout)
	for !slices.ContainsFunc(page, func(e *historyv1.Entry) bool { return e.Seq == before-1 }) && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(c.cfg.pollInterval):
		}
		if page, err = c.History(ctx, req); err != nil {
			return nil, err
		}
	}
	return page, nil
}

// checkHistory names the missing seqs, if any, before history.Verify
// checks order and content.
func checkHistory(chain history.Chain, entries []*historyv1.Entry) error {
	have := make(map[uint64]bool, len(entries))
	for _, e := range entries {
		have[e.Seq] = true
	}
	var missing []string
	n := 0
	for seq := uint64(1); seq <= chain.Count; seq++ {
		if !have[seq] {
			if n < 10 {
				missing = append(missing, fmt.Sprint(seq))
			}
			n++
		}
	}
	if n > 0 {
		if n > len(missing) {
			missing = append(missing, fmt.Sprintf("and %d more", n-len(missing)))
		}
		return fmt.Errorf("entries missing: seq %s (the node's history index may lag or be incomplete)", strings.Join(missing, ", "))
	}
	return history.Verify(chain, entries)
}
