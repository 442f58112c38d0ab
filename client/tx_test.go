package client_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/client"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/x/auth"
)

// txMsg is a message of the kind TxBody's oneof carries in field (its
// name), read from protojson text: the client knows messages only as the
// envelope's, and so do its tests.
func txMsg(t testing.TB, field, text string) client.Msg {
	t.Helper()
	for _, fd := range auth.MsgFields() {
		if string(fd.Name()) == field {
			m := new(authv1.TxBody).ProtoReflect().NewField(fd).Message().Interface()
			if err := protojson.Unmarshal([]byte(text), m); err != nil {
				t.Fatalf("%s %s: %v", field, text, err)
			}
			return m
		}
	}
	t.Fatalf("TxBody carries no %s", field)
	return nil
}

// transfer is a payment of amount CNY to to.
func transfer(t testing.TB, to common.Address, amount uint64) client.Msg {
	return txMsg(t, "transfer", fmt.Sprintf(`{"to": %q, "denom": "CNY", "amount": "%d"}`, b64(to[:]), amount))
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func testMsgs(t testing.TB) map[string]client.Msg {
	to := b64(common.HexToAddress("0x00000000000000000000000000000000000000a7").Bytes())
	kyc := make([]byte, 32)
	kyc[0] = 0xab
	return map[string]client.Msg{
		"open_wallet": txMsg(t, "open_wallet", fmt.Sprintf(`{"owner": %q, "kycHash": %q, "tier": 2}`, to, b64(kyc))),
		"deposit":     txMsg(t, "deposit", fmt.Sprintf(`{"wallet": %q, "denom": "CNY", "amount": "1000000", "reference": "FIAT-1"}`, to)),
		"transfer":    txMsg(t, "transfer", fmt.Sprintf(`{"to": %q, "denom": "CNY", "amount": "5", "memo": "lunch 午饭"}`, to)),
	}
}

// TestSetMsg sets every kind of message the envelope carries.
func TestSetMsg(t *testing.T) {
	for _, fd := range auth.MsgFields() {
		t.Run(string(fd.Name()), func(t *testing.T) {
			body := new(authv1.TxBody)
			msg := body.ProtoReflect().NewField(fd).Message().Interface()
			if err := client.SetMsg(body, msg); err != nil {
				t.Fatal(err)
			}
			if got, field := auth.MsgOf(body); got != msg || field != fd {
				t.Fatalf("oneof holds %v in %v, want %v in %s", got, field, msg, fd.Name())
			}
		})
	}
	kind := auth.MsgFields()[0]
	for name, tc := range map[string]struct {
		body *authv1.TxBody
		msg  client.Msg
	}{
		"nil body":      {nil, testMsgs(t)["transfer"]},
		"nil msg":       {new(authv1.TxBody), nil},
		"typed nil":     {new(authv1.TxBody), new(authv1.TxBody).ProtoReflect().NewField(kind).Message().Type().Zero().Interface()},
		"not a message": {new(authv1.TxBody), &authv1.Account{}},
	} {
		if err := client.SetMsg(tc.body, tc.msg); err == nil {
			t.Errorf("%s: client.SetMsg succeeded", name)
		}
	}
}

func TestSignTx(t *testing.T) {
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	for name, msg := range testMsgs(t) {
		for _, mode := range []authv1.SignMode{authv1.SignMode_SIGN_MODE_EIP712, authv1.SignMode_SIGN_MODE_EIP191} {
			t.Run(fmt.Sprintf("%s/%v", name, mode), func(t *testing.T) {
				body := &authv1.TxBody{ChainId: testDomain.ChainID, Signer: addr.Bytes(), Nonce: 7, ValidUntilHeight: 100}
				if err := client.SetMsg(body, msg); err != nil {
					t.Fatal(err)
				}
				tx, b, err := client.SignTx(testDomain, body, key, mode)
				if err != nil {
					t.Fatal(err)
				}
				dec, err := client.DecodeTx(b)
				if err != nil {
					t.Fatal(err)
				}
				if !proto.Equal(dec, tx) || !proto.Equal(dec.Body, body) || dec.SignMode != mode {
					t.Fatalf("decoded %v, signed %v", dec, tx)
				}
				if got, err := auth.NewSigner(testDomain).Verify(dec); err != nil || got != addr {
					t.Fatalf("Verify = %s, %v; want %s", got.Hex(), err, addr.Hex())
				}
				other := auth.Domain{ChainID: testDomain.ChainID, NumericID: testDomain.NumericID + 1}
				if _, err := auth.NewSigner(other).Verify(dec); err == nil {
					t.Fatal("signature verifies on another domain")
				}
			})
		}
	}

	body := &authv1.TxBody{ChainId: testDomain.ChainID, Signer: addr.Bytes(), Nonce: 1, ValidUntilHeight: 10}
	_ = client.SetMsg(body, testMsgs(t)["transfer"])
	otherKey, _ := crypto.GenerateKey()
	for name, tc := range map[string]func(b *authv1.TxBody) (*authv1.TxBody, auth.Domain){
		"other chain": func(b *authv1.TxBody) (*authv1.TxBody, auth.Domain) {
			return b, auth.Domain{ChainID: "other", NumericID: 1}
		},
		"no expiry": func(b *authv1.TxBody) (*authv1.TxBody, auth.Domain) { b.ValidUntilHeight = 0; return b, testDomain },
		"no msg":    func(b *authv1.TxBody) (*authv1.TxBody, auth.Domain) { b.Msg = nil; return b, testDomain },
	} {
		b, d := tc(proto.Clone(body).(*authv1.TxBody))
		if _, _, err := client.SignTx(d, b, key, 0); err == nil {
			t.Errorf("%s: client.SignTx succeeded", name)
		}
	}
	if _, _, err := client.SignTx(testDomain, body, otherKey, 0); err == nil || !strings.Contains(err.Error(), "signer") {
		t.Errorf("SignTx with another key: %v", err)
	}
}

func TestDecodeTxRejectsNonCanonical(t *testing.T) {
	key, _ := crypto.GenerateKey()
	body := &authv1.TxBody{ChainId: testDomain.ChainID, Signer: crypto.PubkeyToAddress(key.PublicKey).Bytes(), Nonce: 1, ValidUntilHeight: 10}
	_ = client.SetMsg(body, testMsgs(t)["deposit"])
	_, b, err := client.SignTx(testDomain, body, key, 0)
	if err != nil {
		t.Fatal(err)
	}
	// An explicit default field (sign_mode = 0, field 3) is not canonical,
	// and neither is an unknown field (99, varint).
	for _, extra := range [][]byte{{0x18, 0x00}, {0x98, 0x06, 0x01}} {
		if _, err := client.DecodeTx(append(bytes.Clone(b), extra...)); err == nil {
			t.Fatalf("DecodeTx accepted extra bytes %x", extra)
		}
	}
}

func TestTxError(t *testing.T) {
	hash := client.TxHash([]byte("tx"))
	e := &client.TxError{Codespace: auth.Codespace, Code: auth.ErrNonceTooLow.Code, Log: "nonce too low: got 3, want 4", Hash: hash}
	msg := e.Error()
	for _, want := range []string{fmt.Sprintf("%X", hash), "CheckTx", `codespace "auth" code 13`, "got 3, want 4", "client.Nonce"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	wrapped := fmt.Errorf("submit: %w", e)
	if !errors.Is(wrapped, auth.ErrNonceTooLow) || errors.Is(wrapped, auth.ErrNonceTooHigh) {
		t.Error("errors.Is does not match the registered error by code")
	}
	var te *client.TxError
	if !errors.As(wrapped, &te) || te.Code != 13 {
		t.Error("errors.As does not find the *client.TxError")
	}
	e.Height = 42
	if msg := e.Error(); !strings.Contains(msg, "failed in block 42") {
		t.Errorf("committed failure: %q", msg)
	}
	unknown := &client.TxError{Codespace: "wallet", Code: 99, Hash: hash}
	if !strings.HasSuffix(unknown.Error(), "code 99") {
		t.Errorf("hint for an unknown code: %q", unknown.Error())
	}
}

func TestQueryError(t *testing.T) {
	e := &client.QueryError{Path: "/store/wallet/key", Height: 7, Codespace: "query", Code: 3, Log: "height not available"}
	msg := e.Error()
	for _, want := range []string{"/store/wallet/key", "height 7", `codespace "query" code 3`, "height not available"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if (&client.QueryError{Path: "/x"}).Error() != `query /x at latest height failed: codespace "" code 0` {
		t.Errorf("got %q", (&client.QueryError{Path: "/x"}).Error())
	}
}

func TestTxResultJSON(t *testing.T) {
	r := client.TxResult{Hash: []byte{0xab, 0x01}, Height: 5, Code: 0, Events: []abci.Event{{Type: "transfer"}}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"hash":"AB01"`) {
		t.Fatalf("hash not hex: %s", b)
	}
	var back client.TxResult
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if string(back.Hash) != string(r.Hash) || back.Height != 5 || len(back.Events) != 1 {
		t.Fatalf("round trip: %+v", back)
	}
}

func TestBuildTxAndNonce(t *testing.T) {
	f := newNode(t)
	owner, _ := crypto.GenerateKey()
	operator, _ := crypto.GenerateKey()
	ownerAddr, opAddr := crypto.PubkeyToAddress(owner.PublicKey), crypto.PubkeyToAddress(operator.PublicKey)
	setAccount(f, ownerAddr, 9)
	setAccount(f, opAddr, 4)
	f.Produce(2)

	c, err := client.New(f.URL())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d, err := c.Domain(ctx)
	if err != nil || d != testDomain {
		t.Fatalf("Domain = %+v, %v", d, err)
	}
	if n, err := c.Nonce(ctx, ownerAddr); err != nil || n != 9 {
		t.Fatalf("wallet nonce = %d, %v", n, err)
	}
	if n, err := c.Nonce(ctx, opAddr); err != nil || n != 4 {
		t.Fatalf("operator nonce = %d, %v", n, err)
	}
	stranger := common.HexToAddress("0x1234")
	if _, err := c.Nonce(ctx, stranger); !errors.Is(err, client.ErrNotFound) || !strings.Contains(err.Error(), "neither an operator nor a wallet owner") {
		t.Fatalf("stranger nonce: %v", err)
	}

	tx, b, err := c.BuildTx(ctx, owner, testMsgs(t)["transfer"], client.TxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	dec, err := client.DecodeTx(b)
	if err != nil || !proto.Equal(dec, tx) {
		t.Fatalf("DecodeTx: %v", err)
	}
	if got, err := auth.NewSigner(testDomain).Verify(dec); err != nil || got != ownerAddr {
		t.Fatalf("Verify = %s, %v", got.Hex(), err)
	}
	if tx.Body.Nonce != 9 || tx.Body.ValidUntilHeight != uint64(f.Height())+client.DefaultValidFor {
		t.Fatalf("nonce %d valid until %d (height %d)", tx.Body.Nonce, tx.Body.ValidUntilHeight, f.Height())
	}
	// Two of the owner's transactions wait in the node's mempool: the next
	// one takes the nonce after them, in the same query.
	f.SetPendingNonce(ownerAddr, 2)
	if tx, _, err = c.BuildTx(ctx, owner, testMsgs(t)["transfer"], client.TxOptions{}); err != nil || tx.Body.Nonce != 11 {
		t.Fatalf("pending nonce ignored: %v, %v", tx.GetBody(), err)
	}
	if n, err := c.Nonce(ctx, ownerAddr); err != nil || n != 9 {
		t.Fatalf("Nonce counts the mempool: %d, %v", n, err)
	}
	n := uint64(11)
	tx, _, err = c.BuildTx(ctx, operator, testMsgs(t)["open_wallet"], client.TxOptions{Nonce: &n, ValidFor: 5, SignMode: authv1.SignMode_SIGN_MODE_EIP191})
	if err != nil {
		t.Fatal(err)
	}
	if tx.Body.Nonce != 11 || tx.Body.ValidUntilHeight != uint64(f.Height())+5 || tx.SignMode != authv1.SignMode_SIGN_MODE_EIP191 {
		t.Fatalf("options ignored: %v", tx.Body)
	}
	if _, _, err := c.BuildTx(ctx, owner, &authv1.Account{}, client.TxOptions{}); err == nil {
		t.Fatal("BuildTx accepted a non-message")
	}

	pinned, _ := client.New(f.URL(), client.WithChainID("other-chain"))
	if _, err := pinned.Domain(ctx); err == nil || !strings.Contains(err.Error(), `expected "other-chain"`) {
		t.Fatalf("pinned chain id: %v", err)
	}
}

func TestBroadcastAndWait(t *testing.T) {
	for _, mode := range []string{"subscription", "polling"} {
		t.Run(mode, func(t *testing.T) { testBroadcastAndWait(t, mode == "polling") })
	}
}

func testBroadcastAndWait(t *testing.T, noWebsocket bool) {
	f := newNode(t)
	f.SetNoWebsocket(noWebsocket)
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	setAccount(f, addr, 0)
	f.Produce(1)
	f.SetCheckTx(func(b []byte) *abci.ResponseCheckTx {
		tx, err := client.DecodeTx(b)
		if err != nil {
			return &abci.ResponseCheckTx{Code: auth.ErrNonCanonical.Code, Codespace: auth.Codespace}
		}
		if tx.Body.Nonce == 99 {
			return &abci.ResponseCheckTx{Code: auth.ErrNonceTooHigh.Code, Codespace: auth.Codespace, Log: "nonce too high"}
		}
		return &abci.ResponseCheckTx{}
	})
	f.SetDeliverTx(func(b []byte) *abci.ExecTxResult {
		tx, _ := client.DecodeTx(b)
		if tx.Body.GetTransfer().GetAmount() > 100 {
			return &abci.ExecTxResult{Code: 5, Codespace: "wallet", Log: "insufficient funds"}
		}
		return &abci.ExecTxResult{Events: []abci.Event{{Type: "transfer"}}}
	})
	f.StartBlocks(20 * time.Millisecond)
	c, _ := client.New(f.URL(), client.WithPollInterval(10*time.Millisecond))
	defer c.Close()
	ctx := context.Background()
	nonce := func(n uint64) *uint64 { return &n }

	res, err := c.Submit(ctx, key, transfer(t, addr, 1), client.TxOptions{Nonce: nonce(0)}, true)
	if err != nil {
		t.Fatal(err)
	}
	if res.Height <= 0 || res.Code != 0 || len(res.Events) != 1 || len(res.Hash) != 32 {
		t.Fatalf("result %+v", res)
	}

	var te *client.TxError
	_, err = c.Submit(ctx, key, transfer(t, addr, 1), client.TxOptions{Nonce: nonce(99)}, true)
	if !errors.As(err, &te) || te.Height != 0 || !errors.Is(err, auth.ErrNonceTooHigh) {
		t.Fatalf("CheckTx rejection: %v", err)
	}

	_, b, err := c.BuildTx(ctx, key, transfer(t, addr, 1000), client.TxOptions{Nonce: nonce(1)})
	if err != nil {
		t.Fatal(err)
	}
	res, err = c.BroadcastAndWait(ctx, b, 5*time.Second)
	if !errors.As(err, &te) || te.Height <= 0 || te.Codespace != "wallet" || res == nil || res.Height != te.Height {
		t.Fatalf("failed commit: %v (%+v)", err, res)
	}
	// Resubmitting committed bytes: the node says it has them; we find the
	// commit.
	if _, err := c.BroadcastAndWait(ctx, b, 5*time.Second); !errors.As(err, &te) || te.Height <= 0 {
		t.Fatalf("resubmission: %v", err)
	}

	if _, err := c.WaitForTx(ctx, client.TxHash([]byte("never sent")), 50*time.Millisecond); !errors.Is(err, client.ErrTxTimeout) {
		t.Fatalf("WaitForTx of an unknown tx: %v", err)
	}
	// A transaction whose valid_until_height passes without a commit.
	_, b, _ = c.BuildTx(ctx, key, transfer(t, addr, 2), client.TxOptions{Nonce: nonce(2), ValidUntilHeight: 1})
	if _, err := c.WaitForTxUntil(ctx, client.TxHash(b), 5*time.Second, 1); !errors.Is(err, client.ErrTxExpired) {
		t.Fatalf("expired tx: %v", err)
	}
}

// TestWaitBySubscription: a wait learns of the commit from the node's
// event, not by polling: with a poll interval of an hour it returns as
// soon as the block is made, having asked /tx once (before the event),
// and leaves no subscription behind.
func TestWaitBySubscription(t *testing.T) {
	f := newNode(t)
	key, _ := crypto.GenerateKey()
	addr := crypto.PubkeyToAddress(key.PublicKey)
	setAccount(f, addr, 0)
	f.Produce(1)
	f.StartBlocks(20 * time.Millisecond)
	c, _ := client.New(f.URL(), client.WithPollInterval(time.Hour))
	defer c.Close()
	ctx := context.Background()

	start := time.Now()
	res, err := c.Submit(ctx, key, transfer(t, addr, 1), client.TxOptions{Timeout: 10 * time.Second}, true)
	if err != nil || res.Height <= 0 {
		t.Fatalf("Submit: %+v, %v", res, err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the wait took %s: it did not use the event", took)
	}
	if n := f.CallCount("tx"); n != 1 {
		t.Fatalf("/tx asked %d times, want once", n)
	}
	if n := f.CallCount("subscribe"); n != 1 {
		t.Fatalf("%d subscriptions made, want 1", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.Subscriptions() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := f.Subscriptions(); n != 0 {
		t.Fatalf("%d subscriptions left after the wait", n)
	}
}

// TestWaitSubscriptionLimit: a client.Client holds at most client.MaxTxWatches
// subscriptions; further waits poll, and all of them end.
func TestWaitSubscriptionLimit(t *testing.T) {
	f := newNode(t)
	c, _ := client.New(f.URL(), client.WithPollInterval(10*time.Millisecond))
	defer c.Close()
	ctx := context.Background()
	const waits = client.MaxTxWatches + 3
	txs := make([][]byte, waits)
	errs := make(chan error, waits)
	for i := range txs {
		txs[i] = []byte(fmt.Sprintf("tx %d", i))
		go func() {
			_, err := c.WaitForTx(ctx, client.TxHash(txs[i]), 10*time.Second)
			errs <- err
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.Subscriptions() < client.MaxTxWatches && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // any extra subscription would land now
	if n := f.Subscriptions(); n != client.MaxTxWatches {
		t.Fatalf("%d subscriptions, want %d", n, client.MaxTxWatches)
	}
	f.AddTxs(txs...)
	f.Produce(1)
	for range waits {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
