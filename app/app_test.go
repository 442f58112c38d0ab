package app_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"math"
	"slices"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/store/commitinfo"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/wallet"
)

const genesisBalance = 1_000_000

// TestRejections submits each invalid transaction to CheckTx and then alone
// in a block, and checks both report the same (codespace, code) and that
// the block changes nothing.
func TestRejections(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 2, Balance: genesisBalance})
	issuer, other, auditor := h.IssuerKey(), h.OtherIssuerKey(), h.AuditorKey()
	w0, w1 := h.WalletKey(0), h.WalletKey(1)
	a0, a1 := apptest.Address(w0), apptest.Address(w1)
	stranger := h.WalletKey(100) // never opened
	atOther := h.WalletKey(5)    // opened at other-bank below

	// Setup: a wallet at other-bank, a deposit whose reference and bytes are
	// reused below, and one transfer so that w0's nonce is 1.
	deposit := h.Sign(issuer, 0, apptest.Deposit(a0, 10, "dup-ref"))
	mustOK(t, h.Block(
		h.Sign(other, 0, apptest.OpenWallet(apptest.Address(atOther))),
		deposit,
		h.Sign(w0, 0, apptest.Transfer(a1, 10)),
	))
	supply := h.Supply()
	if supply != 2*genesisBalance+10 {
		t.Fatalf("supply %d", supply)
	}

	transfer := func(nonce uint64, amount uint64) *authv1.Tx {
		return h.SignTx(w0, apptest.Body(w0, nonce, apptest.Transfer(a1, amount)))
	}
	good := transfer(1, 5)
	bodyWith := func(f func(b *authv1.TxBody)) []byte {
		b := apptest.Body(w0, 1, apptest.Transfer(a1, 5))
		f(b)
		return h.Encode(h.SignTx(w0, b))
	}
	oversize := marshal(t, good)
	for len(oversize) <= consortium.DefaultMaxTxBytes {
		oversize = append(oversize, 0x98, 0x06, 0x01) // field 99 = 1
	}

	for _, tc := range []struct {
		name string
		tx   []byte
		want *errcode.Error
	}{
		{"oversize", oversize, auth.ErrTxTooLarge},
		{"undecodable", []byte{0x0a, 0xff, 0xff, 0xff}, auth.ErrTxDecode},
		{"unknown field appended", withUnknownField(t, good), auth.ErrNonCanonical},
		{"field encoded twice", withFieldTwice(t, good), auth.ErrNonCanonical},
		{"fields out of order", withFieldsOutOfOrder(t, good), auth.ErrNonCanonical},
		{"non-minimal varint", withNonMinimalVarint(t, good), auth.ErrNonCanonical},
		{"explicit default value", withExplicitDefault(t, good), auth.ErrNonCanonical},
		{"no message", h.Encode(&authv1.Tx{Body: &authv1.TxBody{ChainId: apptest.ChainID, Signer: a0.Bytes(), Nonce: 1, ValidUntilHeight: 9}, Signature: good.Signature}), auth.ErrInvalidTx},
		{"no body", h.Encode(&authv1.Tx{Signature: good.Signature}), auth.ErrInvalidTx},
		{"wrong chain id", bodyWith(func(b *authv1.TxBody) { b.ChainId = "ledgerd-other" }), auth.ErrWrongChainID},
		{"expired", bodyWith(func(b *authv1.TxBody) { b.ValidUntilHeight = uint64(h.Height()) }), auth.ErrTxExpired},
		{"validity window too long", bodyWith(func(b *authv1.TxBody) {
			b.ValidUntilHeight = uint64(h.Height()) + 100 + consortium.DefaultMaxTxValidityBlocks // cases run blocks first
		}), auth.ErrValidityTooLong},
		{"signature too short", h.Encode(withSig(good, func(s []byte) []byte { return s[:64] })), auth.ErrSigLength},
		{"signature too long", h.Encode(withSig(good, func(s []byte) []byte { return append(s, 0) })), auth.ErrSigLength},
		{"v is 27", h.Encode(withSig(good, func(s []byte) []byte { s[64] += 27; return s })), auth.ErrSigRecoveryID},
		{"high s twin", h.Encode(highS(good)), auth.ErrSigHighS},
		{"unknown sign mode", h.Encode(func() *authv1.Tx { c := proto.Clone(good).(*authv1.Tx); c.SignMode = 7; return c }()), auth.ErrInvalidSignMode},
		{"signer mismatch", h.Encode(h.SignTx(w1, apptest.Body(w0, 1, apptest.Transfer(a1, 5)))), auth.ErrSignerMismatch},
		{"other sign mode than signed", h.Encode(func() *authv1.Tx { c := proto.Clone(good).(*authv1.Tx); c.SignMode = 1; return c }()), auth.ErrSignerMismatch},
		{"replay of a committed tx", deposit, auth.ErrNonceTooLow},
		{"nonce too low", h.Encode(transfer(0, 5)), auth.ErrNonceTooLow},
		{"nonce too high", h.Encode(transfer(2, 5)), auth.ErrNonceTooHigh},
		{"unknown signer", h.Sign(stranger, 0, apptest.Transfer(a0, 1)), auth.ErrUnknownSigner},
		{"second signature by the signer", h.SignBoth(w0, w0, 1, apptest.Transfer(a1, 5)), auth.ErrSecondSignerIsSigner},
		{"second signature malformed", h.Encode(func() *authv1.Tx {
			c := proto.Clone(good).(*authv1.Tx)
			c.SecondSignature = good.Signature[:64]
			return c
		}()), auth.ErrSigLength},
		{"second signature on an operator's tx", h.SignBoth(issuer, w1, 1, apptest.Deposit(a0, 5, "two-sigs")), auth.ErrNoSecondSignature},
		{"wallet owner opens a wallet", h.Sign(w0, 1, apptest.OpenWallet(apptest.Address(stranger))), consortium.ErrNotOperator},
		{"auditor deposits", h.Sign(auditor, 0, apptest.Deposit(a0, 5, "aud-1")), consortium.ErrMissingRole},
		{"issuer deposits at another bank's wallet", h.Sign(issuer, 1, apptest.Deposit(apptest.Address(atOther), 5, "x-1")), wallet.ErrNotBankOfRecord},
		{"operator transfers", h.Sign(issuer, 1, apptest.Transfer(a0, 1)), wallet.ErrWalletNotFound},
		{"open an open wallet", h.Sign(issuer, 1, apptest.OpenWallet(a0)), wallet.ErrWalletExists},
		{"open a wallet for an operator", h.Sign(issuer, 1, apptest.OpenWallet(apptest.Address(auditor))), wallet.ErrOwnerIsOperator},
		{"invalid tier", h.Sign(issuer, 1, &walletv1.MsgOpenWallet{Owner: addr(stranger), KycHash: make([]byte, 32), Tier: 9}), wallet.ErrInvalidMsg},
		{"insufficient funds", h.Encode(transfer(1, h.Balance(a0)+1)), wallet.ErrInsufficientFunds},
		{"balance overflow", h.Sign(issuer, 1, apptest.Deposit(a0, math.MaxUint64-h.Balance(a0)+1, "big-1")), wallet.ErrAmountOverflow},
		{"supply overflow", h.Sign(issuer, 1, apptest.Deposit(a1, math.MaxUint64-supply+1, "big-2")), wallet.ErrAmountOverflow},
		{"zero transfer", h.Encode(transfer(1, 0)), wallet.ErrZeroAmount},
		{"zero deposit", h.Sign(issuer, 1, apptest.Deposit(a0, 0, "zero")), wallet.ErrZeroAmount},
		{"unknown denom", h.Sign(w0, 1, &walletv1.MsgTransfer{To: a1.Bytes(), Denom: "USD", Amount: 1}), wallet.ErrUnknownDenom},
		{"duplicate deposit reference", h.Sign(issuer, 1, apptest.Deposit(a1, 5, "dup-ref")), wallet.ErrDuplicateReference},
		{"transfer to self", h.Sign(w0, 1, apptest.Transfer(a0, 1)), wallet.ErrSelfTransfer},
		{"transfer to a nonexistent wallet", h.Sign(w0, 1, apptest.Transfer(apptest.Address(stranger), 1)), wallet.ErrWalletNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCheck(t, h.CheckTx(tc.tx), tc.want)
			before, height := h.AppHash(), h.Height()
			rs := h.Block(tc.tx)
			wantExec(t, rs[0], tc.want)
			if len(rs[0].Events) != 0 {
				t.Errorf("rejected tx emitted events: %v", rs[0].Events)
			}
			if h.Height() != height+1 {
				t.Fatalf("height %d, want %d", h.Height(), height+1)
			}
			if after := h.AppHash(); !bytes.Equal(before, after) {
				t.Fatalf("rejected tx changed the app hash: %x -> %x", before, after)
			}
		})
	}

	// The non-canonical encodings carry the valid transaction itself, which
	// still goes through.
	for _, raw := range [][]byte{withUnknownField(t, good), withFieldTwice(t, good), withFieldsOutOfOrder(t, good),
		withNonMinimalVarint(t, good), withExplicitDefault(t, good)} {
		sameTx(t, raw, good)
	}
	wantCheck(t, h.CheckTx(h.Encode(good)), ok)
	mustOK(t, h.Block(h.Encode(good)))
	if got := h.Balance(a1); got != genesisBalance+10+5 {
		t.Fatalf("w1 balance %d", got)
	}
}

