package load

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/x/auth"
)

func TestBroadcasterOutcomes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var reqs []struct {
			ID     int `json:"id"`
			Params struct {
				Tx []byte `json:"tx"`
			} `json:"params"`
		}
		if body[0] != '[' {
			body = append(append([]byte("["), body...), ']')
		}
		if err := json.Unmarshal(body, &reqs); err != nil {
			t.Errorf("request %q: %v", body, err)
		}
		var out []string
		for _, q := range reqs {
			id := string(rune('0' + q.ID))
			switch string(q.Params.Tx) {
			case "ok":
				out = append(out, `{"jsonrpc":"2.0","id":`+id+`,"result":{"code":0,"data":"","log":"","codespace":"","hash":"AB"}}`)
			case "nonce":
				out = append(out, `{"jsonrpc":"2.0","id":`+id+`,"result":{"code":14,"codespace":"auth","log":"nonce too high"}}`)
			case "full":
				out = append(out, `{"jsonrpc":"2.0","id":`+id+`,"error":{"code":-32603,"message":"Internal error","data":"mempool is full: number of txs 5000 (max: 5000)"}}`)
			case "dup":
				out = append(out, `{"jsonrpc":"2.0","id":`+id+`,"error":{"code":-32603,"message":"Internal error","data":"tx already exists in cache"}}`)
			}
		}
		if len(reqs) == 1 {
			_, _ = io.WriteString(w, out[0])
			return
		}
		// A batch's answers, out of order.
		out[0], out[len(out)-1] = out[len(out)-1], out[0]
		_, _ = io.WriteString(w, "["+strings.Join(out, ",")+"]")
	}))
	defer srv.Close()
	b := NewBroadcaster("tcp://"+srv.Listener.Addr().String(), 2)
	ctx := context.Background()

	one, err := b.Send(ctx, [][]byte{[]byte("ok")})
	if err != nil || len(one) != 1 || !one[0].Accepted() {
		t.Fatalf("single: %+v, %v", one, err)
	}
	outs, err := b.Send(ctx, [][]byte{[]byte("ok"), []byte("nonce"), []byte("full"), []byte("dup")})
	if err != nil {
		t.Fatal(err)
	}
	if !outs[0].Accepted() || outs[0].Held() {
		t.Errorf("ok: %+v", outs[0])
	}
	if outs[1].Accepted() || !outs[1].Is(auth.ErrNonceTooHigh) || outs[1].Reason() != "auth/14" {
		t.Errorf("nonce: %+v, reason %q", outs[1], outs[1].Reason())
	}
	if !outs[2].MempoolFull() || outs[2].Reason() != "rpc: mempool full" {
		t.Errorf("full: %+v, reason %q", outs[2], outs[2].Reason())
	}
	if !outs[3].Held() || outs[3].Accepted() {
		t.Errorf("dup: %+v", outs[3])
	}
	if r := (Outcome{Code: 1}).Reason(); r != "code 1" {
		t.Errorf("kvstore refusal reason %q", r)
	}
}

// TestBatcher: transactions submitted one at a time by many goroutines
// reach the node in batches of at most max, each goroutine's in the order
// it submitted them, and each gets its own answer.
func TestBatcher(t *testing.T) {
	var (
		mu      sync.Mutex
		order   = map[byte][]byte{} // goroutine -> sequence numbers, as the node saw them
		largest int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if body[0] != '[' {
			body = append(append([]byte("["), body...), ']')
		}
		var reqs []struct {
			ID     int `json:"id"`
			Params struct {
				Tx []byte `json:"tx"`
			} `json:"params"`
		}
		if err := json.Unmarshal(body, &reqs); err != nil {
			t.Error(err)
		}
		var out []string
		mu.Lock()
		largest = max(largest, len(reqs))
		for _, q := range reqs {
			order[q.Params.Tx[0]] = append(order[q.Params.Tx[0]], q.Params.Tx[1])
			// The answer's code carries the sequence number back.
			out = append(out, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"result":{"code":%d}}`, q.ID, q.Params.Tx[1]))
		}
		mu.Unlock()
		time.Sleep(2 * time.Millisecond)
		if len(reqs) == 1 {
			_, _ = io.WriteString(w, out[0])
			return
		}
		_, _ = io.WriteString(w, "["+strings.Join(out, ",")+"]")
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	q := newBatcher(ctx, NewBroadcaster(srv.URL, 2), 2, 5)
	var wg sync.WaitGroup
	for g := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 20 {
				o, err := q.send(ctx, []byte{byte(g), byte(n)})
				if err != nil || o.Code != uint32(n) {
					t.Errorf("goroutine %d, tx %d: %+v, %v", g, n, o, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for g, seq := range order {
		for n, s := range seq {
			if s != byte(n) {
				t.Fatalf("goroutine %d's transactions reached the node as %v", g, seq)
			}
		}
	}
	if largest < 2 || largest > 5 {
		t.Fatalf("largest batch %d: want 2 to 5 (40 goroutines, 2 senders, max 5)", largest)
	}
}
