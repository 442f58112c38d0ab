package app

import (
	"bufio"
	"bytes"
	"sync/atomic"
	"testing"

	"github.com/ledgerd/ledgerd/store"
)

// FuzzSnapshotNode checks that the snapshot stream's node decoder never
// panics on arbitrary bytes and that what it accepts encodes back to the
// same bytes (one encoding per node).
func FuzzSnapshotNode(f *testing.F) {
	var buf bytes.Buffer
	w := &snapshotWriter{w: bufio.NewWriter(&buf), stop: new(atomic.Bool)}
	for _, n := range []*store.ExportNode{
		{Key: []byte("k"), Value: []byte("v"), Version: 3, Height: 0},
		{Key: []byte("inner"), Version: 9, Height: 2},
		{Key: []byte{0}, Value: []byte{}, Version: 1},
	} {
		buf.Reset()
		if err := w.node(n); err != nil {
			f.Fatal(err)
		}
		w.w.Flush()
		r := &snapshotReader{r: bufio.NewReader(bytes.NewReader(buf.Bytes()))}
		_, p, err := r.item()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p)
	}
	f.Add([]byte{})
	f.Add([]byte{0, 0xff})
	f.Fuzz(func(t *testing.T, p []byte) {
		n, err := decodeNode(p)
		if err != nil {
			return
		}
		var out bytes.Buffer
		w := &snapshotWriter{w: bufio.NewWriter(&out), stop: new(atomic.Bool)}
		if err := w.node(n); err != nil {
			t.Fatal(err)
		}
		w.w.Flush()
		r := &snapshotReader{r: bufio.NewReader(bytes.NewReader(out.Bytes()))}
		_, again, err := r.item()
		if err != nil || !bytes.Equal(again, p) {
			t.Fatalf("%x decodes to %+v, which encodes to %x (%v)", p, n, again, err)
		}
	})
}
