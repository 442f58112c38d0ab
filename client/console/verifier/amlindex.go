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

// AMLPageSize is how many records a page of an AML index lookup holds.
const AMLPageSize = 100

// amlPageSize is AMLPageSize; tests make it smaller.
var amlPageSize = AMLPageSize

// maxAMLBank is the longest member id (x/consortium).
const maxAMLBank = 32

// AMLIndexView is a page of the AML page's lookup: the reports or alerts
// of one day, bank of record or wallet with ids greater than After, in id
// order. The index's entries are walked as a proven complete range of the
// AML store (every entry proven present, the gaps proven empty), and each
// record is proven by its id, all at one height.
type AMLIndexView struct {
	Proof     Section     `json:"proof"`
	UTCOffset int32       `json:"utc_offset"`
	Kind      string      `json:"kind"`
	By        string      `json:"by"`
	Value     string      `json:"value"`
	After     uint64      `json:"after"`
	Reports   []AMLReport `json:"reports"`
	Alerts    []AMLAlert  `json:"alerts"`
	// Next is the id to pass as after for the next page; 0: this page is
	// the last (proven: no entry of the index follows).
	Next uint64 `json:"next"`
}

// AMLIndex proves a page of the reports or alerts (kind) of a day
// (YYYY-MM-DD), a bank (member id) or a wallet (0x address) (by, value)
// whose ids are greater than after. Bad arguments are an error; a failed
// proof is the view's red Proof.
func (v *Verifier) AMLIndex(ctx context.Context, kind, by, value string, after uint64) (*AMLIndexView, error) {
	prefix, err := amlIndexPrefix(kind, by, value)
	if err != nil {
		return nil, err
	}
	out := &AMLIndexView{Kind: kind, By: by, Value: value, After: after, Reports: []AMLReport{}, Alerts: []AMLAlert{}}
	offset, dec, mark, err := v.units(ctx)
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	out.UTCOffset = offset
	if after == ^uint64(0) { // no id follows
		out.Proof = verified(mark)
		return out, nil
	}
	start := prefix
	if after > 0 {
		start = binary.BigEndian.AppendUint64(append([]byte(nil), prefix...), after+1)
	}
	// One entry more than a page: whether there is a next page is proven too.
	entries, _, _, err := v.rangeFrom(ctx, amlStore, start, prefix, nil, mark.Height, amlPageSize+1)
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	if len(entries) > amlPageSize {
		entries = entries[:amlPageSize]
		out.Next = binary.BigEndian.Uint64(entries[amlPageSize-1].key[len(prefix):])
	}
	ids := make([]uint64, len(entries))
	for i, e := range entries {
		if len(e.key) != len(prefix)+8 {
			out.Proof = failed(fmt.Errorf("aml index entry %X is not prefix | id: %w", e.key, ErrNotVerified))
			return out, nil
		}
		ids[i] = binary.BigEndian.Uint64(e.key[len(prefix):])
	}
	recordPrefix, newRecord := amlReportPrefix, func() proto.Message { return new(amlv1.Report) }
	if kind == "alerts" {
		recordPrefix, newRecord = amlAlertPrefix, func() proto.Message { return new(amlv1.Alert) }
	}
	records, err := v.amlRecords(ctx, recordPrefix, ids, mark.Height, newRecord)
	if err != nil {
		out.Proof = failed(err)
		return out, nil
	}
	for i, m := range records {
		var id uint64
		var day int64
		var bank string
		var wallet []byte
		switch r := m.(type) {
		case *amlv1.Report:
			id, day, bank, wallet = r.Id, r.Day, r.Bank, r.Wallet
			out.Reports = append(out.Reports, AMLReport{ID: r.Id, Day: dayText(r.Day), Bank: r.Bank, Wallet: common.BytesToAddress(r.Wallet).Hex(),
				Direction: strings.ToLower(strings.TrimPrefix(r.Direction.String(), "DIRECTION_")), Amount: dec.Amount(r.Amount, r.Denom),
				Height: r.Height, Time: r.Time})
		case *amlv1.Alert:
			id, day, bank, wallet = r.Id, r.Day, r.Bank, r.Wallet
			out.Alerts = append(out.Alerts, AMLAlert{ID: r.Id, Day: dayText(r.Day), Bank: r.Bank, Wallet: common.BytesToAddress(r.Wallet).Hex(),
				Payments: r.Payments, Height: r.Height, Time: r.Time})
		}
		// The record must be the one its index entry names (the chain
		// writes both; this is a check of the proven state, not the node).
		if own := amlRecordPrefix(kind, by, day, bank, wallet); id != ids[i] || string(own) != string(prefix) {
			out.Proof = failed(fmt.Errorf("aml record %d does not belong to the index entry that names it: %w", ids[i], ErrNotVerified))
			out.Reports, out.Alerts, out.Next = []AMLReport{}, []AMLAlert{}, 0
			return out, nil
		}
	}
	out.Proof = verified(mark)
	return out, nil
}

// amlIndexPrefix is the index prefix of a lookup's entries.
func amlIndexPrefix(kind, by, value string) ([]byte, error) {
	byKind, ok := amlIndexPrefixes[kind]
	if !ok {
		return nil, fmt.Errorf("kind %q: want reports or alerts", kind)
	}
	index, ok := byKind[by]
	if !ok {
		return nil, fmt.Errorf("by %q: want day, bank or wallet", by)
	}
	switch by {
	case "day":
		t, err := time.Parse(time.DateOnly, value)
		if err != nil {
			return nil, fmt.Errorf("day %q: want YYYY-MM-DD, a calendar date", value)
		}
		return amlDayPrefix(index, t.Unix()/86400), nil
	case "bank":
		if value == "" || len(value) > maxAMLBank {
			return nil, fmt.Errorf("bank %q: want a member id of 1 to %d bytes", value, maxAMLBank)
		}
		return amlBankPrefix(index, value), nil
	}
	if !strings.HasPrefix(value, "0x") || !common.IsHexAddress(value) {
		return nil, fmt.Errorf("wallet %q: want a 0x-prefixed 20-byte hex address", value)
	}
	return amlWalletPrefix(index, common.HexToAddress(value).Bytes()), nil
}

// amlRecordPrefix is the prefix of the index entry a record with these
// fields has in the by index of kind.
func amlRecordPrefix(kind, by string, day int64, bank string, wallet []byte) []byte {
	index := amlIndexPrefixes[kind][by]
	switch by {
	case "day":
		return amlDayPrefix(index, day)
	case "bank":
		return amlBankPrefix(index, bank)
	}
	return amlWalletPrefix(index, wallet)
}

// amlRecords proves the records ids under prefix, several at a time; each
// must be present.
func (v *Verifier) amlRecords(ctx context.Context, prefix byte, ids []uint64, height int64, newRecord func() proto.Message) ([]proto.Message, error) {
	out := make([]proto.Message, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallelPages)
	for i, id := range ids {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int, id uint64) {
			defer func() { <-sem; wg.Done() }()
			m := newRecord()
			found, _, err := v.ReadProto(ctx, amlStore, binary.BigEndian.AppendUint64([]byte{prefix}, id), height, m)
			if err == nil && !found {
				err = fmt.Errorf("aml record %d is in the index but proven absent: %w", id, ErrNotVerified)
			}
			out[i], errs[i] = m, err
		}(i, id)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
