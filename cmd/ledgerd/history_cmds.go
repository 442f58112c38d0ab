package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/client"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// newQueryHistoryCmd is `query wallet history`.
func newQueryHistoryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history ADDR",
		Short: "A wallet's history, newest first; --verify checks it complete and unaltered against the proven accumulator",
		Long: `history lists a wallet's history entries from the node's history index, newest
first: every balance change, freeze order, release, tier or limit change and
closure, with its height, transaction, block time and balance after.

The index is the node's word. --verify (or --prove) reads the wallet's
accumulator (history_count, history_head) with a Merkle proof against a
light-client-verified header at --height (default: the latest), fetches
entries 1..history_count and checks that they hash to the proven head:
nothing omitted, altered or reordered. It then prints the verified entries
that --before, --from, --to and --limit select (all of them by default).

--tx HASH lists the entries one transaction wrote instead (no ADDR).

--from and --to take RFC 3339 times, YYYY-MM-DD dates (UTC; --to includes the
whole day) or Unix seconds. See docs/history.md.`,
		Args: cobra.RangeArgs(0, 1),
		RunE: runQueryHistory,
	}
	queryFlags(cmd)
	f := cmd.Flags()
	f.Bool("verify", false, "check the entries against the wallet's proven accumulator (same as --prove)")
	f.Uint32("limit", 0, "entries per page, newest first (default 100, at most 1000; with --verify: all)")
	f.Uint64("before", 0, "only entries with seq below this (the next page: the last seq shown)")
	f.String("from", "", "only entries at or after this time")
	f.String("to", "", "only entries at or before this time")
	f.String("tx", "", "hex hash of a transaction: list its entries instead of a wallet's")
	return cmd
}

