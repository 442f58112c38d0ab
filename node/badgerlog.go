package node

import (
	"fmt"
	"strings"

	cmtlog "github.com/cometbft/cometbft/libs/log"
	badger "github.com/dgraph-io/badger/v4"
)

// badgerLogger passes the log of one of the node's Badger databases (the
// state store, db=state; the history index, db=history) on to the node's
// log, under module=badger, where the node's log level filters it with the
// rest: Badger's errors as errors, and its warnings and information (a
// dozen lines over a run: the database opened and closed, level 0
// compacted after a genesis, and each compaction that took over 2 s, with
// its levels, tables in and out and its time, the likeliest cause of a run
// of slow blocks) as information. Badger's debug output, a line for each
// compaction it considers, is dropped.
type badgerLogger struct{ l cmtlog.Logger }

var _ badger.Logger = badgerLogger{}

func newBadgerLogger(l cmtlog.Logger, db string) badgerLogger {
	return badgerLogger{l.With("module", "badger", "db", db)}
}

func (b badgerLogger) Errorf(format string, args ...any) { b.l.Error(badgerMessage(format, args)) }

func (b badgerLogger) Warningf(format string, args ...any) {
	b.l.Info(badgerMessage(format, args), "badger_level", "warning")
}

func (b badgerLogger) Infof(format string, args ...any) { b.l.Info(badgerMessage(format, args)) }

func (badgerLogger) Debugf(string, ...any) {}

// badgerMessage formats one of Badger's lines, which end in a newline of
// their own.
func badgerMessage(format string, args []any) string {
	return strings.TrimSpace(fmt.Sprintf(format, args...))
}
