package aml

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Query paths. The app routes every path under QueryPrefix to Query.
//
//	/aml/params                               -> amlv1.Params
//	/aml/reports/<by>/<value>[/after/<id>]    -> amlv1.Reports
//	/aml/alerts/<by>/<value>[/after/<id>]     -> amlv1.Alerts
//
// <by>/<value> is day/<day number> (days since 1970-01-01 in the
// consortium's time zone, as in the records; ParseDay converts a date),
// bank/<member id> or wallet/<0x address>. A list holds the matching
// records with ids greater than <id> (0 if absent), in id order, at most
// MaxPage of them: a full page may have more after it, so ask again with
// after = the last id; a shorter page is the end.
const (
	QueryPrefix = "/aml/"
	ParamsPath  = "/aml/params"
	// MaxPage is the most records one answer holds.
	MaxPage = 1000
)

// List kinds and filters, as they appear in query paths.
const (
	KindReports = "reports"
	KindAlerts  = "alerts"
	ByDay       = "day"
	ByBank      = "bank"
	ByWallet    = "wallet"
)

// maxBankLen is the longest member id (package consortium).
const maxBankLen = 32

// Filter selects the records of one day, one bank of record or one wallet.
type Filter struct {
	By     string // ByDay, ByBank or ByWallet
	Day    int64
	Bank   string
	Wallet common.Address
}

// ParseFilter parses a list query's <by> and <value>: a day number, a
// member id, or a 0x-prefixed address (ErrInvalidQuery).
func ParseFilter(by, value string) (Filter, error) {
	f := Filter{By: by}
	switch by {
	case ByDay:
		day, err := strconv.ParseInt(value, 10, 64)
		if err != nil {
			return f, errcode.Wrap(ErrInvalidQuery, "day %q: want a day number (days since 1970-01-01)", value)
		}
		f.Day = day
	case ByBank:
		if value == "" || len(value) > maxBankLen || strings.Contains(value, "/") {
			return f, errcode.Wrap(ErrInvalidQuery, "bank %q: want a member id of 1 to %d bytes", value, maxBankLen)
		}
		f.Bank = value
	case ByWallet:
		if !strings.HasPrefix(value, "0x") || !common.IsHexAddress(value) {
			return f, errcode.Wrap(ErrInvalidQuery, "wallet %q: want a 0x-prefixed 20-byte hex address", value)
		}
		f.Wallet = common.HexToAddress(value)
	default:
		return f, errcode.Wrap(ErrInvalidQuery, "list by %q: want day, bank or wallet", by)
	}
	return f, nil
}

// Value returns the filter's <value> as it appears in a query path.
func (f Filter) Value() string {
	switch f.By {
	case ByDay:
		return strconv.FormatInt(f.Day, 10)
	case ByBank:
		return f.Bank
	}
	return f.Wallet.Hex()
}

// MatchReport reports whether r belongs in f's list.
func (f Filter) MatchReport(r *amlv1.Report) bool { return f.match(r.Day, r.Bank, r.Wallet) }

// MatchAlert reports whether a belongs in f's list.
func (f Filter) MatchAlert(a *amlv1.Alert) bool { return f.match(a.Day, a.Bank, a.Wallet) }

func (f Filter) match(day int64, bank string, wallet []byte) bool {
	switch f.By {
	case ByDay:
		return day == f.Day
	case ByBank:
		return bank == f.Bank
	case ByWallet:
		return len(wallet) == common.AddressLength && common.BytesToAddress(wallet) == f.Wallet
	}
	return false
}

// prefix returns the index prefix of f's entries of kind.
func (f Filter) prefix(kind string) []byte {
	byDay, byBank, byWallet := prefixReportByDay, prefixReportByBank, prefixReportByWallet
	if kind == KindAlerts {
		byDay, byBank, byWallet = prefixAlertByDay, prefixAlertByBank, prefixAlertByWallet
	}
	switch f.By {
	case ByDay:
		return dayPrefix(byDay, f.Day)
	case ByBank:
		return bankPrefix(byBank, f.Bank)
	}
	return walletPrefix(byWallet, f.Wallet)
}

// ReportsPath and AlertsPath return the query path of a page of f's
// reports or alerts with ids greater than after.
func ReportsPath(f Filter, after uint64) string { return listPath(KindReports, f, after) }

// AlertsPath: see ReportsPath.
func AlertsPath(f Filter, after uint64) string { return listPath(KindAlerts, f, after) }

func listPath(kind string, f Filter, after uint64) string {
	p := QueryPrefix + kind + "/" + f.By + "/" + f.Value()
	if after > 0 {
		p += "/after/" + strconv.FormatUint(after, 10)
	}
	return p
}