func TestHappyPath(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	issuer := h.IssuerKey()
	alice, bob := h.WalletKey(0), h.WalletKey(1)
	a, b := apptest.Address(alice), apptest.Address(bob)

	mustOK(t, h.Block(
		h.Sign(issuer, 0, apptest.OpenWallet(a)),
		h.Sign(issuer, 1, apptest.OpenWallet(b)),
	))
	depositTx := h.Sign(issuer, 2, apptest.Deposit(a, 1000, "FIAT-1"))
	rs := h.Block(depositTx, h.Sign(alice, 0, apptest.Transfer(b, 300)))
	mustOK(t, rs)
	if !hasEvent(rs[0], "deposit") || !hasEvent(rs[1], "transfer") || !hasEvent(rs[1], "tx") {
		t.Errorf("missing events: %v / %v", rs[0].Events, rs[1].Events)
	}

	if got := h.Balance(a); got != 700 {
		t.Errorf("alice balance %d, want 700", got)
	}
	if got := h.Balance(b); got != 300 {
		t.Errorf("bob balance %d, want 300", got)
	}
	for _, c := range []struct {
		who  common.Address
		want uint64
	}{{apptest.Address(issuer), 3}, {a, 1}, {b, 0}} {
		if got := h.Nonce(c.who); got != c.want {
			t.Errorf("nonce of %s = %d, want %d", c.who.Hex(), got, c.want)
		}
	}
	if got := h.Issued(apptest.Issuer); got != 1000 {
		t.Errorf("issued %d", got)
	}
	if got := h.Supply(); got != 1000 {
		t.Errorf("supply %d", got)
	}
	w := h.Wallet(a)
	if w.Bank != apptest.Issuer || w.Tier != 1 || w.Status != walletv1.WalletStatus_WALLET_STATUS_ACTIVE ||
		w.OpenedHeight != 1 || w.OpenedTime != apptest.BaseTime.Add(time.Second).Unix() ||
		!bytes.Equal(w.KycHash, apptest.KYCHash(a)) {
		t.Errorf("wallet %v", w)
	}
	// The deposit record names the transaction.
	r := h.Query("/store/wallet/key", wallet.DepositKey(apptest.Issuer, "FIAT-1"), 0, false)
	rec := new(walletv1.DepositRecord)
	if err := proto.Unmarshal(r.Value, rec); err != nil {
		t.Fatal(err)
	}
	txHash := sha256.Sum256(depositTx)
	if rec.Height != 2 || !bytes.Equal(rec.TxHash, txHash[:]) || rec.Amount.GetAmount() != 1000 || !bytes.Equal(rec.Wallet, a[:]) {
		t.Errorf("deposit record %v", rec)
	}
	wantQuery(t, h.Query(wallet.QueryInvariant, nil, 0, false), ok)
}

