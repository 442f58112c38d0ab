package settle

import (
	"bytes"
	"fmt"

	"google.golang.org/protobuf/proto"

	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
)

// HistorySubject is the subject of cycles' history chains: the id is the
// cycle id, 8 bytes big-endian.
const HistorySubject = "cycle"

// CycleHistoryID is the history id of cycle id.
func CycleHistoryID(id uint64) []byte { return history.SerialID(id) }

// ParseCycleID reads a cycle id as people write it: a decimal number.
var ParseCycleID = history.ParseSerialID("cycle")

// EncodeCycleEntry is the canonical encoding of e, which the cycle's
// accumulator hashes.
func EncodeCycleEntry(e *settlev1.CycleEntry) []byte { return history.Encode(e) }

// DecodeCycleEntry decodes an indexed entry's data, refusing bytes that
// are not the canonical encoding of a cycle entry.
func DecodeCycleEntry(data []byte) (*settlev1.CycleEntry, error) {
	e := new(settlev1.CycleEntry)
	if err := proto.Unmarshal(data, e); err != nil {
		return nil, fmt.Errorf("cycle history entry: %w", err)
	}
	if !bytes.Equal(EncodeCycleEntry(e), data) {
		return nil, fmt.Errorf("cycle history entry is not canonically encoded")
	}
	return e, nil
}

// entry appends e to c's history chain, numbered and dated. The caller
// stores c.
func (mod *Module) entry(ctx exec.Context, c *settlev1.Cycle, e *settlev1.CycleEntry) {
	e.Cycle, e.Seq, e.Height, e.Time = c.Id, c.HistoryCount+1, ctx.Height, ctx.Time.Unix()
	ch := history.AppendMessage(ctx, HistorySubject, CycleHistoryID(c.Id), history.Chain{Count: c.HistoryCount, Head: c.HistoryHead}, e)
	c.HistoryCount, c.HistoryHead = ch.Count, ch.Head
}
