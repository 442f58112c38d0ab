package app

import (
	"bytes"
	"fmt"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/history"
	"github.com/ledgerd/ledgerd/x/module"
)

// historyVerifier checks a snapshot's history entries against the
// accumulators of the restored state, whose app hash the light client
// verified: every subject's entries, seq 1 to its count, hash to its head,
// and every record with a non-empty history has its entries. So a
// state-synced node's history index is as complete as one built from the
// blocks, whoever sent the snapshot.
//
// Entries come in the index's order, grouped by (subject, id), seq
// ascending; a group may not come twice.
type historyVerifier struct {
	// height is the state's; stores reads it.
	height   int64
	stores   func(module string) (store.Reader, error)
	subjects map[string]subjectOf
	order    []string       // subject names, in module order
	verified map[string]int // groups verified, by subject

	group   []byte // (subject, id) of the group being read, length-prefixed
	subject subjectOf
	id      []byte
	count   uint64
	head    []byte
}

type subjectOf struct {
	module string
	h      module.HistorySubject
}

func newHistoryVerifier(reg *module.Registry, height int64, stores func(module string) (store.Reader, error)) *historyVerifier {
	hv := &historyVerifier{height: height, stores: stores, subjects: map[string]subjectOf{}, verified: map[string]int{}}
	for _, m := range reg.Modules() {
		for _, h := range m.Histories {
			hv.subjects[h.Name] = subjectOf{module: m.Name, h: h}
			hv.order = append(hv.order, h.Name)
		}
	}
	return hv
}

func lengthPrefixed(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(append(out, byte(len(p))), p...)
	}
	return out
}

func (hv *historyVerifier) add(e *historyv1.Entry) error {
	if e.Height > hv.height {
		return fmt.Errorf("snapshot: history entry %s %x #%d of height %d, after the snapshot's %d", e.Subject, e.Id, e.Seq, e.Height, hv.height)
	}
	group := lengthPrefixed([]byte(e.Subject), e.Id)
	if !bytes.Equal(group, hv.group) {
		if hv.group != nil && bytes.Compare(group, hv.group) <= 0 {
			return fmt.Errorf("snapshot: history of %s %x out of order", e.Subject, e.Id)
		}
		if err := hv.endGroup(); err != nil {
			return err
		}
		s, ok := hv.subjects[e.Subject]
		if !ok {
			return fmt.Errorf("snapshot: history entry of unknown subject %q", e.Subject)
		}
		hv.group, hv.subject, hv.id, hv.count, hv.head = group, s, e.Id, 0, nil
	}
	if e.Seq != hv.count+1 {
		return fmt.Errorf("snapshot: history of %s %x: entry #%d where #%d belongs", e.Subject, e.Id, e.Seq, hv.count+1)
	}
	hv.count++
	hv.head = history.Next(hv.head, e.Data)
	return nil
}

// endGroup checks the group read against its record's accumulator.
func (hv *historyVerifier) endGroup() error {
	if hv.group == nil {
		return nil
	}
	s := hv.subject
	key := s.h.Key(hv.id)
	if key == nil {
		return fmt.Errorf("snapshot: history of %s with a malformed id %x", s.h.Name, hv.id)
	}
	r, err := hv.stores(s.module)
	if err != nil {
		return err
	}
	value := r.Get(key)
	if value == nil {
		return fmt.Errorf("snapshot: history of %s %x, which the state does not hold", s.h.Name, hv.id)
	}
	c, err := s.h.Chain(value)
	if err != nil {
		return err
	}
	if c.Count != hv.count || !bytes.Equal(c.Head, hv.head) {
		return fmt.Errorf("snapshot: history of %s %x: %d entries hashing to %x, the proven accumulator has %d and %x",
			s.h.Name, hv.id, hv.count, hv.head, c.Count, c.Head)
	}
	hv.verified[s.h.Name]++
	hv.group = nil
	return nil
}

// finish checks the last group, then that no record's history is missing:
// the records with a non-empty chain, per subject, are as many as the
// groups verified (each group matched a distinct record).
func (hv *historyVerifier) finish() error {
	if err := hv.endGroup(); err != nil {
		return err
	}
	for _, name := range hv.order {
		s := hv.subjects[name]
		r, err := hv.stores(s.module)
		if err != nil {
			return err
		}
		want, err := countChains(r, s)
		if err != nil {
			return err
		}
		if got := hv.verified[name]; got != want {
			return fmt.Errorf("snapshot: history entries of %d %s records, the state has %d with a history", got, name, want)
		}
	}
	return nil
}

// countChains counts the records of subject s with a non-empty history. A
// record's key is s.h.Key(id), with the id a suffix of the key (after the
// module's prefix): a key is a record of s if s.h.Key of one of its
// suffixes gives the key back.
func countChains(r store.Reader, s subjectOf) (int, error) {
	n := 0
	it := r.Iterator(nil, nil, false)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		key := it.Key()
		for j := 1; j < len(key); j++ {
			if !bytes.Equal(s.h.Key(key[j:]), key) {
				continue
			}
			c, err := s.h.Chain(it.Value())
			if err != nil {
				return 0, fmt.Errorf("snapshot: %s record %x: %w", s.h.Name, key, err)
			}
			if c.Count > 0 {
				n++
			}
			break
		}
	}
	return n, nil
}
