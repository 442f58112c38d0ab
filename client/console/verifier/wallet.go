package verifier

import (
	"cmp"
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/history"
)

const (
	// historyPage is the largest page the node's history index returns.
	historyPage = 1000
	// parallelPages is how many history pages are asked for at once.
	parallelPages = 8
)

// Section is the verification state of one part of a page: Mark when it
// is verified, Error (the reason) when not.
type Section struct {
	Verified bool   `json:"verified"`
	Mark     *Mark  `json:"mark,omitempty"`
	Error    string `json:"error,omitempty"`
}

func verified(m Mark) Section  { return Section{Verified: true, Mark: &m} }
func failed(err error) Section { return Section{Error: err.Error()} }

// WalletView is what the wallet page shows.
type WalletView struct {
	Address string `json:"address"`
	// Record is the wallet record's verification; every field below
	// History comes from it.
	Record   Section       `json:"record"`
	Found    bool          `json:"found"`
	Bank     string        `json:"bank,omitempty"`
	Tier     uint32        `json:"tier,omitempty"`
	Closed   bool          `json:"closed,omitempty"`
	Balances []Amount      `json:"balances,omitempty"`
	Limits   []LimitsUsed  `json:"limits,omitempty"`
	Freezes  []FreezeOrder `json:"freezes,omitempty"`
	Count    uint64        `json:"history_count"`
	History  Section       `json:"history"`
	// Entries are the history's newest page (HistoryPage gives the
	// others) and Chart the balance over all of it, sampled.
	Entries []HistoryEntry `json:"entries,omitempty"`
	Chart   []ChartPoint   `json:"chart,omitempty"`
	// UTCOffset is the consortium's time zone, seconds east of UTC.
	UTCOffset int32 `json:"utc_offset"`
	// Millis is how long each step took, in milliseconds: prove (the
	// records), fetch (the history pages), check (the accumulator),
	// decode (the entries).
	Millis map[string]int64 `json:"millis"`
}

// LimitsUsed is one denom's limits (the stricter of the tier's and the
// wallet's own) and how much of them today and this year used.
type LimitsUsed struct {
	Denom         string  `json:"denom"`
	Payment       *Amount `json:"payment,omitempty"`
	Balance       *Amount `json:"balance,omitempty"`
	Daily         *Amount `json:"daily,omitempty"`
	Annual        *Amount `json:"annual,omitempty"`
	UsedToday     Amount  `json:"used_today"`
	ReceivedToday Amount  `json:"received_today"`
	UsedThisYear  Amount  `json:"used_this_year"`
}

// FreezeOrder is a standing freeze order.
type FreezeOrder struct {
	ID         uint64 `json:"id"`
	Authority  string `json:"authority"`
	Kind       string `json:"kind"`
	LegalBasis string `json:"legal_basis"`
	Expires    int64  `json:"expires"`
	Height     int64  `json:"height"`
}

// HistoryEntry is one verified entry of a wallet's history.
type HistoryEntry struct {
	Seq          uint64 `json:"seq"`
	Height       int64  `json:"height"`
	Time         int64  `json:"time"`
	TxHash       string `json:"tx_hash,omitempty"`
	Kind         string `json:"kind"`
	Counterparty string `json:"counterparty,omitempty"`
	Amount       Amount `json:"amount"`
	BalanceAfter Amount `json:"balance_after"`
	Detail       string `json:"detail,omitempty"`
}