func hasEvent(r *abci.ExecTxResult, kind string) bool {
	return slices.ContainsFunc(r.Events, func(e abci.Event) bool { return e.Type == kind })
}

// TestGenesisIsInFirstBlock: the genesis state survives the first
// FinalizeBlock, and the first (empty) block's app hash is InitChain's.
func TestGenesisIsInFirstBlock(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 1, Balance: 5})
	// New ran InitChain already; run it again to see its answer.
	init := h.InitChain()
	fin := h.FinalizeBlock()
	if !bytes.Equal(init.AppHash, fin.AppHash) {
		t.Fatalf("empty first block app hash %x, InitChain said %x", fin.AppHash, init.AppHash)
	}
	if len(init.Validators) != 1 || init.Validators[0].Power != 10 {
		t.Fatalf("validators %v", init.Validators)
	}
	// FinalizeBlock again (a round that did not commit), then commit.
	if again := h.FinalizeBlock(); !bytes.Equal(again.AppHash, init.AppHash) {
		t.Fatalf("re-finalized first block app hash %x, want %x", again.AppHash, init.AppHash)
	}
	h.Commit()
	if !bytes.Equal(h.AppHash(), init.AppHash) {
		t.Fatalf("committed %x, want %x", h.AppHash(), init.AppHash)
	}
	if got := h.Balance(apptest.Address(h.WalletKey(0))); got != 5 {
		t.Fatalf("genesis wallet balance %d", got)
	}
	if got := h.Nonce(apptest.Address(h.IssuerKey())); got != 0 {
		t.Fatalf("issuer nonce %d", got)
	}
	mustOK(t, h.Block(h.Sign(h.IssuerKey(), 0, apptest.OpenWallet(apptest.Address(h.WalletKey(1))))))
}

