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
	"github.com/ledgerd/ledgerd/x/module"
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

// queryList answers reports/... and alerts/...: <by>/<value>[/after/<id>].
// An unknown path fails with ErrUnknownQuery, a malformed value with
// ErrInvalidQuery. Its work is bounded: at most MaxPage records from one
// range scan.
func queryList(kind string) func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	return func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
		parts := strings.Split(rest, "/")
		if (len(parts) != 2 && len(parts) != 4) || (len(parts) == 4 && parts[2] != "after") {
			return nil, errcode.Wrap(module.ErrUnknownQuery, "%q: want %s, or %s{reports|alerts}/{day|bank|wallet}/<value>[/after/<id>]",
				QueryPrefix+kind+"/"+rest, ParamsPath, QueryPrefix)
		}
		f, err := ParseFilter(parts[0], parts[1])
		if err != nil {
			return nil, err
		}
		var after uint64
		if len(parts) == 4 {
			if after, err = strconv.ParseUint(parts[3], 10, 64); err != nil {
				return nil, errcode.Wrap(ErrInvalidQuery, "after %q: want a record id", parts[3])
			}
		}
		r := s.Reader(StoreName)
		view := NewView(r)
		prefix := f.prefix(kind)
		ids := listIDs(r, prefix, after, MaxPage)
		if kind == KindReports {
			out := new(amlv1.Reports)
			for _, id := range ids {
				rep, ok := view.Report(id)
				if !ok {
					return nil, fmt.Errorf("aml: corrupted state: an index lists report %d, which does not exist", id)
				}
				out.Reports = append(out.Reports, rep)
			}
			return out, nil
		}
		out := new(amlv1.Alerts)
		for _, id := range ids {
			a, ok := view.Alert(id)
			if !ok {
				return nil, fmt.Errorf("aml: corrupted state: an index lists alert %d, which does not exist", id)
			}
			out.Alerts = append(out.Alerts, a)
		}
		return out, nil
	}
}

// listIDs returns up to limit ids of the index entries under prefix that
// are greater than after, in ascending order: one range scan from
// prefix|after+1.
func listIDs(r store.Reader, prefix []byte, after uint64, limit int) []uint64 {
	if after == ^uint64(0) {
		return nil
	}
	var ids []uint64
	store.Each(r, entryKey(prefix, after+1), store.PrefixEnd(prefix), false, func(k, _ []byte) bool {
		ids = append(ids, binary.BigEndian.Uint64(k[len(k)-8:]))
		return len(ids) < limit
	})
	return ids
}
