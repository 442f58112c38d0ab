package credit

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/proto"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/arith"
	"github.com/ledgerd/ledgerd/x/calendar"
)

// A portfolio counts each overdue loan's overdue principal and interest in
// the delinquency bucket of its days past due today. Those grow by the
// calendar; rather than waking every loan as it crosses a bucket's
// threshold (a read and a write of the loan, for a move nobody else sees),
// the credit store keeps, beside the portfolios, the overdue amount of
// each lender's loans in each denom by the day they have been overdue
// since, indexed under the day that amount next crosses a threshold. The
// day's first block moves each amount whose day has come to its next
// bucket and indexes it under its next crossing: one write per lender,
// denom and day overdue since, whatever the number of loans. A loan's
// overdue amount is still counted as of its own as-of day (it changes only
// when the loan is saved: at a grace end, a repayment), its bucket as of
// today (BucketOn).

// final is the crossing day of an amount in the last bucket: none.
const final = calendar.Day(math.MaxInt64)

// BucketOn is the delinquency bucket, 1 to 7, in which a portfolio counts
// on day a loan overdue since since: that of its days past due then, and
// at least 1 (a loan counts as overdue from the day it is marked so).
func BucketOn(since, day calendar.Day) int {
	if day <= since {
		return 1
	}
	return max(Bucket(uint32(min(day-since, math.MaxUint32))), 1)
}

// nextCrossing is the first day after day on which an amount overdue since
// since changes bucket (final once in the last bucket).
func nextCrossing(since, day calendar.Day) calendar.Day {
	for _, t := range bucketThresholds[1:] {
		if d := since + calendar.Day(t); d > day {
			return d
		}
	}
	return final
}

// OverdueSince returns the overdue amount of lender's loans in denom that
// have been overdue since since, as indexed under its crossing day cross
// (0 if none).
func (v View) OverdueSince(cross, since calendar.Day, lender, denom string) uint64 {
	b := v.r.Get(overdueDayKey(cross, since, lender, denom))
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// addOverdueDay adds (or takes away) c's overdue amount to the amount of
// its lender and denom overdue since its day, as of today (the amounts
// aged to today); an amount that reaches 0 leaves the store.
func (k Keeper) addOverdueDay(c contribution, today calendar.Day, add bool) error {
	if c.lender == "" || c.overdue == 0 {
		return nil
	}
	return k.addOverdue(nextCrossing(c.overdueSince, today), c.overdueSince, c.lender, c.denom, c.overdue, add)
}

func (k Keeper) addOverdue(cross, since calendar.Day, lender, denom string, amount uint64, add bool) error {
	key := overdueDayKey(cross, since, lender, denom)
	v, err := k.OverdueSince(cross, since, lender, denom), error(nil)
	if add {
		v, err = arith.Add(v, amount)
	} else {
		v, err = arith.Sub(v, amount)
	}
	if err != nil {
		return ErrArithmetic
	}
	if v == 0 {
		k.kv.Delete(key)
		return nil
	}
	k.kv.Set(key, binary.BigEndian.AppendUint64(nil, v))
	return nil
}

// ageOverdue brings the portfolios' overdue buckets up to today: every
// amount whose crossing day has come moves from the bucket of the day
// before its crossing to today's, and is indexed under its next crossing.
// Its work is the (day overdue since, lender, denom) amounts that cross
// today, no loan is read; on a day with none it is one seek and writes
// nothing. It runs first in the credit sweep and before any portfolio
// change (applyPortfolio), so that both see the buckets of today.
func (k Keeper) ageOverdue(today calendar.Day) error {
	type crossing struct {
		cross, since  calendar.Day
		lender, denom string
		v             uint64
	}
	var due []crossing
	store.Each(k.kv, []byte{prefixOverdueDay}, dayIDKey(prefixOverdueDay, today+1, 0)[:9], false, func(key, val []byte) bool {
		if cross, since, lender, denom, ok := parseOverdueDayKey(key); ok && len(val) == 8 {
			due = append(due, crossing{cross, since, lender, denom, binary.BigEndian.Uint64(val)})
		}
		return true
	})
	for _, c := range due {
		k.kv.Delete(overdueDayKey(c.cross, c.since, c.lender, c.denom))
		if err := k.addOverdue(nextCrossing(c.since, today), c.since, c.lender, c.denom, c.v, true); err != nil {
			return err
		}
		src, dst := BucketOn(c.since, c.cross-1)-1, BucketOn(c.since, today)-1
		p := k.Portfolio(c.lender, c.denom)
		for len(p.Overdue) < 7 {
			p.Overdue = append(p.Overdue, 0)
		}
		var err error
		if p.Overdue[src], err = arith.Sub(p.Overdue[src], c.v); err != nil {
			return ErrArithmetic
		}
		if p.Overdue[dst], err = arith.Add(p.Overdue[dst], c.v); err != nil {
			return ErrArithmetic
		}
		k.setProto(PortfolioKey(p.Lender, p.Denom), p)
	}
	return nil
}

// checkOverdueDays recomputes the overdue amounts by day from the loans
// and compares them with those kept, and returns each (lender/denom)'s
// overdue amounts by the bucket their crossing days give (for
// CheckPortfolios).
func checkOverdueDays(r store.Reader) (map[string][]uint64, error) {
	want := map[string]uint64{}
	var err error
	store.EachPrefix(r, LoanPrefix(), false, func(_, v []byte) bool {
		l := new(creditv1.Loan)
		if err = proto.Unmarshal(v, l); err != nil {
			return false
		}
		if c := contributionOf(l); c.lender != "" && c.overdue > 0 {
			want[string(overdueDayKey(0, c.overdueSince, c.lender, c.denom))] += c.overdue
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	buckets := map[string][]uint64{}
	have := 0
	store.EachPrefix(r, []byte{prefixOverdueDay}, false, func(key, val []byte) bool {
		cross, since, lender, denom, ok := parseOverdueDayKey(key)
		if !ok || len(val) != 8 {
			err = fmt.Errorf("credit: overdue amount by day %x=%x is malformed", key, val)
			return false
		}
		have++
		if cross != final && nextCrossing(since, cross-1) != cross {
			err = fmt.Errorf("credit: overdue amount by day %x is indexed under %s, not a crossing of %s", key, cross, since)
			return false
		}
		if w := want[string(overdueDayKey(0, since, lender, denom))]; binary.BigEndian.Uint64(val) != w {
			err = fmt.Errorf("credit: overdue amount of %s/%s since %s is %d, its loans sum to %d", lender, denom, since, binary.BigEndian.Uint64(val), w)
			return false
		}
		b := 7
		if cross != final {
			b = BucketOn(since, cross-1)
		}
		pd := lender + "/" + denom
		if buckets[pd] == nil {
			buckets[pd] = make([]uint64, 7)
		}
		buckets[pd][b-1] += binary.BigEndian.Uint64(val)
		return true
	})
	if err == nil && have != len(want) {
		err = fmt.Errorf("credit: %d overdue amounts by day kept, the loans give %d", have, len(want))
	}
	return buckets, err
}
