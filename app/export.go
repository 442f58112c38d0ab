package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/store"
)

// ExportSection is the app_state section of an exported genesis
// (ExportedState): the whole state of a chain at one height, every store
// key by key, for a hard fork or a move to a new chain id. A genesis that
// has it has no other section.
const ExportSection = "export"

// ExportedState is every store's keys and values at Height, and the
// history entries (off consensus) of the heights up to it. A chain started
// from it begins at Height+1 (CometBFT's initial_height) with exactly this
// state: InitChain writes the pairs as they are, no module's genesis runs.
// A hard fork's changes to the state belong in the new binary's upgrade
// migration, not in edits of this section.
type ExportedState struct {
	Height  int64  `json:"height"`
	ChainID string `json:"chain_id"` // the chain it was exported from
	// AppHash is the exported height's, for the record: the new chain's
	// hashes differ, since a tree's hash covers the versions of its nodes.
	AppHash []byte          `json:"app_hash"`
	Stores  []ExportedStore `json:"stores"`
	// History is the history index's entries up to Height, ordered by
	// subject, id and seq; absent when the exporting node kept no index.
	History []ExportedEntry `json:"history,omitempty"`
}

// ExportedStore is one store's pairs, in key order.
type ExportedStore struct {
	Name  string       `json:"name"`
	Pairs []ExportPair `json:"pairs"`
}

// ExportPair is one key and its value (base64 in JSON).
type ExportPair struct {
	Key   []byte `json:"k"`
	Value []byte `json:"v"`
}

// ExportedEntry is a history entry (historyv1.Entry).
type ExportedEntry struct {
	Subject string `json:"subject"`
	ID      []byte `json:"id"`
	Seq     uint64 `json:"seq"`
	Height  int64  `json:"height"`
	Time    int64  `json:"time"`
	TxHash  []byte `json:"tx_hash,omitempty"`
	Data    []byte `json:"data"`
}

func (e ExportedEntry) entry() *historyv1.Entry {
	return &historyv1.Entry{Subject: e.Subject, Id: e.ID, Seq: e.Seq, Height: e.Height, Time: e.Time, TxHash: e.TxHash, Data: e.Data}
}

// ExportState reads the state at height (kept, not pruned) from st, and
// with hist (nil: none) the history entries up to it.
func ExportState(st *store.Store, chainID string, height int64, hist HistorySnapshots) (*ExportedState, error) {
	release, err := st.Hold(height)
	if err != nil {
		return nil, err
	}
	defer release()
	v, err := st.Version(height)
	if err != nil {
		return nil, err
	}
	out := &ExportedState{Height: height, ChainID: chainID, AppHash: v.AppHash()}
	for _, name := range st.Names() {
		s := ExportedStore{Name: name, Pairs: []ExportPair{}}
		err := v.Iterate(name, nil, func(k, val []byte) bool {
			s.Pairs = append(s.Pairs, ExportPair{Key: slices.Clone(k), Value: slices.Clone(val)})
			return true
		})
		if err != nil {
			return nil, err
		}
		out.Stores = append(out.Stores, s)
	}
	if hist != nil {
		err := hist.ExportEntries(height, func(e *historyv1.Entry) error {
			out.History = append(out.History, ExportedEntry{Subject: e.Subject, ID: e.Id, Seq: e.Seq, Height: e.Height,
				Time: e.Time, TxHash: e.TxHash, Data: e.Data})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ExportedGenesis returns app_state holding s, and s's initial height.
func ExportedGenesis(s *ExportedState) (json.RawMessage, error) {
	g := Genesis{}
	if err := g.SetSection(ExportSection, s); err != nil {
		return nil, err
	}
	return json.Marshal(g)
}

// exported returns the export section of a parsed genesis, nil if it has
// none; a genesis with it and another section is refused.
func exported(g Genesis) (*ExportedState, error) {
	if _, ok := g[ExportSection]; !ok {
		return nil, nil
	}
	if len(g) != 1 {
		return nil, fmt.Errorf("genesis app_state has an %q section and others: an exported state is the whole state", ExportSection)
	}
	s := new(ExportedState)
	if err := g.Section(ExportSection, s); err != nil {
		return nil, err
	}
	if s.Height < 1 {
		return nil, fmt.Errorf("genesis app_state.%s: height %d", ExportSection, s.Height)
	}
	return s, nil
}

// importState writes s's pairs into b, whose stores must be exactly s's,
// in order, each one's keys ascending and unique.
func importState(b *store.Branch, names []string, s *ExportedState) error {
	got := make([]string, len(s.Stores))
	for i, st := range s.Stores {
		got[i] = st.Name
	}
	if !slices.Equal(got, names) {
		return fmt.Errorf("genesis app_state.%s has stores %v, this binary %v: export and import with the same modules (an upgrade's new stores come with its migration)", ExportSection, got, names)
	}
	for _, st := range s.Stores {
		kv := b.KV(st.Name)
		var prev []byte
		for i, p := range st.Pairs {
			if len(p.Key) == 0 || len(p.Value) == 0 {
				return fmt.Errorf("genesis app_state.%s: store %s pair %d has an empty key or value", ExportSection, st.Name, i)
			}
			if i > 0 && string(p.Key) <= string(prev) {
				return fmt.Errorf("genesis app_state.%s: store %s keys out of order at pair %d", ExportSection, st.Name, i)
			}
			kv.Set(p.Key, p.Value)
			prev = p.Key
		}
	}
	return nil
}

// restoreExportedHistory fills the empty history index of a node starting
// a chain from an export with the export's entries, verified against the
// exported state's accumulators as a snapshot's are (historyVerifier). It
// is called before the chain's first block; without an index, or with one
// already filled, it does nothing.
func (a *App) restoreExportedHistory() error {
	h := a.snapshots.cfg.History
	if h == nil || h.Watermark() != 0 || len(a.cfg.GenesisAppState) == 0 {
		return nil
	}
	g, err := parseGenesis(a.cfg.GenesisAppState)
	if err != nil {
		return err
	}
	s, err := exported(g)
	if err != nil || s == nil {
		return err
	}
	b := a.bootstrapGenesis()
	if b == nil {
		return errors.New("app: the exported genesis does not load")
	}
	r, err := h.RestoreEntries(s.Height)
	if err != nil {
		return err
	}
	verifier := newHistoryVerifier(a.reg, s.Height, func(name string) (store.Reader, error) { return b.KV(name), nil })
	for _, e := range s.History {
		if err = verifier.add(e.entry()); err == nil {
			err = r.Add(e.entry())
		}
		if err != nil {
			break
		}
	}
	if err == nil {
		err = verifier.finish()
	}
	if err != nil {
		if aerr := r.Abort(); aerr != nil {
			err = fmt.Errorf("%w (emptying the index: %v)", err, aerr)
		}
		return fmt.Errorf("app: the exported genesis's history entries: %w", err)
	}
	return r.Commit()
}
