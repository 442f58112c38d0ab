package load

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
