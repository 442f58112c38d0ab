package store

import (
	"fmt"
	"testing"
)

// read reads store/key through the working trees, as a block does.
func read(s *Store, name, key string) string {
	return string(NewBranch(s.Names(), s.Working()).KV(name).Get([]byte(key)))
}

// TestValueCacheFollowsTheTree reads keys through the working trees'
// value caches across writes, deletes, commits and rollbacks: every read
// must return what the tree holds.
func TestValueCacheFollowsTheTree(t *testing.T) {
	for _, entries := range []int{0, 2} { // the default, and one that keeps emptying
		t.Run(fmt.Sprint(entries), func(t *testing.T) {
			s := memStore(t, Options{ValueCacheEntries: entries})
			write(s, map[string]string{"alpha/a": "1", "alpha/b": "1", "alpha/c": "1"})
			commit(t, s)
			for _, k := range []string{"a", "b", "c", "missing"} {
				read(s, "alpha", k) // fill
			}

			write(s, map[string]string{"alpha/a": "2", "alpha/b": ""})
			if got := read(s, "alpha", "a"); got != "2" {
				t.Fatalf("a = %q after a write, want 2", got)
			}
			if got := read(s, "alpha", "b"); got != "" {
				t.Fatalf("b = %q after its delete, want nothing", got)
			}
			s.Rollback()
			if got := read(s, "alpha", "a"); got != "1" {
				t.Fatalf("a = %q after a rollback, want the committed 1", got)
			}
			if got := read(s, "alpha", "b"); got != "1" {
				t.Fatalf("b = %q after a rollback of its delete, want the committed 1", got)
			}

			write(s, map[string]string{"alpha/a": "3", "alpha/missing": "now"})
			commit(t, s)
			s.Rollback() // nothing unsaved: the cache stays valid
			for k, want := range map[string]string{"a": "3", "b": "1", "c": "1", "missing": "now"} {
				if got := read(s, "alpha", k); got != want {
					t.Fatalf("%s = %q after a commit, want %q", k, got, want)
				}
			}
		})
	}
}

// TestValueCacheAfterMountRollback drops a mount not committed: reads of
// the store then see nothing, whatever was cached while it was mounted.
func TestValueCacheAfterMountRollback(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, Options{Dir: dir})
	write(s, map[string]string{"alpha/a": "1"})
	commit(t, s)
	s.Close()
	s, err := Open(Options{Dir: dir}, append(append([]string(nil), testNames...), "gamma"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Mount("gamma"); err != nil {
		t.Fatal(err)
	}
	write(s, map[string]string{"gamma/g": "1"})
	if got := read(s, "gamma", "g"); got != "1" {
		t.Fatalf("g = %q in the mounting block", got)
	}
	s.Rollback()
	if got := read(s, "gamma", "g"); got != "" {
		t.Fatalf("g = %q after the mount was rolled back, want nothing", got)
	}
}

// TestCommittedReadersShareTheCache reads committed versions while the
// working trees change: a reader of a version must see that version,
// whatever the next block has written into the working trees and their
// cache.
func TestCommittedReadersShareTheCache(t *testing.T) {
	s := memStore(t, Options{})
	write(s, map[string]string{"alpha/a": "1", "alpha/b": "1"})
	commit(t, s)
	v1 := version(t, s, 1)
	get := func(v *Version, key string) string {
		return string(NewBranch(s.Names(), v.Readers()).KV("alpha").Get([]byte(key)))
	}
	if got := get(v1, "a"); got != "1" { // fills the shared cache
		t.Fatalf("a at 1 = %q", got)
	}
	read(s, "alpha", "b") // the executor fills it too
	if _, ok := s.values[0].getAt(1, []byte("a")); !ok {
		t.Fatal("a reader of the last commit did not fill the cache")
	}

	write(s, map[string]string{"alpha/a": "2", "alpha/b": ""}) // the next block
	if got := get(v1, "a"); got != "1" {
		t.Fatalf("a at 1 = %q while the next block's writes are applied, want 1", got)
	}
	if got := get(v1, "b"); got != "1" {
		t.Fatalf("b at 1 = %q while its delete is applied, want 1", got)
	}
	commit(t, s)
	v2 := version(t, s, 2)
	for _, c := range []struct {
		v         *Version
		key, want string
	}{{v1, "a", "1"}, {v1, "b", "1"}, {v2, "a", "2"}, {v2, "b", ""}} {
		if got := get(c.v, c.key); got != c.want {
			t.Fatalf("%s at %d = %q, want %q", c.key, c.v.Height, got, c.want)
		}
	}
	s.Rollback() // nothing unsaved
	if got := get(v2, "a"); got != "2" {
		t.Fatalf("a at 2 = %q after an empty rollback", got)
	}
}