// Query answers a path under QueryPrefix from the committed version v with
// the deterministic protobuf encoding of the answer. An unknown path fails
// with ErrUnknownQuery, a malformed value with ErrInvalidQuery. Its work is
// bounded: at most MaxPage records, and at most 8*255 index seeks to start
// after a cursor. It only reads v and is safe for concurrent use.
func Query(v *store.Version, path string) ([]byte, error) {
	r, err := v.Reader(StoreName)
	if err != nil {
		return nil, err
	}
	if path == ParamsPath {
		return marshal(NewView(r).Params())
	}
	parts := strings.Split(strings.TrimPrefix(path, QueryPrefix), "/")
	if !strings.HasPrefix(path, QueryPrefix) || (len(parts) != 3 && len(parts) != 5) ||
		(parts[0] != KindReports && parts[0] != KindAlerts) || (len(parts) == 5 && parts[3] != "after") {
		return nil, errcode.Wrap(ErrUnknownQuery, "%q: want %s, or %s{reports|alerts}/{day|bank|wallet}/<value>[/after/<id>]",
			path, ParamsPath, QueryPrefix)
	}
	f, err := ParseFilter(parts[1], parts[2])
	if err != nil {
		return nil, err
	}
	var after uint64
	if len(parts) == 5 {
		if after, err = strconv.ParseUint(parts[4], 10, 64); err != nil {
			return nil, errcode.Wrap(ErrInvalidQuery, "after %q: want a record id", parts[4])
		}
	}
	view := NewView(r)
	iterate := func(prefix []byte, fn func(key []byte) bool) error {
		return v.Iterate(StoreName, prefix, func(k, _ []byte) bool { return fn(k) })
	}
	var missing uint64 // an index entry without its record: corrupted state
	if parts[0] == KindReports {
		out := new(amlv1.Reports)
		err := list(iterate, f.prefix(KindReports), after, view.LastReportID(), func(id uint64) bool {
			rep, ok := view.Report(id)
			if !ok {
				missing = id
				return false
			}
			out.Reports = append(out.Reports, rep)
			return len(out.Reports) < MaxPage
		})
		return answer(out, err, "report", missing)
	}
	out := new(amlv1.Alerts)
	err = list(iterate, f.prefix(KindAlerts), after, view.LastAlertID(), func(id uint64) bool {
		a, ok := view.Alert(id)
		if !ok {
			missing = id
			return false
		}
		out.Alerts = append(out.Alerts, a)
		return len(out.Alerts) < MaxPage
	})
	return answer(out, err, "alert", missing)
}

func answer(m proto.Message, err error, what string, missing uint64) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	if missing != 0 {
		return nil, fmt.Errorf("aml: corrupted state: an index lists %s %d, which does not exist", what, missing)
	}
	return marshal(m)
}

// list calls fn with the id of each index entry under prefix that is
// greater than after, in ascending order, until fn returns false. last is
// the highest id issued.
//
// The store iterates by prefix only, so the ids in (after, last] are
// covered by aligned blocks, each the set of ids sharing their leading
// bytes: from b = after+1, the block of ids that agree with b on all but
// its trailing zero bytes, then the next block from its end. Block sizes
// grow by a factor 256 each time b reaches a multiple of the next power of
// 256, so there are at most 255 blocks per byte of an id: a bounded number
// of seeks whatever after is. The first block, whose ids agree with b on 7
// bytes, is read as the 256 ids around b, skipping those <= after, to save
// up to 255 seeks of single ids.
func list(iterate func(prefix []byte, fn func(key []byte) bool) error, prefix []byte, after, last uint64, fn func(id uint64) bool) error {
	more := true
	visit := func(key []byte) bool {
		id := binary.BigEndian.Uint64(key[len(key)-8:])
		if id <= after {
			return true
		}
		more = fn(id)
		return more
	}
	if after == 0 {
		return iterate(prefix, visit)
	}
	if after >= last {
		return nil
	}
	b := after + 1
	var buf [8]byte
	for more {
		k := 1 // trailing bytes the block leaves free: at least 1 (see above)
		for k < 7 && b>>(8*k)&0xff == 0 && b&(1<<(8*k)-1) == 0 {
			k++
		}
		binary.BigEndian.PutUint64(buf[:], b)
		p := append(append(make([]byte, 0, len(prefix)+8), prefix...), buf[:8-k]...)
		if err := iterate(p, visit); err != nil {
			return err
		}
		start := b &^ (1<<(8*k) - 1)
		end := start + 1<<(8*k) - 1 // the block's last id
		if end >= last {
			return nil
		}
		b = end + 1
	}
	return nil
}

func marshal(m proto.Message) ([]byte, error) {
	return proto.MarshalOptions{Deterministic: true}.Marshal(m)
}