func runQueryHistory(cmd *cobra.Command, args []string) error {
	c, prove, height, err := queryClient(cmd)
	if err != nil {
		return err
	}
	defer c.Close()
	verify, _ := cmd.Flags().GetBool("verify")
	verify = verify || prove
	m := moneyOf(cmd, c)
	limit, _ := cmd.Flags().GetUint32("limit")
	before, _ := cmd.Flags().GetUint64("before")
	from, err := parseHistoryTime(stringFlag(cmd, "from"), false)
	if err != nil {
		return fmt.Errorf("--from %w", err)
	}
	to, err := parseHistoryTime(stringFlag(cmd, "to"), true)
	if err != nil {
		return fmt.Errorf("--to %w", err)
	}

	if tx := stringFlag(cmd, "tx"); tx != "" {
		if len(args) > 0 || verify || limit != 0 || before != 0 || from != 0 || to != 0 || height != 0 {
			return fmt.Errorf("--tx lists one transaction's entries: give no ADDR, --verify, --height, --limit, --before, --from or --to")
		}
		hash, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(tx, "0x"), "0X"))
		if err != nil || len(hash) != 32 {
			return fmt.Errorf("--tx %q: want the 32-byte hex hash of a transaction", tx)
		}
		indexed, err := c.TxHistory(cmd.Context(), hash)
		if err != nil {
			return err
		}
		entries, err := walletEntries(indexed)
		if err != nil {
			return err
		}
		view := historyView{Tx: strings.ToUpper(hex.EncodeToString(hash)), Entries: newEntryViews(entries)}
		return printResult(cmd, view, func(out io.Writer) {
			if len(entries) == 0 {
				fmt.Fprintf(out, "transaction %s wrote no history entries (unknown to this node's index, or failed)\n", view.Tx)
				return
			}
			fmt.Fprintf(out, "history entries of transaction %s (at height %d):\n", view.Tx, entries[0].Height)
			for _, e := range view.Entries {
				fmt.Fprintf(out, "  %s  %s\n", e.Wallet, e.line(m))
			}
		})
	}

	if len(args) != 1 {
		return fmt.Errorf("give a wallet ADDR, or --tx HASH")
	}
	addr, err := parseAddress("wallet", args[0])
	if err != nil {
		return err
	}
	if !verify {
		if height != 0 {
			return fmt.Errorf("--height needs --verify: the index answers for its latest height")
		}
		indexed, err := c.History(cmd.Context(), &historyv1.Request{
			Subject: wallet.HistorySubject, Id: addr.Bytes(), BeforeSeq: before, Limit: limit, FromTime: from, ToTime: to,
		})
		if err != nil {
			return err
		}
		entries, err := walletEntries(indexed)
		if err != nil {
			return err
		}
		view := historyView{Wallet: addr.Hex(), Entries: newEntryViews(entries)}
		return printResult(cmd, view, func(out io.Writer) {
			printEntries(out, view, m)
			if n := len(entries); n > 0 && entries[n-1].Seq > 1 && (limit == 0 || n == int(limit)) {
				fmt.Fprintf(out, "more: --before %d\n", entries[n-1].Seq)
			}
		})
	}

	ph, err := c.VerifiedHistory(cmd.Context(), walletHistorySource(addr), addr.Bytes(), height)
	if err != nil {
		return err
	}
	p := ph.Proof
	entries, err := wallet.VerifyHistory(addr, ph.Chain.Count, ph.Chain.Head, ph.Entries)
	if err != nil {
		return fmt.Errorf("the history of %s proven at height %d: %w: %w", addr.Hex(), p.Height, client.ErrVerification, err)
	}
	var shown []*walletv1.HistoryEntry // newest first, as without --verify
	for i := len(entries) - 1; i >= 0 && (limit == 0 || len(shown) < int(limit)); i-- {
		e := entries[i]
		if (before == 0 || e.Seq < before) && (from == 0 || e.Time >= from) && (to == 0 || e.Time <= to) {
			shown = append(shown, e)
		}
	}
	view := historyView{Wallet: addr.Hex(), Entries: newEntryViews(shown), Verified: &verifiedView{
		Count: ph.Chain.Count, Head: "0x" + hex.EncodeToString(ph.Chain.Head), Height: p.Height, Proof: p,
	}}
	return printResult(cmd, view, func(out io.Writer) {
		printEntries(out, view, m)
		if len(shown) < len(entries) {
			fmt.Fprintf(out, "(%d of %d verified entries shown)\n", len(shown), len(entries))
		}
		if ph.Chain.Count == 0 {
			fmt.Fprintf(out, "history:  none: the wallet's history count is 0 in the state at height %d\n", p.Height)
		} else {
			fmt.Fprintf(out, "history:  entries 1 to %d, complete, in order and unaltered: they hash to the history head\n", ph.Chain.Count)
			fmt.Fprintf(out, "          %s of the wallet in the state at height %d\n", view.Verified.Head, p.Height)
		}
		printProof(out, p)
	})
}

// walletHistorySource is where a wallet's accumulator is proven: its
// record, as the wallet module registers it.
func walletHistorySource(addr common.Address) client.HistorySource {
	src := client.HistorySource{Subject: wallet.HistorySubject, Store: wallet.StoreName, Key: wallet.WalletKey(addr.Bytes())}
	for _, h := range app.Modules().Module(wallet.StoreName).Histories {
		if h.Name == wallet.HistorySubject {
			src.Chain = h.Chain
		}
	}
	return src
}