func TestCheckTxBeforeFirstCommit(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	tx := h.Sign(h.IssuerKey(), 0, apptest.OpenWallet(apptest.Address(h.WalletKey(0))))
	wantCheck(t, h.CheckTx(tx), auth.ErrInvalidTx)
	h.Block()
	wantCheck(t, h.CheckTx(tx), ok)
}

func TestCheckTxPendingNonces(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 2, Balance: 100})
	w0, to := h.WalletKey(0), apptest.Address(h.WalletKey(1))
	h.Block()
	tx0 := h.Sign(w0, 0, apptest.Transfer(to, 10))
	tx1 := h.Sign(w0, 1, apptest.Transfer(to, 10))
	gap := h.Sign(w0, 3, apptest.Transfer(to, 10))
	res := h.CheckTx(tx0)
	wantCheck(t, res, ok)
	if len(res.Events) != 0 { // a check builds no events: broadcast_tx_sync drops them
		t.Fatalf("CheckTx answered %d events", len(res.Events))
	}
	wantCheck(t, h.CheckTx(tx1), ok)
	wantCheck(t, h.CheckTx(gap), auth.ErrNonceTooHigh)
	// The check state counts pending balances too: 80 left.
	wantCheck(t, h.CheckTx(h.Sign(w0, 2, apptest.Transfer(to, 81))), wallet.ErrInsufficientFunds)

	// Only tx0 makes it into the block; the mempool rechecks the rest.
	mustOK(t, h.Block(tx0))
	wantCheck(t, h.Recheck(tx0), auth.ErrNonceTooLow)
	wantCheck(t, h.Recheck(tx1), ok)
	wantCheck(t, h.Recheck(gap), auth.ErrNonceTooHigh)
	tx2 := h.Sign(w0, 2, apptest.Transfer(to, 10))
	wantCheck(t, h.CheckTx(tx2), ok)
	wantCheck(t, h.CheckTx(gap), ok)
	mustOK(t, h.Block(tx1, tx2, gap))
	if got := h.Balance(apptest.Address(w0)); got != 60 {
		t.Fatalf("balance %d", got)
	}
}

func TestCheckTxPendingCap(t *testing.T) {
	cfg := app.DefaultConfig(apptest.ChainID)
	cfg.MaxPendingPerSigner = 2
	h := apptest.New(t, apptest.Options{Config: &cfg, Wallets: 2, Balance: 100})
	w0, w1 := h.WalletKey(0), h.WalletKey(1)
	to := apptest.Address(w1)
	h.Block()
	txs := make([][]byte, 4)
	for i := range txs {
		txs[i] = h.Sign(w0, uint64(i), apptest.Transfer(to, 1))
	}
	wantCheck(t, h.CheckTx(txs[0]), ok)
	wantCheck(t, h.CheckTx(txs[1]), ok)
	wantCheck(t, h.CheckTx(txs[2]), auth.ErrTooManyPending)
	// The cap is per signer.
	wantCheck(t, h.CheckTx(h.Sign(w1, 0, apptest.Transfer(apptest.Address(w0), 1))), ok)
	// A rejected tx does not count; after a commit the count restarts.
	mustOK(t, h.Block(txs[0], txs[1]))
	wantCheck(t, h.CheckTx(txs[2]), ok)
	wantCheck(t, h.CheckTx(txs[3]), ok)
	wantCheck(t, h.CheckTx(h.Sign(w0, 4, apptest.Transfer(to, 1))), auth.ErrTooManyPending)
}

