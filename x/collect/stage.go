package collect

import (
	"bytes"
	"encoding/binary"
	"fmt"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// The stage day, read only. A case's days past due move it to mid and
// late without a write of it (case.go, catchUp); what still has to appear
// on the day is the stage event for the banks' systems and the counts of
// open cases by stage. The counts are kept by the day each case is
// overdue since (Keeper.apply), so that a stage's count on a day is a sum
// over at most late_from days (View.StatsOn). The events come from
// scanStages: each day it walks the index of open cases by the day they
// are overdue since (prefixSince), over the days whose cases reach
// mid_from and late_from days past due today, at most sweep_per_block a
// block from a cursor (keyStageCursor), reading each case and writing
// nothing but the cursor.

// dayCountsMark is a key before every member's counts by day overdue
// since (the prefix alone, public, written at genesis and with the first
// count): the proof of absence of a member's first key there shows the key
// before it, which without it could be another party's private record
// (0x16, a collector's cases).
var dayCountsMark = []byte{prefixDayCount}

// DayCount returns member's open cases overdue since day whose stage
// follows their days past due: those at least early, those escalated to
// mid.
func (v View) DayCount(member string, day calendar.Day) [2]uint64 {
	return dayCountOf(v.r.Get(DayCountKey(member, day)))
}

func dayCountOf(b []byte) [2]uint64 {
	if len(b) != 16 {
		return [2]uint64{}
	}
	return [2]uint64{binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])}
}

// StatsOn returns member's statistics on day: the stored counts, with the
// open cases whose stage follows their days past due (stored as late)
// counted in their stage on day. It reads the stored record and member's
// counts by day overdue since of the last late_from days, so a proof of
// it is those keys and that range proven complete.
func (v View) StatsOn(member string, p *collectv1.Params, day calendar.Day) *collectv1.Stats {
	s := v.Stats(member)
	var lo calendar.Day
	if day > calendar.Day(p.LateFrom) {
		lo = day - calendar.Day(p.LateFrom) + 1
	}
	prefix := DayCountPrefix(member)
	end := append(binary.BigEndian.AppendUint64(bytes.Clone(prefix), ^uint64(0)), 0)
	store.Each(v.r, DayCountKey(member, lo), end, false, func(k, val []byte) bool {
		if len(val) != 16 {
			return true
		}
		since := calendar.Day(binary.BigEndian.Uint64(k[len(k)-8:]))
		n := dayCountOf(val)
		early := collectv1.Stage_STAGE_EARLY
		if day > since && uint64(day-since) >= uint64(p.MidFrom) {
			early = collectv1.Stage_STAGE_MID
		}
		move(s, early, n[0])
		move(s, collectv1.Stage_STAGE_MID, n[1])
		return true
	})
	return s
}

// move counts n cases of s's late ones at stage st instead.
func move(s *collectv1.Stats, st collectv1.Stage, n uint64) {
	late := &s.CasesByStage[collectv1.Stage_STAGE_LATE-1]
	n = min(n, *late) // consistent state has them (CheckCases)
	*late -= n
	s.CasesByStage[st-1] += n
}

// stageCursor is where the scan for stage events is: for the mid and the
// late crossing, the last key of the since index it went through.
type stageCursor [2][]byte

func (k Keeper) stageCursor() stageCursor {
	b := k.kv.Get([]byte{keyStageCursor})
	if len(b) != 34 {
		return stageCursor{}
	}
	return stageCursor{append([]byte{prefixSince}, b[:16]...), append([]byte{prefixSince}, b[17:33]...)}
}

func (k Keeper) setStageCursor(c stageCursor) {
	b := make([]byte, 0, 34)
	for _, key := range c {
		b = append(append(b, key[1:]...), 0)
	}
	k.kv.Set([]byte{keyStageCursor}, b)
}

// stageRange is the part of the since index the scan goes through today
// for the crossing of from days past due: after the cursor (or, the first
// time, the cases overdue since the day that crosses today) up to the
// cases overdue since that day.
func stageRange(cursor []byte, today calendar.Day, from uint32) (start, end []byte, ok bool) {
	if today <= calendar.Day(from) {
		return nil, nil, false
	}
	since := today - calendar.Day(from)
	end = sinceKey(since+1, 0)
	if cursor == nil {
		return sinceKey(since, 0), end, true
	}
	start = append(bytes.Clone(cursor), 0) // the key after the cursor
	return start, end, bytes.Compare(start, end) < 0
}

// scanStages emits the stage events of the open cases whose days past due
// reach mid_from or late_from today (or on a day the chain skipped), at
// most budget of them, and returns the budget left. It writes only its
// cursor.
func (mod *Module) scanStages(ctx exec.Context, k Keeper, budget int) (int, error) {
	cl := mod.clockOf(ctx, k)
	cur := k.stageCursor()
	moved := false
	for i, from := range []uint32{cl.p.MidFrom, cl.p.LateFrom} {
		start, end, ok := stageRange(cur[i], cl.today, from)
		if !ok || budget <= 0 {
			continue
		}
		for _, key := range store.Keys(k.kv, start, end, false, budget) {
			budget--
			cur[i], moved = key, true
			c, err := k.Case(idOfKey(key))
			if err != nil {
				return 0, fmt.Errorf("collect: since index names case %d: %w", idOfKey(key), err)
			}
			d := calendar.Day(c.OverdueSince) + calendar.Day(from)
			if c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN || calendar.Day(c.Opened) >= d {
				continue // its opening told its stage
			}
			if s := StageOn(cl.p, c, d); s != StageOn(cl.p, c, d-1) {
				mod.emitCase(ctx, StageAt(cl.p, c, d), "days past due")
			}
		}
	}
	if moved {
		for i := range cur {
			if cur[i] == nil { // keep the other crossing's place: today's start
				if since := cl.today - calendar.Day([]uint32{cl.p.MidFrom, cl.p.LateFrom}[i]); since > 0 {
					cur[i] = sinceKey(since, 0)
				} else {
					cur[i] = sinceKey(0, 0)
				}
			}
		}
		k.setStageCursor(cur)
	}
	return budget, nil
}

// stagesPending reports whether the scan has cases left for day.
func stagesPending(r store.Reader, day calendar.Day) bool {
	p := NewView(r).Params()
	b := r.Get([]byte{keyStageCursor})
	var cur stageCursor
	if len(b) == 34 {
		cur = stageCursor{append([]byte{prefixSince}, b[:16]...), append([]byte{prefixSince}, b[17:33]...)}
	}
	for i, from := range []uint32{p.MidFrom, p.LateFrom} {
		if start, end, ok := stageRange(cur[i], day, from); ok {
			if _, _, found := store.First(r, start, end); found {
				return true
			}
		}
	}
	return false
}