// walletEntries decodes the wallet entries among indexed ones (the node's
// word, not verified).
func walletEntries(indexed []*historyv1.Entry) ([]*walletv1.HistoryEntry, error) {
	var out []*walletv1.HistoryEntry
	for _, ie := range indexed {
		if ie.Subject != wallet.HistorySubject {
			continue
		}
		e, err := wallet.DecodeHistoryEntry(ie.Data)
		if err != nil {
			return nil, fmt.Errorf("the node's history index: entry %d of %X: %w", ie.Seq, ie.Id, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// parseHistoryTime reads a --from or --to time (parseTime's formats); a
// date given as --to means the end of that day.
func parseHistoryTime(s string, endOfDay bool) (int64, error) {
	t, err := parseTime(s)
	if err == nil && endOfDay && len(s) == len(time.DateOnly) {
		t += 24*60*60 - 1
	}
	return t, err
}

// historyView is a history listing as the CLI prints it.
type historyView struct {
	Wallet   string        `json:"wallet,omitempty"`
	Tx       string        `json:"tx,omitempty"`
	Entries  []entryView   `json:"entries"`
	Verified *verifiedView `json:"verified,omitempty"`
}

type verifiedView struct {
	Count  uint64         `json:"history_count"`
	Head   string         `json:"history_head"`
	Height int64          `json:"height"`
	Proof  *client.Proven `json:"proof"`
}

type entryView struct {
	Wallet       string    `json:"wallet"`
	Seq          uint64    `json:"seq"`
	Height       int64     `json:"height"`
	TxHash       string    `json:"tx_hash,omitempty"`
	Time         time.Time `json:"time"`
	Kind         string    `json:"kind"`
	Counterparty string    `json:"counterparty,omitempty"`
	Denom        string    `json:"denom,omitempty"`
	Amount       uint64    `json:"amount,string"`
	BalanceAfter uint64    `json:"balance_after,string"`
	Detail       string    `json:"detail,omitempty"`
	// Encoding is the entry's canonical encoding in hex: the bytes the
	// accumulator hashes (docs/history.md).
	Encoding string `json:"encoding"`
}

func newEntryViews(entries []*walletv1.HistoryEntry) []entryView {
	out := []entryView{}
	for _, e := range entries {
		v := entryView{
			Wallet: common.BytesToAddress(e.Wallet).Hex(), Seq: e.Seq, Height: e.Height, Time: time.Unix(e.Time, 0).UTC(),
			Kind:         strings.ToLower(strings.TrimPrefix(e.Kind.String(), "HISTORY_KIND_")),
			Counterparty: counterpartyText(e.Counterparty), Denom: e.Denom, Amount: e.Amount, BalanceAfter: e.BalanceAfter, Detail: e.Detail,
			Encoding: hex.EncodeToString(wallet.EncodeHistoryEntry(e)),
		}
		if len(e.TxHash) > 0 {
			v.TxHash = strings.ToUpper(hex.EncodeToString(e.TxHash)) // as CometBFT and 'tx' print it
		}
		out = append(out, v)
	}
	return out
}

// counterpartyText shows a member id as itself and a wallet or operator
// address as 0x-hex.
func counterpartyText(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if utf8.Valid(b) && strings.IndexFunc(string(b), func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return string(b)
	}
	if len(b) == common.AddressLength {
		return common.BytesToAddress(b).Hex()
	}
	return "0x" + hex.EncodeToString(b)
}

// line is the entry as one line of text, without its wallet, amounts in
// major units.
func (e entryView) line(m money) string {
	var b strings.Builder
	fmt.Fprintf(&b, "#%-5d %s  height %-7d %-14s", e.Seq, e.Time.Format(time.RFC3339), e.Height, e.Kind)
	if e.Counterparty != "" {
		fmt.Fprintf(&b, "  %-42s", e.Counterparty)
	}
	if e.Denom != "" && (e.Amount != 0 || e.BalanceAfter != 0) {
		fmt.Fprintf(&b, "  %s, balance %s", m.Text(e.Amount, e.Denom), m.Number(e.BalanceAfter, e.Denom))
	} else if e.Denom != "" {
		fmt.Fprintf(&b, "  %s", e.Denom)
	}
	if e.Detail != "" {
		fmt.Fprintf(&b, "  %q", e.Detail)
	}
	return b.String()
}

func printEntries(out io.Writer, v historyView, m money) {
	if len(v.Entries) == 0 {
		fmt.Fprintf(out, "no history entries of %s selected\n", v.Wallet)
		return
	}
	fmt.Fprintf(out, "history of %s, newest first:\n", v.Wallet)
	for _, e := range v.Entries {
		fmt.Fprintf(out, "  %s\n", e.line(m))
	}
}

// newQueryAnyHistoryCmd is `query history SUBJECT ID`: the history chain
// of any record a module keeps one of (module.HistorySubject).
func newQueryAnyHistoryCmd() *cobra.Command {
	var names []string
	for _, m := range app.Modules().Modules() {
		for _, h := range m.Histories {
			names = append(names, h.Name)
		}
	}
	cmd := &cobra.Command{
		Use:   "history SUBJECT ID",
		Short: "The history of any record with a history chain (" + strings.Join(names, ", ") + "), oldest first; --verify proves it complete",
		Long: `history lists the entries of a record's history chain from the node's history
index. With --verify (or --prove) the record's accumulator (count, head) is
proven against a light-client-verified header at --height (default: the
latest) and every entry is checked against it: complete, in order,
unaltered. Entries print in protobuf's JSON mapping.

'ledgerd query wallet history' shows a wallet's history in a friendlier form.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			mod, subject, ok := historySubject(args[0])
			if !ok {
				return fmt.Errorf("no module keeps a history of %q: subjects are %s", args[0], strings.Join(names, ", "))
			}
			id, err := subject.ParseID(args[1])
			if err != nil {
				return err
			}
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			verify, _ := cmd.Flags().GetBool("verify")
			var indexed []*historyv1.Entry
			var proof *client.Proven
			if verify || prove {
				ph, err := c.VerifiedHistory(cmd.Context(), client.HistorySource{Subject: subject.Name, Store: mod.Name, Key: subject.Key(id),
					Chain: subject.Chain}, id, height)
				if err != nil {
					return err
				}
				indexed, proof = ph.Entries, ph.Proof
			} else {
				if height != 0 {
					return fmt.Errorf("--height needs --verify: the index answers for its latest height")
				}
				for before := uint64(0); ; {
					page, err := c.History(cmd.Context(), &historyv1.Request{Subject: subject.Name, Id: id, BeforeSeq: before, Limit: 1000})
					if err != nil {
						return err
					}
					indexed = append(indexed, page...)
					if len(page) < 1000 || page[len(page)-1].Seq <= 1 {
						break
					}
					before = page[len(page)-1].Seq
				}
				slices.Reverse(indexed)
			}
			view := anyHistoryView{Subject: subject.Name, ID: args[1], Proof: proof, Entries: []anyEntryView{}}
			for _, e := range indexed {
				m, err := subject.Decode(e.Data)
				if err != nil {
					return fmt.Errorf("entry %d: %w", e.Seq, err)
				}
				view.Entries = append(view.Entries, anyEntryView{Seq: e.Seq, Height: e.Height, Time: time.Unix(e.Time, 0).UTC(),
					TxHash: strings.ToUpper(hex.EncodeToString(e.TxHash)), Entry: protoJSON(m)})
			}
			return printResult(cmd, view, func(out io.Writer) {
				fmt.Fprintf(out, "history of %s %s, oldest first:\n", subject.Name, args[1])
				for _, e := range view.Entries {
					fmt.Fprintf(out, "  #%-5d %s  height %-7d %s\n", e.Seq, e.Time.Format(time.RFC3339), e.Height, e.Entry)
				}
				if proof != nil {
					fmt.Fprintf(out, "history:  entries 1 to %d, complete, in order and unaltered\n", len(view.Entries))
					printProof(out, proof)
				}
			})
		},
	}
	queryFlags(cmd)
	cmd.Flags().Bool("verify", false, "check the entries against the record's proven accumulator (same as --prove)")
	return cmd
}

type anyHistoryView struct {
	Subject string         `json:"subject"`
	ID      string         `json:"id"`
	Entries []anyEntryView `json:"entries"`
	Proof   *client.Proven `json:"proof,omitempty"`
}

type anyEntryView struct {
	Seq    uint64          `json:"seq"`
	Height int64           `json:"height"`
	Time   time.Time       `json:"time"`
	TxHash string          `json:"tx_hash,omitempty"`
	Entry  json.RawMessage `json:"entry"`
}

// historySubject finds the module that keeps histories of subject.
func historySubject(name string) (*module.Module, module.HistorySubject, bool) {
	for _, m := range app.Modules().Modules() {
		for _, h := range m.Histories {
			if h.Name == name {
				return m, h, true
			}
		}
	}
	return nil, module.HistorySubject{}, false
}
