package main

import "expvar"

// badgerWrites returns what Badger has written in this process, from its
// expvar counters: the bytes of the entries put into its memtables (what
// the node wrote) and the bytes of the tables its compactions wrote (what
// it wrote again). The harness opens one Badger database, the state
// store's, so the counters are that database's.
func badgerWrites() (written, compacted int64) {
	if v, ok := expvar.Get("badger_write_bytes_l0").(*expvar.Int); ok {
		written = v.Value()
	}
	if m, ok := expvar.Get("badger_write_bytes_compaction").(*expvar.Map); ok {
		m.Do(func(kv expvar.KeyValue) {
			if v, ok := kv.Value.(*expvar.Int); ok {
				compacted += v.Value()
			}
		})
	}
	return written, compacted
}