func TestQueries(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 2, Balance: 100})
	w0, w1 := h.WalletKey(0), h.WalletKey(1)
	a0, a1 := apptest.Address(w0), apptest.Address(w1)
	h.Block()
	mustOK(t, h.Block(h.Sign(w0, 0, apptest.Transfer(a1, 40))))
	mustOK(t, h.Block(h.Sign(h.IssuerKey(), 0, apptest.Deposit(a0, 7, "r-1"))))

	t.Run("store key with proof", func(t *testing.T) {
		key := wallet.WalletKey(a0[:])
		for height := int64(1); height <= h.Height(); height++ {
			r := h.Query("/store/wallet/key", key, height, true)
			wantQuery(t, r, ok)
			if r.Height != height || r.Value == nil || r.ProofOps == nil {
				t.Fatalf("height %d: answer %v", height, r)
			}
			v, err := h.Store.Version(height)
			if err != nil {
				t.Fatal(err)
			}
			if err := commitinfo.VerifyValue(v.AppHash(), wallet.StoreName, key, r.Value, r.ProofOps.Ops); err != nil {
				t.Fatalf("height %d: %v", height, err)
			}
			w := new(walletv1.Wallet)
			if err := proto.Unmarshal(r.Value, w); err != nil {
				t.Fatal(err)
			}
			want := map[int64]uint64{1: 100, 2: 60, 3: 67}[height]
			if got := wallet.Balance(w, apptest.Denom); got != want {
				t.Fatalf("height %d: balance %d, want %d", height, got, want)
			}
			// The proof does not verify another value or another height's hash.
			if err := commitinfo.VerifyValue(v.AppHash(), wallet.StoreName, key, append(r.Value, 0), r.ProofOps.Ops); err == nil {
				t.Fatal("proof verifies a tampered value")
			}
			if height < h.Height() {
				if err := commitinfo.VerifyValue(h.AppHash(), wallet.StoreName, key, r.Value, r.ProofOps.Ops); err == nil {
					t.Fatalf("proof of height %d verifies against the latest app hash", height)
				}
			}
		}
		// Height 0 is the latest.
		if r := h.Query("/store/wallet/key", key, 0, true); r.Height != h.Height() ||
			commitinfo.VerifyValue(h.AppHash(), wallet.StoreName, key, r.Value, r.ProofOps.Ops) != nil {
			t.Fatalf("latest answer %v", r)
		}
	})

	t.Run("absence with proof", func(t *testing.T) {
		key := wallet.WalletKey(addr(h.WalletKey(50)))
		r := h.Query("/store/wallet/key", key, 0, true)
		wantQuery(t, r, ok)
		if r.Value != nil {
			t.Fatalf("value %x", r.Value)
		}
		if err := commitinfo.VerifyAbsence(h.AppHash(), wallet.StoreName, key, r.ProofOps.Ops); err != nil {
			t.Fatal(err)
		}
		if err := commitinfo.VerifyAbsence(h.AppHash(), consortium.StoreName, key, r.ProofOps.Ops); err == nil {
			t.Fatal("absence proof verifies for another store")
		}
		// An existing key cannot be proven absent.
		present := wallet.WalletKey(a0[:])
		rp := h.Query("/store/wallet/key", present, 0, true)
		if err := commitinfo.VerifyAbsence(h.AppHash(), wallet.StoreName, present, rp.ProofOps.Ops); err == nil {
			t.Fatal("present key proven absent")
		}
	})

	t.Run("store key without proof", func(t *testing.T) {
		r := h.Query("/store/consortium/key", consortium.OperatorKey(addr(h.IssuerKey())), 0, false)
		wantQuery(t, r, ok)
		op := new(consortiumv1.Operator)
		if err := proto.Unmarshal(r.Value, op); err != nil || op.MemberId != apptest.Issuer || op.Nonce != 1 || r.ProofOps != nil {
			t.Fatalf("operator %v (%v), proof %v", op, err, r.ProofOps)
		}
	})

	t.Run("members", func(t *testing.T) {
		r := h.Query(consortium.QueryMembers, nil, 0, false)
		wantQuery(t, r, ok)
		ms := new(consortiumv1.Members)
		if err := proto.Unmarshal(r.Value, ms); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range ms.Members {
			ids = append(ids, m.Id)
		}
		if !slices.Equal(ids, []string{apptest.Auditor, apptest.Issuer, apptest.OtherIssuer, apptest.Regulator}) {
			t.Fatalf("members %v", ids)
		}
		bank := ms.Members[1]
		if !consortium.HasRole(bank, consortiumv1.Role_ROLE_ISSUER) || bank.Validator == nil ||
			len(bank.Operators) != 1 || !bytes.Equal(bank.Operators[0], addr(h.IssuerKey())) {
			t.Fatalf("demo-bank %v", bank)
		}
	})

	t.Run("peer filter", func(t *testing.T) {
		wantQuery(t, h.Query(app.QueryPeerFilterID+"0123456789abcdef0123456789abcdef01234567", nil, 0, false), ok)
		wantQuery(t, h.Query(app.QueryPeerFilterID+"fedcba9876543210fedcba9876543210fedcba98", nil, 0, false), consortium.ErrNodeNotMember)
		wantQuery(t, h.Query(app.QueryPeerFilterID, nil, 0, false), consortium.ErrNodeNotMember)
		wantQuery(t, h.Query(app.QueryPeerFilterAddr+"10.0.0.1:26656", nil, 0, false), ok)
	})

	t.Run("issuances", func(t *testing.T) {
		r := h.Query(wallet.QueryIssuancesPrefix+apptest.Issuer, nil, 0, false)
		wantQuery(t, r, ok)
		is := new(walletv1.Issuances)
		if err := proto.Unmarshal(r.Value, is); err != nil {
			t.Fatal(err)
		}
		want := &walletv1.Issuances{Issuances: []*walletv1.Issuance{{Issuer: apptest.Issuer, Denom: apptest.Denom, Outstanding: 207, Held: 207}}}
		if !proto.Equal(is, want) {
			t.Fatalf("issuances %v, want %v", is, want)
		}
		r = h.Query(wallet.QueryIssuancesPrefix+apptest.OtherIssuer, nil, 0, false)
		wantQuery(t, r, ok)
		if len(r.Value) != 0 {
			t.Fatalf("other-bank issuances %x", r.Value)
		}
		// At height 1, before the deposit.
		r = h.Query(wallet.QueryIssuancesPrefix+apptest.Issuer, nil, 1, false)
		if err := proto.Unmarshal(r.Value, is); err != nil || is.Issuances[0].Outstanding != 200 || r.Height != 1 {
			t.Fatalf("issuances at 1: %v %v", is, err)
		}
	})

	t.Run("invariant", func(t *testing.T) {
		// At the last height only (TestWholeStateQueries).
		wantQuery(t, h.Query(wallet.QueryInvariant, nil, 0, false), ok)
		wantQuery(t, h.Query(wallet.QueryInvariant, nil, h.Height(), false), ok)
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			path   string
			data   []byte
			height int64
			want   *errcode.Error
		}{
			{"height not committed yet", consortium.QueryMembers, nil, h.Height() + 1, app.ErrHeightNotKept},
			{"store height not committed yet", "/store/wallet/key", []byte{1}, h.Height() + 5, app.ErrHeightNotKept},
			{"negative height", consortium.QueryMembers, nil, -1, app.ErrInvalidRequest},
			{"unknown path", "/wallet/nothing", nil, 0, app.ErrUnknownQuery},
			{"unknown store", "/store/bank/key", []byte{1}, 0, app.ErrUnknownQuery},
			{"store without /key", "/store/wallet", []byte{1}, 0, app.ErrUnknownQuery},
			{"empty key", "/store/wallet/key", nil, 0, app.ErrInvalidRequest},
			{"empty issuer", wallet.QueryIssuancesPrefix, nil, 0, app.ErrInvalidRequest},
		} {
			t.Run(tc.name, func(t *testing.T) {
				wantQuery(t, h.Query(tc.path, tc.data, tc.height, false), tc.want)
			})
		}
	})
}

