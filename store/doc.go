// Package store keeps the ledger's state: one IAVL tree per module in one
// Badger database, a commit record per height, and the app hash over the
// trees' roots (package store/commitinfo).
//
// Writes during a block go to Branch overlays, never straight to the trees:
// a transaction runs on a Branch of the block's Branch and is merged only if
// it succeeds, so a rejected transaction changes nothing. At the end of the
// block the block's Branch is written into the trees in sorted key order
// (IAVL's shape, and so its hash, depends on insertion order).
//
// Commit saves every tree, then the commit record, then syncs Badger once:
// a crash at any point leaves the last commit record's height fully on
// disk, and Open reloads exactly that version, discarding any tree
// version written after it.
//
// The engine (store.go, snapshot.go: IAVL on Badger) is left out of js/wasm
// builds, which Badger does not support. What remains (Reader, KV, Branch,
// the iterators) builds for the browser, where the auditor console runs the
// modules' own query code over proven reads (package client/provenreads).
package store
