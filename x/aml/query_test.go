package aml

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// listAll pages through path's list (reports or alerts) and returns the ids
// and the number of pages.
func listAll(t *testing.T, v *store.Version, kind string, f Filter) (ids []uint64, pages int) {
	t.Helper()
	var after uint64
	for {
		var path string
		if kind == KindReports {
			path = ReportsPath(f, after)
		} else {
			path = AlertsPath(f, after)
		}
		b, err := Query(v, path)
		if err != nil {
			t.Fatalf("Query(%s): %v", path, err)
		}
		pages++
		var page []uint64
		if kind == KindReports {
			out := new(amlv1.Reports)
			if err := proto.Unmarshal(b, out); err != nil {
				t.Fatal(err)
			}
			for _, r := range out.Reports {
				if !f.MatchReport(r) {
					t.Fatalf("%s: report %v does not match", path, r)
				}
				page = append(page, r.Id)
			}
		} else {
			out := new(amlv1.Alerts)
			if err := proto.Unmarshal(b, out); err != nil {
				t.Fatal(err)
			}
			for _, a := range out.Alerts {
				if !f.MatchAlert(a) {
					t.Fatalf("%s: alert %v does not match", path, a)
				}
				page = append(page, a.Id)
			}
		}
		if len(page) > MaxPage {
			t.Fatalf("%s: page of %d", path, len(page))
		}
		ids = append(ids, page...)
		if len(page) < MaxPage {
			return ids, pages
		}
		after = page[len(page)-1]
	}
}

func TestQueryLists(t *testing.T) {
	e := newEnv(t, Genesis{})
	type rec struct {
		wallet common.Address
		bank   string
		day    int64
	}
	var reports, alerts []rec
	// 2,600 reports on two days, a third of them of bank-b; wallets
	// repeat every 7 so that by-wallet lists interleave.
	for i := range 2600 {
		r := rec{common.BigToAddress(common.Big1), "bank-a", baseDay + int64(i%2)}
		r.wallet[0] = byte(i % 7)
		r.wallet[1], r.wallet[2] = byte(i>>8), byte(i)
		if i%3 == 0 {
			r.bank = "bank-b"
		}
		f := in(r.wallet, r.day, "CNY", 0, threshold)
		f.Bank = r.bank
		e.flow(f)
		reports = append(reports, r)
		if i%10 == 0 {
			e.payments(wallet.Payments{Wallet: r.wallet, Bank: r.bank, Day: r.day, Payments: 101})
			alerts = append(alerts, r)
		}
	}
	v := e.commit()

	filters := []Filter{
		{By: ByDay, Day: baseDay}, {By: ByDay, Day: baseDay + 1}, {By: ByDay, Day: baseDay + 2}, {By: ByDay, Day: -3},
		{By: ByBank, Bank: "bank-a"}, {By: ByBank, Bank: "bank-b"}, {By: ByBank, Bank: "bank"},
		{By: ByWallet, Wallet: reports[0].wallet}, {By: ByWallet, Wallet: reports[2599].wallet}, {By: ByWallet},
	}
	for _, f := range filters {
		for _, kind := range []string{KindReports, KindAlerts} {
			t.Run(fmt.Sprintf("%s/%s/%s", kind, f.By, f.Value()), func(t *testing.T) {
				recs := reports
				if kind == KindAlerts {
					recs = alerts
				}
				var want []uint64
				for i, r := range recs {
					if f.match(r.day, r.bank, r.wallet[:]) {
						want = append(want, uint64(i+1))
					}
				}
				got, pages := listAll(t, v, kind, f)
				if !slices.Equal(got, want) {
					t.Fatalf("%d ids %v..., want %d", len(got), got[:min(5, len(got))], len(want))
				}
				if wantPages := len(want)/MaxPage + 1; pages != wantPages {
					t.Fatalf("%d pages, want %d", pages, wantPages)
				}
			})
		}
	}
	// A cursor in the middle of a list, and past its end.
	f := Filter{By: ByBank, Bank: "bank-b"}
	b, err := Query(v, ReportsPath(f, 1000))
	if err != nil {
		t.Fatal(err)
	}
	out := new(amlv1.Reports)
	if err := proto.Unmarshal(b, out); err != nil {
		t.Fatal(err)
	}
	if len(out.Reports) == 0 || out.Reports[0].Id != 1003 {
		t.Fatalf("after 1000: first %v", out.Reports[:1])
	}
	for _, after := range []uint64{2600, 2601, math.MaxUint64} {
		if b, err := Query(v, ReportsPath(f, after)); err != nil || len(b) != 0 {
			t.Fatalf("after %d: %x, %v", after, b, err)
		}
	}
}

