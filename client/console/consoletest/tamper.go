package consoletest

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	ics23 "github.com/cosmos/ics23/go"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

// Lie is what a Tamper relay does to the answers it passes on.
type Lie int

// The lies.
const (
	// Honest passes answers unchanged.
	Honest Lie = iota
	// ChangeBalance adds 1,000,000 minor units to every balance in a
	// proven wallet record.
	ChangeBalance
	// DropHistory leaves the oldest entry out of every history page.
	DropHistory
	// ChangeSupply adds 1,000,000 minor units to the supply record a
	// proof of absence in the wallet store names as its right neighbour
	// (how a range walk reads the supply records).
	ChangeSupply
	// DropAMLEntry hides the entries of the AML store's indexes after a
	// probed key: a proof of absence loses its right neighbour when that
	// is an index entry, as if the index ended there.
	DropAMLEntry
	// ChangeMonthCode makes the first month code of every proven credit
	// loan record 7 (181 days past due), adding one if it has none.
	ChangeMonthCode
)

// Tamper is a JSON-RPC relay in front of a node that lies as told. Its URL
// takes the place of the node's.
type Tamper struct {
	URL string
	mu  sync.Mutex
	lie Lie
	// prunedBelow: state queries below this height are answered as a
	// node that no longer keeps them answers (0: none).
	prunedBelow int64
}

// NewTamper starts a relay to the node's RPC at target (honest until Set).
func NewTamper(t testing.TB, target string) *Tamper {
	tp := &Tamper{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		resp, err := http.Post(target, "application/json", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		answer, err := io.ReadAll(resp.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		tp.mu.Lock()
		lie, prunedBelow := tp.lie, tp.prunedBelow
		tp.mu.Unlock()
		if pruned := prunedAnswer(body, prunedBelow); pruned != nil {
			answer = pruned
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(tamper(lie, body, answer))
	}))
	t.Cleanup(srv.Close)
	tp.URL = srv.URL
	return tp
}

// Set makes the relay lie.
func (tp *Tamper) Set(l Lie) {
	tp.mu.Lock()
	tp.lie = l
	tp.mu.Unlock()
}

// Prune makes the relay answer state queries below height as a node that
// pruned them does (0: stop).
func (tp *Tamper) Prune(height int64) {
	tp.mu.Lock()
	tp.prunedBelow = height
	tp.mu.Unlock()
}

// prunedAnswer is the answer of a node that no longer keeps the state an
// abci_query below prunedBelow asks for; nil for any other request.
func prunedAnswer(request []byte, prunedBelow int64) []byte {
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
		Params struct {
			Height string `json:"height"`
		} `json:"params"`
	}
	if prunedBelow == 0 || json.Unmarshal(request, &req) != nil || req.Method != "abci_query" {
		return nil
	}
	h, err := strconv.ParseInt(req.Params.Height, 10, 64)
	if err != nil || h <= 0 || h >= prunedBelow {
		return nil
	}
	out, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": map[string]any{"response": map[string]any{
		"code": 1, "codespace": "app", "log": fmt.Sprintf("store: height not available: pruned or not yet committed: height %d", h)}}})
	return out
}

// isLoanKey reports whether a query's data (hex: a store key, or a signed
// read's ReadRequest wrapping one) is a credit loan's key.
func isLoanKey(data string) bool {
	b, err := hex.DecodeString(data)
	if err != nil {
		return false
	}
	rr := new(authv1.ReadRequest)
	if proto.Unmarshal(b, rr) == nil && len(rr.Signature) == 65 {
		b = rr.Data
	}
	return len(b) == 9 && b[0] == 0x04
}

