package provenreads_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/client/provenreads"
	"github.com/ledgerd/ledgerd/store"
)

var errProof = errors.New("proof failed")

// prover answers from a map at height 7, counting its calls; fail makes a
// key's proof fail.
type prover struct {
	state map[string]string
	fail  string
	calls int
	asked []int64
}

var at = provenreads.At{Height: 7, HeaderTime: time.Unix(1700000000, 0)}

func (p *prover) Get(_ context.Context, storeName string, key []byte, height int64) ([]byte, provenreads.At, error) {
	p.calls++
	p.asked = append(p.asked, height)
	if string(key) == p.fail {
		return nil, provenreads.At{}, errProof
	}
	if v, ok := p.state[storeName+"/"+string(key)]; ok {
		return []byte(v), at, nil
	}
	return nil, at, nil
}

func (p *prover) Range(_ context.Context, storeName string, start, end []byte, height int64) ([]store.Write, provenreads.At, error) {
	p.calls++
	p.asked = append(p.asked, height)
	var out []store.Write
	for _, k := range []string{"r/1", "r/2", "r/3"} {
		if k >= string(start) && (end == nil || k < string(end)) {
			out = append(out, store.Write{Key: []byte(k), Value: []byte(p.state[storeName+"/"+k])})
		}
	}
	return out, at, nil
}

// TestReads: the first read fixes the height and the header time, later
// reads ask for that height; a key is proven once, a range's keys are
// served from it; the first failure is kept and fails Run; reverse
// iteration and a decoder's panic fail Run too.
func TestReads(t *testing.T) {
	ctx := context.Background()
	p := &prover{state: map[string]string{"s/a": "1", "s/r/1": "x", "s/r/2": "y", "s/r/3": "z"}}
	r := provenreads.New(ctx, p, 0, errProof)
	var got []string
	if err := r.Run(func() {
		rd := r.Reader("s")
		if string(rd.Get([]byte("a"))) != "1" || rd.Get([]byte("b")) != nil {
			t.Error("a present key or an absent one read wrong")
		}
		store.Each(rd, []byte("r/"), []byte("r/3"), false, func(k, v []byte) bool {
			got = append(got, fmt.Sprintf("%s=%s", k, v))
			return true
		})
		rd.Get([]byte("a"))
		rd.Get([]byte("r/2"))
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[r/1=x r/2=y]" || p.calls != 3 || fmt.Sprint(p.asked) != "[0 7 7]" || r.Height() != 7 || !r.Time().Equal(at.HeaderTime) {
		t.Fatalf("range %v, %d calls at heights %v, height %d, time %v", got, p.calls, p.asked, r.Height(), r.Time())
	}

	p = &prover{state: p.state, fail: "b"}
	r = provenreads.New(ctx, p, 7, errProof)
	err := r.Run(func() {
		rd := r.Reader("s")
		rd.Get([]byte("b"))
		if rd.Get([]byte("a")) != nil {
			t.Error("a read after a failure answered")
		}
	})
	if !errors.Is(err, errProof) || !errors.Is(r.Err(), errProof) || p.calls != 1 {
		t.Fatalf("a failed proof: %v, %d calls", err, p.calls)
	}

	r = provenreads.New(ctx, &prover{}, 7, errProof)
	if err := r.Run(func() { r.Reader("s").Iterator(nil, nil, true) }); !errors.Is(err, provenreads.ErrReverse) {
		t.Fatalf("reverse iteration: %v", err)
	}
	r = provenreads.New(ctx, &prover{}, 7, errProof)
	if err := r.Run(func() { panic("bad record") }); !errors.Is(err, errProof) || !strings.Contains(err.Error(), "bad record") {
		t.Fatalf("a panicking decoder: %v", err)
	}
}
