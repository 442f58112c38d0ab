package verifier

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
)

// AMLRecent is how many of the newest reports and alerts the AML page
// proves.
const AMLRecent = 100

// AMLView is what the AML page shows: the newest large-value reports and
// velocity alerts, each proven by its id, and complete: ids are issued
// consecutively up to the proven last id, so the newest n are ids last-n+1
// to last.
type AMLView struct {
	Proof     Section     `json:"proof"`
	UTCOffset int32       `json:"utc_offset"`
	Reports   []AMLReport `json:"reports"`
	Alerts    []AMLAlert  `json:"alerts"`
	// ReportCount and AlertCount are the proven last ids: how many exist.
	ReportCount uint64 `json:"report_count"`
	AlertCount  uint64 `json:"alert_count"`
}

// AMLReport is a large-value report: a wallet's inflow or outflow of a day
// reached the threshold.
type AMLReport struct {
	ID        uint64 `json:"id"`
	Day       string `json:"day"`
	Bank      string `json:"bank"`
	Wallet    string `json:"wallet"`
	Direction string `json:"direction"`
	Amount    Amount `json:"amount"`
	Height    int64  `json:"height"`
	Time      int64  `json:"time"`
}

// AMLAlert is a velocity alert: a wallet's payments of a day reached the
// limit.
type AMLAlert struct {
	ID       uint64 `json:"id"`
	Day      string `json:"day"`
	Bank     string `json:"bank"`
	Wallet   string `json:"wallet"`
	Payments uint32 `json:"payments"`
	Height   int64  `json:"height"`
	Time     int64  `json:"time"`
}

// AML proves, at one height, the last report and alert ids and the newest
// AMLRecent records of each.
func (v *Verifier) AML(ctx context.Context) (*AMLView, error) {
	out := &AMLView{Reports: []AMLReport{}, Alerts: []AMLAlert{}}
	offset, dec, mark, err := v.units(ctx)
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	out.UTCOffset = offset
	h := mark.Height
	if out.ReportCount, err = v.lastID(ctx, amlLastReportKey, h); err == nil {
		out.AlertCount, err = v.lastID(ctx, amlLastAlertKey, h)
	}
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	reports, err := v.newest(ctx, amlReportPrefix, out.ReportCount, h, func() proto.Message { return new(amlv1.Report) })
	if err == nil {
		var alerts []proto.Message
		if alerts, err = v.newest(ctx, amlAlertPrefix, out.AlertCount, h, func() proto.Message { return new(amlv1.Alert) }); err == nil {
			for _, m := range alerts {
				a := m.(*amlv1.Alert)
				out.Alerts = append(out.Alerts, AMLAlert{ID: a.Id, Day: dayText(a.Day), Bank: a.Bank, Wallet: common.BytesToAddress(a.Wallet).Hex(),
					Payments: a.Payments, Height: a.Height, Time: a.Time})
			}
		}
	}
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	for _, m := range reports {
		r := m.(*amlv1.Report)
		out.Reports = append(out.Reports, AMLReport{ID: r.Id, Day: dayText(r.Day), Bank: r.Bank, Wallet: common.BytesToAddress(r.Wallet).Hex(),
			Direction: strings.ToLower(strings.TrimPrefix(r.Direction.String(), "DIRECTION_")), Amount: dec.Amount(r.Amount, r.Denom),
			Height: r.Height, Time: r.Time})
	}
	out.Proof = verified(mark)
	return out, nil
}

// lastID proves a last-id counter (8 bytes big-endian; absent: 0).
func (v *Verifier) lastID(ctx context.Context, key byte, height int64) (uint64, error) {
	value, _, err := v.Read(ctx, amlStore, []byte{key}, height)
	if err != nil || value == nil {
		return 0, err
	}
	if len(value) != 8 {
		return 0, fmt.Errorf("aml counter %X is %d bytes, not 8: %w", key, len(value), ErrNotVerified)
	}
	return binary.BigEndian.Uint64(value), nil
}

// newest proves the records last, last-1, ... (at most AMLRecent) under
// prefix, several at a time; each must be present.
func (v *Verifier) newest(ctx context.Context, prefix byte, last uint64, height int64, newRecord func() proto.Message) ([]proto.Message, error) {
	n := min(last, AMLRecent)
	out := make([]proto.Message, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallelPages)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func(i uint64) {
			defer func() { <-sem; wg.Done() }()
			id := last - i
			m := newRecord()
			found, _, err := v.ReadProto(ctx, amlStore, binary.BigEndian.AppendUint64([]byte{prefix}, id), height, m)
			if err == nil && !found {
				err = fmt.Errorf("aml record %d is proven absent below the proven last id %d: %w", id, last, ErrNotVerified)
			}
			out[i], errs[i] = m, err
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// dayText is a day number (days since 1970-01-01 in the consortium's time
// zone) as a date.
func dayText(day int64) string {
	return time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
}