// TestListCursor checks listIDs, one range scan from a cursor, against a
// plain filter, with ids spread over every byte of the id and a
// neighbouring index that must not leak in.
func TestListCursor(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	prefix := []byte{0x04, 3, 'b', 'n', 'k'}
	idSet := map[uint64]bool{}
	for _, id := range []uint64{1, 2, 255, 256, 257, 511, 512, 65535, 65536, 65537, 1 << 24, 1<<32 - 1, 1 << 56, 1<<56 + 1, math.MaxUint64 - 1, math.MaxUint64} {
		idSet[id] = true
	}
	for range 300 {
		idSet[rng.Uint64()>>(rng.IntN(64))] = true
	}
	var ids []uint64
	for id := range idSet {
		if id > 0 {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	o := store.NewOverlay(store.Empty)
	for _, id := range ids {
		o.Set(entryKey(prefix, id), indexValue)
		o.Set(entryKey([]byte{0x04, 3, 'b', 'n', 'l'}, id), indexValue) // a neighbouring index
		o.Set(entryKey([]byte{0x04, 3, 'b', 'n', 'j'}, id), indexValue)
	}
	afters := []uint64{0, 1, 254, 255, 256, 65535, 1 << 40, math.MaxUint64 - 1, math.MaxUint64}
	for range 200 {
		afters = append(afters, rng.Uint64()>>(rng.IntN(64)))
	}
	for _, after := range afters {
		for _, limit := range []int{1, 10, len(ids) + 1} {
			var want []uint64
			for _, id := range ids {
				if id > after && len(want) < limit {
					want = append(want, id)
				}
			}
			if got := listIDs(o, prefix, after, limit); !slices.Equal(got, want) {
				t.Fatalf("after %d limit %d: %v, want %v", after, limit, got, want)
			}
		}
	}
}

func TestQueryPaths(t *testing.T) {
	e := newEnv(t, Genesis{LargeValue: []GenesisThreshold{{"USD", "7"}}})
	e.flow(in(walletA, baseDay, "USD", 0, 7))
	// An index entry without its record: the query fails, it does not panic.
	e.b.KV(StoreName).Set(entryKey(bankPrefix(prefixAlertByBank, "bank-x"), 1), indexValue)
	v := e.commit()
	if _, err := Query(v, "/aml/alerts/bank/bank-x"); err == nil || !strings.Contains(err.Error(), "corrupted") {
		t.Fatalf("dangling index entry: %v", err)
	}

	b, err := Query(v, ParamsPath)
	if err != nil {
		t.Fatal(err)
	}
	p := new(amlv1.Params)
	if err := proto.Unmarshal(b, p); err != nil || p.VelocityLimit != 100 || len(p.LargeValue) != 1 || p.LargeValue[0].Amount != 7 {
		t.Fatalf("params %v, %v", p, err)
	}
	for _, path := range []string{
		"/aml/reports/day/20780", "/aml/reports/day/-1", "/aml/reports/bank/bank-a", "/aml/alerts/bank/bank-a",
		"/aml/reports/wallet/" + walletA.Hex(), "/aml/reports/wallet/0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1",
		"/aml/reports/bank/bank-a/after/0", "/aml/alerts/day/20780/after/18446744073709551615",
	} {
		if _, err := Query(v, path); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
	b, _ = Query(v, "/aml/reports/wallet/0xa1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1")
	rs := new(amlv1.Reports)
	if err := proto.Unmarshal(b, rs); err != nil || len(rs.Reports) != 1 || rs.Reports[0].Denom != "USD" {
		t.Fatalf("lower-case address: %v, %v", rs, err)
	}
	for _, tc := range []struct {
		path string
		want error
	}{
		{"/aml", module.ErrUnknownQuery},
		{"/aml/", module.ErrUnknownQuery},
		{"/aml/param", module.ErrUnknownQuery},
		{"/aml/params/x", module.ErrUnknownQuery},
		{"/aml/reports", module.ErrUnknownQuery},
		{"/aml/reports/day", module.ErrUnknownQuery},
		{"/aml/reports/day/1/after", module.ErrUnknownQuery},
		{"/aml/reports/day/1/before/2", module.ErrUnknownQuery},
		{"/aml/reports/day/1/after/2/x", module.ErrUnknownQuery},
		{"/aml/report/day/1", module.ErrUnknownQuery},
		{"/wallet/reports/day/1", module.ErrUnknownQuery},
		{"/aml/reports/month/1", ErrInvalidQuery},
		{"/aml/reports/day/2026-11-23", ErrInvalidQuery},
		{"/aml/reports/day/", ErrInvalidQuery},
		{"/aml/reports/bank/", ErrInvalidQuery},
		{"/aml/reports/bank/" + string(bytes.Repeat([]byte("b"), 33)), ErrInvalidQuery},
		{"/aml/reports/wallet/a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", ErrInvalidQuery},
		{"/aml/reports/wallet/0x1234", ErrInvalidQuery},
		{"/aml/reports/day/1/after/-1", ErrInvalidQuery},
		{"/aml/reports/day/1/after/x", ErrInvalidQuery},
	} {
		if _, err := Query(v, tc.path); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.path, err, tc.want)
		}
	}
}

func TestFilterPaths(t *testing.T) {
	for _, tc := range []struct {
		f    Filter
		path string
	}{
		{Filter{By: ByDay, Day: 20780}, "/aml/reports/day/20780"},
		{Filter{By: ByBank, Bank: "bank-a"}, "/aml/reports/bank/bank-a/after/9"},
		{Filter{By: ByWallet, Wallet: walletA}, "/aml/reports/wallet/" + walletA.Hex()},
	} {
		after := uint64(0)
		if tc.f.By == ByBank {
			after = 9
		}
		if p := ReportsPath(tc.f, after); p != tc.path {
			t.Errorf("ReportsPath = %s, want %s", p, tc.path)
		}
		back, err := ParseFilter(tc.f.By, tc.f.Value())
		if err != nil || back != tc.f {
			t.Errorf("ParseFilter(%s, %s) = %+v, %v", tc.f.By, tc.f.Value(), back, err)
		}
	}
	if p := AlertsPath(Filter{By: ByDay, Day: -2}, 0); p != "/aml/alerts/day/-2" {
		t.Errorf("AlertsPath = %s", p)
	}
}