// Wallet proves the wallet of addr at the latest height: its record, the
// wallet parameters at the same height (decimals, tier limits, time zone),
// and its complete history checked against the record's accumulator.
func (v *Verifier) Wallet(ctx context.Context, addr string) (*WalletView, error) {
	if !common.IsHexAddress(addr) {
		return nil, fmt.Errorf("%q is not a 0x address of 20 bytes", addr)
	}
	owner := common.HexToAddress(addr)
	out := &WalletView{Address: owner.Hex(), Millis: map[string]int64{}}
	step := time.Now()
	lap := func(name string) {
		out.Millis[name] = time.Since(step).Milliseconds()
		step = time.Now()
	}
	w := new(walletv1.Wallet)
	found, mark, err := v.ReadProto(ctx, walletStore, walletKey(owner[:]), 0, w)
	if err != nil {
		out.Record, out.History = failed(err), failed(fmt.Errorf("the wallet record holding the history's accumulator is not verified"))
		return out, nil
	}
	params := new(walletv1.Params)
	if _, pmark, err := v.ReadProto(ctx, walletStore, walletParamsKey(), mark.Height, params); err != nil {
		out.Record, out.History = failed(fmt.Errorf("wallet parameters (decimals, limits): %w", err)), failed(err)
		return out, nil
	} else if pmark.Height != mark.Height {
		return nil, fmt.Errorf("parameters proven at height %d, the wallet at %d", pmark.Height, mark.Height)
	}
	out.Record, out.Found = verified(mark), found
	if !found {
		out.History = verified(mark)
		return out, nil
	}
	dec := decimalsOf(params)
	out.UTCOffset = params.UtcOffsetSeconds
	out.Bank, out.Tier, out.Closed, out.Count = w.Bank, w.Tier, w.Closed, w.HistoryCount
	for _, c := range w.Balances {
		out.Balances = append(out.Balances, dec.Amount(c.Amount, c.Denom))
	}
	out.Limits = limitsUsed(params, w, dec, mark.HeaderTime)
	for _, f := range w.Freezes {
		out.Freezes = append(out.Freezes, FreezeOrder{ID: f.Id, Authority: f.Authority, Kind: strings.TrimPrefix(f.Kind.String(), "FREEZE_KIND_"),
			LegalBasis: f.LegalBasis, Expires: f.Expires, Height: f.Height})
	}
	lap("prove")
	entries, err := v.history(ctx, "wallet", owner[:], history.Chain{Count: w.HistoryCount, Head: w.HistoryHead}, mark.Height, lap)
	if err != nil {
		out.History = failed(err)
		return out, nil
	}
	out.History = verified(mark)
	hv := &verifiedHistory{owner: owner, mark: mark, dec: dec, entries: entries}
	v.mu.Lock()
	v.last = hv
	v.mu.Unlock()
	page, err := hv.page(0, HistoryPageSize)
	if err != nil {
		out.History = failed(err)
		return out, nil
	}
	out.Entries = page.Entries
	if out.Chart, err = hv.chart(maxChartPoints); err != nil {
		out.History, out.Entries = failed(err), nil
	}
	lap("decode")
	return out, nil
}

// HistoryPageSize is how many entries a page of a wallet's history holds.
const HistoryPageSize = 50

// maxChartPoints bounds the points of a balance chart.
const maxChartPoints = 400

// verifiedHistory is the last wallet history Wallet verified: its entries
// are decoded a page at a time, when shown.
type verifiedHistory struct {
	owner   common.Address
	mark    Mark
	dec     Decimals
	entries []*historyv1.Entry // oldest first, verified
}

// HistoryPage is one page of a verified history, newest first.
type HistoryPage struct {
	History Section        `json:"history"`
	Page    int            `json:"page"`
	Pages   int            `json:"pages"`
	Entries []HistoryEntry `json:"entries"`
}

// ChartPoint is a wallet's balance in a denom after an entry.
type ChartPoint struct {
	Seq     uint64 `json:"seq"`
	Balance Amount `json:"balance"`
}

// HistoryPage returns page (from 0, newest first) of the history of addr
// that the last call of Wallet verified; it fails if that was another
// wallet.
func (v *Verifier) HistoryPage(addr string, page int) (*HistoryPage, error) {
	v.mu.Lock()
	hv := v.last
	v.mu.Unlock()
	if hv == nil || !strings.EqualFold(hv.owner.Hex(), addr) {
		return nil, fmt.Errorf("the history of %s has not been verified: show its wallet first", addr)
	}
	return hv.page(page, HistoryPageSize)
}

func (hv *verifiedHistory) page(page, size int) (*HistoryPage, error) {
	n := len(hv.entries)
	pages := max(1, (n+size-1)/size)
	page = min(max(page, 0), pages-1)
	out := &HistoryPage{History: verified(hv.mark), Page: page, Pages: pages, Entries: []HistoryEntry{}}
	names := map[string]string{}
	for i := n - 1 - page*size; i >= 0 && i > n-1-(page+1)*size; i-- {
		x, err := hv.decode(hv.entries[i], names)
		if err != nil {
			return nil, err
		}
		out.Entries = append(out.Entries, x)
	}
	return out, nil
}

