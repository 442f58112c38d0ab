//go:build !js

package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/cosmos/iavl"
)

// ExportNode is one node of a tree's export: IAVL's own (key, value,
// version, subtree height), in the depth-first post-order Import needs.
type ExportNode = iavl.ExportNode

// Export streams the committed state at height, a tree at a time in the
// store's name order: for each tree mounted at height (see Mount) it calls
// begin with the tree's name, then node with each of its nodes (none for
// an empty tree). It reads
// immutable versions only, so it may run on any goroutine while blocks are
// committed; height is kept from pruning until it returns. An error from
// begin or node stops the export and is returned.
func (s *Store) Export(height int64, begin func(name string) error, node func(*ExportNode) error) error {
	release, err := s.hold(height)
	if err != nil {
		return err
	}
	defer release()
	v, err := s.Version(height)
	if err != nil {
		return err
	}
	for i, t := range v.trees {
		if t == nil {
			continue
		}
		if err := begin(v.names[i]); err != nil {
			return err
		}
		if t.Size() == 0 {
			continue
		}
		if err := exportTree(t, node); err != nil {
			return fmt.Errorf("store: export %q at %d: %w", v.names[i], height, err)
		}
	}
	return nil
}

func exportTree(t *iavl.ImmutableTree, node func(*ExportNode) error) error {
	exp, err := t.Export()
	if err != nil {
		return err
	}
	defer exp.Close()
	for {
		n, err := exp.Next()
		if errors.Is(err, iavl.ErrorExportDone) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := node(n); err != nil {
			return err
		}
	}
}

// Hold keeps height from being pruned until release is called, for a
// reader that starts later (a snapshot waiting for the history index).
func (s *Store) Hold(height int64) (release func(), err error) { return s.hold(height) }

func (s *Store) hold(height int64) (release func(), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if height <= 0 || height > s.committed.Height {
		return nil, fmt.Errorf("%w: height %d (last commit %d)", ErrVersionPruned, height, s.committed.Height)
	}
	if s.held == nil {
		s.held = map[int64]int{}
	}
	s.held[height]++
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.held[height]--; s.held[height] == 0 {
			delete(s.held, height)
		}
	}, nil
}

// pruneLimit lowers a pruning target below every held height.
func (s *Store) pruneLimit(to int64) int64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for h := range s.held {
		to = min(to, h-1)
	}
	return to
}

// Restore rebuilds an empty store (nothing committed) from an export of
// another store with the same tree names (Export's stream), as the version
// at height. Feed it with Tree and Node in the export's order, then Commit;
// Abort on any failure leaves the store empty again. A Restore is not safe
// for concurrent use, and the store must not be used for blocks while one
// is open.
type Restore struct {
	s      *Store
	height int64
	next   int // index of the next tree
	imp    *iavl.Importer
	done   bool
}

// Restore starts restoring height into s, which must be empty.
func (s *Store) Restore(height int64) (*Restore, error) {
	if height <= 0 {
		return nil, fmt.Errorf("store: restore at height %d", height)
	}
	if last := s.LastCommit().Height; last != 0 {
		return nil, fmt.Errorf("store: restore into a store at height %d: only an empty store can be restored", last)
	}
	return &Restore{s: s, height: height}, nil
}

// Tree starts the next tree, which must be named name: the trees come in
// the store's order. A store the export skipped (not mounted at its
// height: a chain upgrade adds it later) stays unmounted here.
func (r *Restore) Tree(name string) error {
	if err := r.finishTree(); err != nil {
		return err
	}
	for r.next < len(r.s.names) && r.s.names[r.next] != name {
		r.unmount(r.next)
		r.next++
	}
	if r.next >= len(r.s.names) {
		return fmt.Errorf("store: snapshot has a tree %q that this node does not have, or out of the order %v", name, r.s.names)
	}
	imp, err := r.s.trees[r.next].Import(r.height)
	if err != nil {
		return fmt.Errorf("store: import %q: %w", name, err)
	}
	r.imp = imp
	r.next++
	return nil
}