// TestQueryPrunedHeight: a pruned height is the same query error as one not
// committed yet.
func TestQueryPrunedHeight(t *testing.T) {
	h := apptest.New(t, apptest.Options{Store: store.Options{KeepRecent: 2, PruneEvery: 1}})
	for range 5 {
		h.Block()
	}
	wantQuery(t, h.Query(consortium.QueryMembers, nil, 2, false), app.ErrHeightNotKept)
	wantQuery(t, h.Query(consortium.QueryMembers, nil, 4, false), ok)
	wantQuery(t, h.Query(consortium.QueryMembers, nil, 5, false), ok)
}

// TestConcurrentQueriesAndCheckTx runs queries and CheckTx while blocks are
// executed and committed, as CometBFT's three connections do (run with
// -race).
func TestConcurrentQueriesAndCheckTx(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 2, Balance: 1000})
	w0, a1 := h.WalletKey(0), apptest.Address(h.WalletKey(1))
	h.Block()
	const blocks = 8
	txs := make([][]byte, blocks)
	for i := range txs {
		txs[i] = h.Sign(w0, uint64(i), apptest.Transfer(a1, 1))
	}
	key := wallet.WalletKey(addr(w0))
	done := make(chan struct{})
	errs := make(chan string, 2)
	go func() {
		defer func() { errs <- "" }()
		for {
			select {
			case <-done:
				return
			default:
			}
			r := h.Query("/store/wallet/key", key, 0, true)
			if r.Code != 0 {
				errs <- r.Log
				return
			}
			v, err := h.Store.Version(r.Height)
			if err != nil {
				errs <- err.Error()
				return
			}
			if err := commitinfo.VerifyValue(v.AppHash(), wallet.StoreName, key, r.Value, r.ProofOps.Ops); err != nil {
				errs <- err.Error()
				return
			}
			if r := h.Query(wallet.QueryInvariant, nil, 0, false); r.Code != 0 {
				errs <- r.Log
				return
			}
		}
	}()
	go func() {
		defer func() { errs <- "" }()
		for {
			select {
			case <-done:
				return
			default:
			}
			for _, tx := range txs {
				h.CheckTx(tx)
			}
		}
	}()
	for i := range blocks {
		mustOK(t, h.Block(txs[i]))
	}
	close(done)
	for range 2 {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}