// chart is the balance after the entries in the denom of the newest entry
// that has one, at most max points spread over the history.
func (hv *verifiedHistory) chart(maxPoints int) ([]ChartPoint, error) {
	n := len(hv.entries)
	if n == 0 {
		return nil, nil
	}
	step := max(1, n/maxPoints)
	var out []ChartPoint
	denom := ""
	for i := 0; i < n; i += step {
		if i+step >= n {
			i = n - 1
		}
		he := new(walletv1.HistoryEntry)
		if err := proto.Unmarshal(hv.entries[i].Data, he); err != nil {
			return nil, fmt.Errorf("history entry %d does not decode: %w: %w", hv.entries[i].Seq, ErrNotVerified, err)
		}
		if he.Denom != "" && (denom == "" || he.Denom == denom) {
			denom = he.Denom
			out = append(out, ChartPoint{Seq: hv.entries[i].Seq, Balance: hv.dec.Amount(he.BalanceAfter, he.Denom)})
		}
	}
	return out, nil
}

// decode is a verified entry for the page; names caches the text of
// counterparties (an address's checksummed hex costs a hash).
func (hv *verifiedHistory) decode(e *historyv1.Entry, names map[string]string) (HistoryEntry, error) {
	he := new(walletv1.HistoryEntry)
	if err := proto.Unmarshal(e.Data, he); err != nil {
		return HistoryEntry{}, fmt.Errorf("history entry %d does not decode: %w: %w", e.Seq, ErrNotVerified, err)
	}
	x := HistoryEntry{Seq: e.Seq, Height: he.Height, Time: he.Time, Kind: strings.TrimPrefix(he.Kind.String(), "HISTORY_KIND_"),
		Amount: hv.dec.Amount(he.Amount, he.Denom), BalanceAfter: hv.dec.Amount(he.BalanceAfter, he.Denom), Detail: he.Detail}
	if len(he.TxHash) > 0 {
		x.TxHash = strings.ToUpper(hex.EncodeToString(he.TxHash))
	}
	name, ok := names[string(he.Counterparty)]
	if !ok {
		switch len(he.Counterparty) {
		case 0:
		case common.AddressLength:
			name = common.BytesToAddress(he.Counterparty).Hex()
		default:
			name = string(he.Counterparty)
		}
		names[string(he.Counterparty)] = name
	}
	x.Counterparty = name
	return x, nil
}

// history fetches the entries of subject's history id (a wallet's) 1..chain.Count from the node's
// index and checks them with history.Verify against the proven
// accumulator, as client.VerifiedHistory does. The pages (newest first,
// historyPage entries each) are asked for at once, since the proven count
// says where each starts; entries a page lacks are asked for again from
// the newest missing one down, until the node has nothing more to give.
func (v *Verifier) history(ctx context.Context, subject string, owner []byte, chain history.Chain, height int64, lap func(string)) ([]*historyv1.Entry, error) {
	got := make([]*historyv1.Entry, chain.Count+1) // by seq
	var mu sync.Mutex
	var firstErr error
	keep := func(page []*historyv1.Entry, before uint64) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, e := range page {
			if e.Seq < before && e.Seq >= 1 && e.Seq <= chain.Count && e.Subject == subject && string(e.Id) == string(owner) && got[e.Seq] == nil {
				got[e.Seq] = e
				n++
			}
		}
		return n
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallelPages)
	for before := chain.Count + 1; before > 1; before -= min(before-1, historyPage) {
		wg.Add(1)
		sem <- struct{}{}
		go func(before uint64) {
			defer func() { <-sem; wg.Done() }()
			page, err := v.historyPage(ctx, subject, owner, before)
			if err != nil {
				mu.Lock()
				firstErr = cmp.Or(firstErr, err)
				mu.Unlock()
				return
			}
			keep(page, before)
		}(before)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	missing := func() uint64 {
		for seq := chain.Count; seq >= 1; seq-- {
			if got[seq] == nil {
				return seq
			}
		}
		return 0
	}
	for m := missing(); m > 0; m = missing() {
		page, err := v.historyPage(ctx, subject, owner, m+1)
		if err != nil {
			return nil, err
		}
		if keep(page, m+1) == 0 || got[m] == nil {
			return nil, fmt.Errorf("the history the node sent does not match the accumulator proven at height %d (%d entries): %w: entry %d is missing",
				height, chain.Count, ErrNotVerified, m)
		}
	}
	entries := got[1:]
	lap("fetch")
	defer lap("check")
	if err := history.Verify(chain, entries); err != nil {
		return nil, fmt.Errorf("the history the node sent does not match the accumulator proven at height %d (%d entries): %w: %w",
			height, chain.Count, ErrNotVerified, err)
	}
	return entries, nil
}

