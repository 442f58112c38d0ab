package node

import (
	cmtlog "github.com/cometbft/cometbft/libs/log"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/node/history"
)

// snapshotConfig is the app's snapshot configuration from c: snapshots in
// SnapshotDir, carrying the history index's entries when the node keeps
// one (idx not nil), logged under module=snapshots.
func snapshotConfig(home string, c Config, idx *history.Index, logger cmtlog.Logger) app.SnapshotConfig {
	log := logger.With("module", "snapshots")
	sc := app.SnapshotConfig{
		Dir:        SnapshotDir(home, c),
		Interval:   c.Snapshots.Interval,
		KeepRecent: c.Snapshots.KeepRecent,
		Log: func(msg string, kv ...any) {
			for i := 1; i < len(kv); i += 2 {
				if _, ok := kv[i].(error); ok {
					log.Error(msg, kv...)
					return
				}
			}
			log.Info(msg, kv...)
		},
	}
	if idx != nil {
		sc.History = historySnapshots{idx}
	}
	return sc
}

// historySnapshots gives the app the history index's snapshot side.
type historySnapshots struct{ *history.Index }

func (h historySnapshots) RestoreEntries(height int64) (app.HistoryRestore, error) {
	r, err := h.Index.RestoreEntries(height)
	if err != nil {
		return nil, err
	}
	return r, nil
}