func TestProposals(t *testing.T) {
	h := apptest.New(t, apptest.Options{EditGenesis: func(g *appstate.State) { g.Consortium.MaxBlockTxs = 3 }})
	txs := [][]byte{[]byte("aaaa"), []byte("bb"), []byte("cccc"), []byte("d")}
	ctx := context.Background()
	for _, tc := range []struct {
		maxBytes int64
		want     int
	}{{100, 3}, {6, 2}, {9, 2}, {10, 3}, {3, 0}} {
		r, err := h.App.PrepareProposal(ctx, &abci.RequestPrepareProposal{Txs: txs, MaxTxBytes: tc.maxBytes})
		if err != nil || len(r.Txs) != tc.want {
			t.Errorf("PrepareProposal(max %d bytes) = %d txs (%v), want %d", tc.maxBytes, len(r.Txs), err, tc.want)
		}
	}
	for n, want := range map[int]abci.ResponseProcessProposal_ProposalStatus{
		3: abci.ResponseProcessProposal_ACCEPT, 4: abci.ResponseProcessProposal_REJECT,
	} {
		r, err := h.App.ProcessProposal(ctx, &abci.RequestProcessProposal{Txs: txs[:n]})
		if err != nil || r.Status != want {
			t.Errorf("ProcessProposal(%d txs) = %v (%v), want %v", n, r.Status, err, want)
		}
	}
}

// TestProposalNonceOrder: the mempool may list one signer's transactions
// out of nonce order; the proposal puts them back in order within their
// positions, leaves other signers' transactions and undecodable bytes where
// they are, and the block then succeeds.
func TestProposalNonceOrder(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 2, Balance: 1_000})
	bank, payer := h.IssuerKey(), h.WalletKey(0)
	to := apptest.Address(h.WalletKey(1))
	b0 := h.Sign(bank, 0, apptest.Deposit(to, 5, "order-0"))
	b1 := h.Sign(bank, 1, apptest.Deposit(to, 5, "order-1"))
	b2 := h.Sign(bank, 2, apptest.Deposit(to, 5, "order-2"))
	p0 := h.Sign(payer, 0, apptest.Transfer(to, 1))
	p1 := h.Sign(payer, 1, apptest.Transfer(to, 1))
	junk := []byte("not a transaction")
	in := [][]byte{b2, p1, junk, b0, p0, b1}
	r, err := h.App.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Txs: in, MaxTxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{b0, p0, junk, b1, p1, b2}
	for i := range want {
		if !bytes.Equal(r.Txs[i], want[i]) {
			t.Fatalf("position %d: got tx %x..., want %x...", i, r.Txs[i][:8], want[i][:8])
		}
	}
	res := h.Block(r.Txs...)
	for i, x := range res {
		if (i == 2) != (x.Code != 0) {
			t.Errorf("tx %d: code %d %s", i, x.Code, x.Log)
		}
	}
}

