package store

import (
	"bytes"
	"fmt"
	"testing"
)

func withStreamChunk(bytes int, f func()) {
	defer func(was int) { streamChunkBytes = was }(streamChunkBytes)
	streamChunkBytes = bytes
	f()
}

// streamedWrites is the writes of version h (1 to 4): 600 keys of alpha
// rewritten or inserted, every seventh of the last version's deleted.
func streamedWrites(h int) map[string]string {
	kvs := map[string]string{"beta/height": fmt.Sprint(h)}
	for i := range 600 {
		k := fmt.Sprintf("alpha/k%04d", i+h*150)
		kvs[k] = fmt.Sprintf("value %d of version %d", i, h)
		if h > 1 && i%7 == 0 {
			kvs[fmt.Sprintf("alpha/k%04d", i+(h-1)*150)] = ""
		}
	}
	return kvs
}

// Versions whose nodes are written in chunks of 1 KiB (tens of chunks a
// version) commit to the hashes the default chunks give, read back after a
// reopen, and an interrupted one, written in chunks without its commit
// record, is dropped at start.
func TestVersionsWrittenInSmallChunks(t *testing.T) {
	var want []CommitID
	ref := memStore(t, Options{})
	for h := 1; h <= 4; h++ {
		write(ref, streamedWrites(h))
		want = append(want, commit(t, ref))
	}

	withStreamChunk(1<<10, func() {
		dir := t.TempDir()
		s := openStore(t, Options{Dir: dir})
		for h := 1; h <= 4; h++ {
			write(s, streamedWrites(h))
			if id := commit(t, s); !bytes.Equal(id.AppHash, want[h-1].AppHash) {
				t.Fatalf("height %d: app hash %X with 1 KiB chunks, %X with the default", h, id.AppHash, want[h-1].AppHash)
			}
		}
		write(s, streamedWrites(5))
		saveTrees(t, s, len(testNames))
		s.Close()

		s = openStore(t, Options{Dir: dir})
		defer s.Close()
		if c := s.LastCommit(); c.Height != 4 || !bytes.Equal(c.AppHash, want[3].AppHash) {
			t.Fatalf("reopened at %d %X, want 4 %X", c.Height, c.AppHash, want[3].AppHash)
		}
		for h := 1; h <= 4; h++ {
			v, r := version(t, s, int64(h)), version(t, ref, int64(h))
			for i := 0; i < 600+4*150; i++ {
				k := fmt.Sprintf("k%04d", i)
				if got, exp := value(t, v, "alpha", k), value(t, r, "alpha", k); got != exp {
					t.Fatalf("height %d, %s: %q after reopen, want %q", h, k, got, exp)
				}
			}
		}
		write(s, streamedWrites(5))
		ref5 := func() CommitID { write(ref, streamedWrites(5)); return commit(t, ref) }()
		if id := commit(t, s); id.Height != 5 || !bytes.Equal(id.AppHash, ref5.AppHash) {
			t.Fatalf("height 5 written again: %d %X, want %X", id.Height, id.AppHash, ref5.AppHash)
		}
	})
}
