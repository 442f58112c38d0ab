package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// PathHistory is the query path of the node's history index (see package
// app: QueryHistory).
const PathHistory = "/history"

// maxHistoryPage is the largest page the node's index returns.
const maxHistoryPage = 1000

// History asks the node's history index for one page: a wallet's entries
// newest first (req.Wallet, with BeforeSeq, Limit, FromTime and ToTime), or
// a transaction's entries (req.TxHash). The index is off consensus: the
// answer is the node's word, which VerifiedHistory checks. A node without
// an index answers with a *QueryError (app.ErrNoHistory).
func (c *Client) History(ctx context.Context, req *walletv1.HistoryRequest) ([]*walletv1.HistoryEntry, error) {
	if req == nil || (len(req.Wallet) == 0) == (len(req.TxHash) == 0) {
		return nil, errors.New("client: history: give a wallet or a tx hash")
	}
	data, err := proto.MarshalOptions{Deterministic: true}.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("client: history: %w", err)
	}
	r, err := c.Query(ctx, PathHistory, data, 0)
	if err != nil {
		return nil, err
	}
	out := new(walletv1.HistoryEntries)
	if err := proto.Unmarshal(r.Value, out); err != nil {
		return nil, fmt.Errorf("client: query %s: answer does not decode as %T: %w", PathHistory, out, err)
	}
	return out.Entries, nil
}

// TxHistory returns the history entries the transaction with txHash
// (SHA-256 of its bytes) wrote, ordered by wallet and seq: the node's word.
func (c *Client) TxHistory(ctx context.Context, txHash []byte) ([]*walletv1.HistoryEntry, error) {
	if len(txHash) != 32 {
		return nil, fmt.Errorf("client: tx history: tx hash is %d bytes, want 32", len(txHash))
	}
	return c.History(ctx, &walletv1.HistoryRequest{TxHash: txHash})
}

// VerifiedHistory returns addr's complete history at height (0 = latest),
// oldest first, proven:
//
//  1. the wallet record at height H with its proof (VerifiedWallet), which
//     carries the accumulator (history_count, history_head);
//  2. pages of entries from the node's history index, from seq
//     history_count back to 1 (entries newer than H are not asked for, and
//     ignored if sent); the index is written just behind the state, so
//     while entry history_count is not there yet it waits, at most
//     WithHeaderTimeout;
//  3. wallet.VerifyHistory: entries 1..count, in order, unaltered, hash to
//     the proven head.
//
// It returns the proven wallet, the entries and the proof. Entries that do
// not match the proven accumulator (missing, altered, reordered, or of
// another wallet) are an error wrapping ErrVerification that says which;
// they must not be used. A wallet proven absent is a *NotFoundError.
func (c *Client) VerifiedHistory(ctx context.Context, addr common.Address, height int64) (*walletv1.Wallet, []*walletv1.HistoryEntry, *Proven, error) {
	w, p, err := c.VerifiedWallet(ctx, addr, height)
	if err != nil {
		return nil, nil, p, err
	}
	count := w.HistoryCount
	var got []*walletv1.HistoryEntry // newest first, as the node sent them
	for before := count + 1; before > 1; {
		page, err := c.historyPage(ctx, addr, before, before == count+1)
		if err != nil {
			return nil, nil, p, fmt.Errorf("client: history of %s at height %d: %w", addr.Hex(), p.Height, err)
		}
		next := before
		for _, e := range page {
			if e.Seq < before { // anything else was not asked for
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
	if err := checkHistory(addr, w, got); err != nil {
		return nil, nil, p, fmt.Errorf("client: the history of %s from %s does not match the accumulator proven at height %d "+
			"(%d entries, head %X); do not use it: %w: %w", addr.Hex(), c.url, p.Height, count, w.HistoryHead, ErrVerification, err)
	}
	return w, got, p, nil
}

// historyPage fetches addr's entries below before. A node indexes a block
// shortly after committing it, so for the newest page (first) it waits, as
// long as for a header, while the newest proven entry (before-1) is not
// there yet.
func (c *Client) historyPage(ctx context.Context, addr common.Address, before uint64, first bool) ([]*walletv1.HistoryEntry, error) {
	req := &walletv1.HistoryRequest{Wallet: addr.Bytes(), BeforeSeq: before, Limit: maxHistoryPage}
	page, err := c.History(ctx, req)
	if err != nil || !first {
		return page, err
	}
	deadline := time.Now().Add(c.cfg.headerTimeout)
	for !slices.ContainsFunc(page, func(e *walletv1.HistoryEntry) bool { return e.Seq == before-1 }) && time.Now().Before(deadline) {
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

// checkHistory names the missing seqs, if any, before wallet.VerifyHistory
// checks order and content.
func checkHistory(addr common.Address, w *walletv1.Wallet, entries []*walletv1.HistoryEntry) error {
	have := make(map[uint64]bool, len(entries))
	for _, e := range entries {
		have[e.Seq] = true
	}
	var missing []string
	n := 0
	for seq := uint64(1); seq <= w.HistoryCount; seq++ {
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
	return wallet.VerifyHistory(addr, w.HistoryCount, w.HistoryHead, entries)
}