// Node adds the current tree's next node.
func (r *Restore) Node(n *ExportNode) error {
	if r.imp == nil {
		return errors.New("store: snapshot node before any tree")
	}
	if n.Version > r.height {
		return fmt.Errorf("store: snapshot node of version %d in a snapshot of height %d", n.Version, r.height)
	}
	if err := r.imp.Add(n); err != nil {
		return fmt.Errorf("store: import %q: %w", r.s.names[r.next-1], err)
	}
	return nil
}

// unmount leaves the i-th store out of the restored state, as the
// exporting node had it at the snapshot's height.
func (r *Restore) unmount(i int) {
	r.s.mu.Lock()
	r.s.trees[i], r.s.first[i] = nil, 0
	r.s.mu.Unlock()
	r.s.values[i].reset()
}

func (r *Restore) finishTree() error {
	if r.imp == nil {
		return nil
	}
	imp := r.imp
	r.imp = nil
	if err := imp.Commit(); err != nil {
		return fmt.Errorf("store: import %q: %w", r.s.names[r.next-1], err)
	}
	return nil
}

// Commit ends the restore: every tree must have been given. It writes the
// commit record of height with blockTime, syncs, and returns the restored
// commit, whose app hash the caller checks against the one it trusts.
func (r *Restore) Commit(blockTime time.Time) (CommitID, error) {
	if err := r.finishTree(); err != nil {
		return CommitID{}, err
	}
	for ; r.next < len(r.s.names); r.next++ {
		r.unmount(r.next)
	}
	if err := r.s.writeCommitRecord(r.height, blockTime); err != nil {
		return CommitID{}, err
	}
	if err := r.s.settleBulkLoad(); err != nil {
		return CommitID{}, err
	}
	// The trees were imported beside their value caches, and hold the
	// restored version.
	for _, c := range r.s.values {
		c.reset()
		c.committed(r.height)
	}
	id := CommitID{Height: r.height, AppHash: r.s.WorkingHash(), Time: blockTime}
	r.s.mu.Lock()
	r.s.committed, r.s.durable = id, r.height
	r.s.mu.Unlock()
	r.done = true
	return id, nil
}

// Abort undoes an unfinished or rejected restore (Commit's app hash was
// not the trusted one): every tree, and the commit record, are emptied.
func (r *Restore) Abort() error {
	if r.imp != nil {
		r.imp.Close()
		r.imp = nil
	}
	var errs []error
	for i, name := range r.s.names {
		if r.s.trees[i] != nil && r.s.trees[i].Version() > 0 {
			if err := r.s.trees[i].DeleteVersionsFrom(1); err != nil {
				errs = append(errs, fmt.Errorf("store: abort restore of %q: %w", name, err))
			}
		}
		r.s.mu.Lock()
		r.s.trees[i], r.s.first[i] = r.s.newTree(name, 0), 1
		r.s.mu.Unlock()
		r.s.values[i].reset()
	}
	if err := r.s.db.Delete(commitRecordKey); err != nil {
		errs = append(errs, err)
	}
	if err := r.s.db.Sync(); err != nil {
		errs = append(errs, err)
	}
	r.s.mu.Lock()
	r.s.committed, r.s.durable = CommitID{}, 0
	r.s.mu.Unlock()
	r.done = true
	return errors.Join(errs...)
}

// SetInitialVersion makes the first commit of an empty store the version
// (height) v instead of 1: a chain started from an export at height v-1
// (CometBFT's initial_height) keeps its heights.
func (s *Store) SetInitialVersion(v int64) error {
	if last := s.LastCommit().Height; last != 0 || v < 1 {
		return fmt.Errorf("store: initial version %d for a store at height %d: only an empty store takes one", v, last)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, t := range s.trees {
		t.SetInitialVersion(uint64(v))
		s.first[i] = v
	}
	s.initialVersion = v
	return nil
}