// historyPage asks the node's index for the wallet's entries below before,
// newest first: the node's word.
func (v *Verifier) historyPage(ctx context.Context, subject string, owner []byte, before uint64) ([]*historyv1.Entry, error) {
	req, err := proto.MarshalOptions{Deterministic: true}.Marshal(&historyv1.Request{Subject: subject, Id: owner, BeforeSeq: before, Limit: historyPage})
	if err != nil {
		return nil, err
	}
	path, data, err := v.sign(ctx, privateHistories[subject], "/history", req, 0, false)
	if err != nil {
		return nil, err
	}
	r, err := v.abciQuery(ctx, path, data, 0, false)
	if err != nil {
		return nil, err
	}
	page := new(historyv1.Entries)
	if err := proto.Unmarshal(r.Value, page); err != nil {
		return nil, fmt.Errorf("history page does not decode: %w", err)
	}
	return page.Entries, nil
}

// limitsUsed is each denom's limits with today's and this year's use, as
// of the header time at (in the consortium's time zone).
func limitsUsed(p *walletv1.Params, w *walletv1.Wallet, dec Decimals, at time.Time) []LimitsUsed {
	local := at.Unix() + int64(p.UtcOffsetSeconds)
	today := floorDiv(local, 86400)
	year := int32(time.Unix(local, 0).UTC().Year())
	denoms := map[string]bool{}
	for _, c := range w.Balances {
		denoms[c.Denom] = true
	}
	for _, f := range w.Flows {
		denoms[f.Denom] = true
	}
	names := make([]string, 0, len(denoms))
	for d := range denoms {
		names = append(names, d)
	}
	slices.Sort(names)
	var out []LimitsUsed
	for _, d := range names {
		lim := effectiveLimits(p, w, d)
		u := LimitsUsed{Denom: d, UsedToday: dec.Amount(0, d), ReceivedToday: dec.Amount(0, d), UsedThisYear: dec.Amount(0, d)}
		opt := func(x uint64) *Amount {
			if x == 0 {
				return nil
			}
			a := dec.Amount(x, d)
			return &a
		}
		u.Payment, u.Balance, u.Daily, u.Annual = opt(lim.PaymentLimit), opt(lim.BalanceCap), opt(lim.DailyOutflowLimit), opt(lim.AnnualOutflowLimit)
		for _, f := range w.Flows {
			if f.Denom != d {
				continue
			}
			if f.Day == today {
				u.UsedToday, u.ReceivedToday = dec.Amount(f.DayOutflow, d), dec.Amount(f.DayInflow, d)
			}
			if f.Year == year {
				u.UsedThisYear = dec.Amount(f.YearOutflow, d)
			}
		}
		out = append(out, u)
	}
	return out
}

// effectiveLimits is x/wallet's EffectiveLimits (the stricter of the
// tier's and the wallet's own limits, 0 meaning none); keys_test.go checks
// that the two agree.
func effectiveLimits(p *walletv1.Params, w *walletv1.Wallet, denom string) *walletv1.Limits {
	out := &walletv1.Limits{}
	tighten := func(by *walletv1.Limits) {
		if by == nil {
			return
		}
		out.BalanceCap = stricter(out.BalanceCap, by.BalanceCap)
		out.PaymentLimit = stricter(out.PaymentLimit, by.PaymentLimit)
		out.DailyOutflowLimit = stricter(out.DailyOutflowLimit, by.DailyOutflowLimit)
		out.AnnualOutflowLimit = stricter(out.AnnualOutflowLimit, by.AnnualOutflowLimit)
	}
	for _, dl := range p.Limits {
		if dl.Denom != denom {
			continue
		}
		for _, tl := range dl.Tiers {
			if tl.Tier == w.Tier {
				tighten(tl.Limits)
			}
		}
	}
	for _, wl := range w.Limits {
		if wl.Denom == denom {
			tighten(wl.Limits)
		}
	}
	return out
}

func stricter(a, b uint64) uint64 {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	default:
		return min(a, b)
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