// TestProposalNonceGaps: a proposal leaves out a signer's transactions
// from the first nonce its account does not expect next (one the mempool
// dropped, or one past the block's cap), so none fails in the block with
// auth/14; the block then succeeds, and the rest go in once the gap is
// filled.
func TestProposalNonceGaps(t *testing.T) {
	h := apptest.New(t, apptest.Options{Wallets: 2, Balance: 1_000,
		EditGenesis: func(g *appstate.State) { g.Consortium.MaxBlockTxs = 3 }})
	bank, payer := h.IssuerKey(), h.WalletKey(0)
	to := apptest.Address(h.WalletKey(1))
	b0 := h.Sign(bank, 0, apptest.Deposit(to, 5, "gap-0"))
	b1 := h.Sign(bank, 1, apptest.Deposit(to, 5, "gap-1"))
	b2 := h.Sign(bank, 2, apptest.Deposit(to, 5, "gap-2"))
	p0 := h.Sign(payer, 0, apptest.Transfer(to, 1))
	p2 := h.Sign(payer, 2, apptest.Transfer(to, 1))
	h.Block() // the gaps are judged against a committed state
	propose := func(in ...[]byte) [][]byte {
		t.Helper()
		r, err := h.App.PrepareProposal(context.Background(), &abci.RequestPrepareProposal{Txs: in, MaxTxBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		return r.Txs
	}
	same := func(got [][]byte, want ...[]byte) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("proposal of %d txs, want %d", len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("position %d: got tx %x..., want %x...", i, got[i][:8], want[i][:8])
			}
		}
	}
	// b0 lies past the cap of 3: b1 and b2 wait for it; p2 lacks p1.
	got := propose(b2, p0, b1, p2, b0)
	same(got, p0)
	for i, x := range h.Block(got...) {
		if x.Code != 0 {
			t.Fatalf("tx %d: code %d %s", i, x.Code, x.Log)
		}
	}
	// Once b0 is proposed, b1 and b2 follow it in the same block.
	got = propose(b2, b0, b1, p2)
	same(got, b0, b1, b2)
	for i, x := range h.Block(got...) {
		if x.Code != 0 {
			t.Fatalf("tx %d: code %d %s", i, x.Code, x.Log)
		}
	}
}

// TestPeerFilterDuringFirstBlock: until the first commit the peer filter
// reads the genesis branch, while block 1 writes the working trees, which
// the patched IAVL changes in place (third_party/iavl/LEDGERD.md). The
// branch must not read them: with -race, reading through the working trees
// (as InitChain's branch once did) is reported here as a data race.
func TestPeerFilterDuringFirstBlock(t *testing.T) {
	const wallets = 200
	h := apptest.New(t, apptest.Options{Wallets: wallets, Balance: genesisBalance})
	var txs [][]byte
	for i := range wallets {
		txs = append(txs, h.Sign(h.WalletKey(i), 0, apptest.Transfer(apptest.Address(h.WalletKey((i+1)%wallets)), 1)))
	}
	outsider := "fedcba9876543210fedcba9876543210fedcba98"
	done := make(chan struct{})
	answered := make(chan int)
	go func() {
		n := 0
		defer func() { answered <- n }()
		for {
			select {
			case <-done:
				return
			default:
			}
			if r := h.Query(app.QueryPeerFilterID+outsider, nil, 0, false); r.Code == 0 {
				t.Errorf("peer filter admitted an outsider during block 1: %s", r.Log)
				return
			}
			n++
		}
	}()
	mustOK(t, h.Block(txs...))
	close(done)
	if n := <-answered; n == 0 {
		t.Fatal("the peer filter was not asked during block 1")
	}
}

// TestPeerFilterBeforeFirstBlock: the validators must connect to make block
// 1, before any state is committed, so the peer filter answers from the
// genesis members until then, and from the committed state after.
func TestPeerFilterBeforeFirstBlock(t *testing.T) {
	h := apptest.New(t, apptest.Options{})
	member, outsider := "0123456789abcdef0123456789abcdef01234567", "fedcba9876543210fedcba9876543210fedcba98"
	for range 2 {
		wantQuery(t, h.Query(app.QueryPeerFilterID+member, nil, 0, false), ok)
		wantQuery(t, h.Query(app.QueryPeerFilterID+outsider, nil, 0, false), consortium.ErrNodeNotMember)
		wantQuery(t, h.Query(app.QueryPeerFilterAddr+"192.0.2.1:26656", nil, 0, false), ok)
		h.Block()
	}
}