// tamper rewrites an abci_query answer as lie says; anything it does not
// understand passes unchanged.
func tamper(lie Lie, request, answer []byte) []byte {
	var req struct {
		Method string `json:"method"`
		Params struct {
			Path string `json:"path"`
			Data string `json:"data"`
		} `json:"params"`
	}
	if lie == Honest || json.Unmarshal(request, &req) != nil || req.Method != "abci_query" {
		return answer
	}
	var env map[string]any
	if json.Unmarshal(answer, &env) != nil {
		return answer
	}
	result, _ := env["result"].(map[string]any)
	response, _ := result["response"].(map[string]any)
	if lie == DropAMLEntry || lie == ChangeSupply {
		// Both lie about the right neighbour of a proof of absence: the
		// next key that a range walk reads from it.
		aml := lie == DropAMLEntry && req.Params.Path == "/store/aml/key"
		supply := lie == ChangeSupply && req.Params.Path == "/store/wallet/key"
		if !(aml || supply) || !rewriteRight(response, func(ne *ics23.NonExistenceProof) bool {
			if aml && ne.Right.Key[0] >= 0x03 && ne.Right.Key[0] <= 0x08 {
				ne.Right = nil
				return true
			}
			c := new(walletv1.Coin)
			if supply && ne.Right.Key[0] == 0x03 && proto.Unmarshal(ne.Right.Value, c) == nil {
				c.Amount += 1_000_000
				ne.Right.Value, _ = proto.MarshalOptions{Deterministic: true}.Marshal(c)
				return true
			}
			return false
		}) {
			return answer
		}
		out, err := json.Marshal(env)
		if err != nil {
			return answer
		}
		return out
	}
	value, _ := response["value"].(string)
	raw, err := base64.StdEncoding.DecodeString(value)
	if response == nil || err != nil || len(raw) == 0 {
		return answer
	}
	switch {
	case lie == ChangeBalance && strings.HasPrefix(req.Params.Path, "/store/wallet/"):
		w := new(walletv1.Wallet)
		if proto.Unmarshal(raw, w) != nil || len(w.Owner) != 20 {
			return answer
		}
		for _, c := range w.Balances {
			c.Amount += 1_000_000
		}
		raw, _ = proto.MarshalOptions{Deterministic: true}.Marshal(w)
	case lie == DropHistory && (req.Params.Path == "/history" || req.Params.Path == "/read/history"):
		es := new(historyv1.Entries)
		if proto.Unmarshal(raw, es) != nil || len(es.Entries) == 0 {
			return answer
		}
		es.Entries = es.Entries[:len(es.Entries)-1]
		raw, _ = proto.MarshalOptions{Deterministic: true}.Marshal(es)
	case lie == ChangeMonthCode && strings.HasSuffix(req.Params.Path, "/store/credit/key") && isLoanKey(req.Params.Data):
		l := new(creditv1.Loan)
		if proto.Unmarshal(raw, l) != nil || l.Id == 0 {
			return answer
		}
		if l.Grid == "" {
			l.Grid = "7"
		} else {
			l.Grid = "7" + l.Grid[1:]
		}
		raw, _ = proto.MarshalOptions{Deterministic: true}.Marshal(l)
	default:
		return answer
	}
	response["value"] = base64.StdEncoding.EncodeToString(raw)
	out, err := json.Marshal(env)
	if err != nil {
		return answer
	}
	return out
}

// rewriteRight lets change rewrite the proof of absence in an answer's
// first proof op when it has a right neighbour; it reports whether the
// answer changed.
func rewriteRight(response map[string]any, change func(*ics23.NonExistenceProof) bool) bool {
	ops, _ := response["proofOps"].(map[string]any)
	list, _ := ops["ops"].([]any)
	if len(list) == 0 {
		return false
	}
	op, _ := list[0].(map[string]any)
	data, _ := op["data"].(string)
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		return false
	}
	p := new(ics23.CommitmentProof)
	if p.Unmarshal(raw) != nil {
		return false
	}
	ne := p.GetNonexist()
	if ne == nil || ne.Right == nil || len(ne.Right.Key) == 0 || !change(ne) {
		return false
	}
	if raw, err = p.Marshal(); err != nil {
		return false
	}
	op["data"] = base64.StdEncoding.EncodeToString(raw)
	return true
}
