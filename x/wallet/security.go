package wallet

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/ethereum/go-ethereum/common"

	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// Keys, key recovery and the second factor.
//
// A wallet's id is its first owner's address, for good: its store key, its
// history subject, the address others pay and other modules name. The key
// that signs for it is Wallet.key when set (after a rotation or a
// recovery), else the id's own key. The key index (KeyIndexKey) maps every
// key that is not its wallet's id back to the wallet, with its state
// (pending, current, retired), so that both directions are provable. A
// key serves one wallet, once: a replaced key never signs again.
//
// Changes that take effect at a time (a recovery, a second factor's
// removal) are stored with their due time and queued by it (DueKey). They
// apply on touch, when any transaction loads the wallet at or after their
// due time, and signer lookups judge keys by the block time, so that no
// result depends on how far the bounded sweep at the start of each block
// (SettleDue) has got; the sweep brings the rest up to date and emits
// their events without anyone touching the wallet.

// MaxDuePerBlock bounds the pending changes SettleDue applies in one
// block; the rest are applied in the next blocks (or on touch).
const MaxDuePerBlock = 1000

// keyOf is the address whose key signs for w, not counting a recovery due.
func keyOf(w *walletv1.Wallet) common.Address {
	if len(w.Key) > 0 {
		return common.BytesToAddress(w.Key)
	}
	return common.BytesToAddress(w.Owner)
}

// KeyAt is the address whose key signs for w at Unix time now: its new key
// once a pending recovery is due.
func KeyAt(w *walletv1.Wallet, now int64) common.Address {
	if r := w.Recovery; r != nil && r.Due <= now {
		return common.BytesToAddress(r.NewKey)
	}
	return keyOf(w)
}

// due are the changes applyDue made to a wallet.
type due struct {
	recovery *walletv1.Recovery
	oldKey   common.Address
	removed  *walletv1.SecondFactor
}

func (d due) any() bool { return d.recovery != nil || d.removed != nil }

// applyDue applies to w, in memory, the pending changes due at Unix time
// now: a recovery completes (its key and KYC hash, the second factor
// cleared if it says so), a second factor's removal takes effect.
func applyDue(w *walletv1.Wallet, now int64) due {
	var d due
	if r := w.Recovery; r != nil && r.Due <= now {
		d.recovery, d.oldKey = r, keyOf(w)
		setKey(w, common.BytesToAddress(r.NewKey))
		w.KycHash, w.Recovery = r.KycHash, nil
		if r.ClearSecondFactor && w.SecondFactor != nil {
			d.removed, w.SecondFactor = w.SecondFactor, nil
		}
		w.Status = effectiveStatus(w)
	}
	if sf := w.SecondFactor; sf != nil && sf.RemovalDue != 0 && sf.RemovalDue <= now {
		d.removed, w.SecondFactor = sf, nil
	}
	return d
}

func setKey(w *walletv1.Wallet, key common.Address) {
	if bytes.Equal(key[:], w.Owner) {
		w.Key = nil
		return
	}
	w.Key = key.Bytes()
}

// Effective returns w as it stands at Unix time now: the pending changes
// due by then applied, as the next transaction that touches it applies
// them. w is not modified.
func Effective(w *walletv1.Wallet, now int64) *walletv1.Wallet {
	if w.Recovery == nil && w.SecondFactor.GetRemovalDue() == 0 {
		return w
	}
	c := cloneWallet(w)
	applyDue(c, now)
	return c
}

// settle applies w's pending changes due at the block time and records
// them: the key index, the due queue, history entries and events; it
// stores w if anything changed.
func (mod *Module) settle(ctx exec.Context, k Keeper, w *walletv1.Wallet) {
	d := applyDue(w, ctx.Time.Unix())
	if !d.any() {
		return
	}
	owner := common.BytesToAddress(w.Owner)
	if r := d.recovery; r != nil {
		k.kv.Delete(DueKey(r.Due, w.Owner, dueRecovery))
		newKey := common.BytesToAddress(r.NewKey)
		k.moveKey(ctx, w, d.oldKey, newKey)
		appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_KEY_CHANGED, Counterparty: newKey.Bytes(),
			Detail: fmt.Sprintf("recovery by %s completed: key %s -> %s", r.Bank, d.oldKey.Hex(), newKey.Hex())})
		ctx.Emit("wallet_recovery_completed", "wallet", exec.Hex(owner), "bank", w.Bank, "key", exec.Hex(newKey))
	}
	if sf := d.removed; sf != nil {
		if sf.RemovalDue != 0 {
			k.kv.Delete(DueKey(sf.RemovalDue, w.Owner, dueRemoval))
		}
		why := "its removal took effect"
		if d.recovery != nil && d.recovery.ClearSecondFactor {
			why = "cleared by the recovery"
		}
		mod.secondFactorChanged(ctx, w, "removed", sf, fmt.Sprintf("second factor %s removed: %s", common.BytesToAddress(sf.Key).Hex(), why))
	}
	k.SetWallet(w)
}

// load returns the wallet at owner with its changes due by the block time
// applied (and stored): the way every handler reads a wallet it acts on.
func (mod *Module) load(ctx exec.Context, k Keeper, owner common.Address) (*walletv1.Wallet, error) {
	w, err := k.Wallet(owner)
	if err != nil {
		return nil, err
	}
	mod.settle(ctx, k, w)
	return w, nil
}

// SettleDue applies the pending changes due by the block time, at most
// MaxDuePerBlock of them, earliest first. It runs at the start of every
// block.
func (mod *Module) SettleDue(ctx exec.Context) error {
	kv := ctx.KV(StoreName)
	end := binary.BigEndian.AppendUint64([]byte{prefixDue}, uint64(ctx.Time.Unix())+1)
	k := NewKeeper(kv)
	for _, key := range store.Keys(kv, []byte{prefixDue}, end, false, MaxDuePerBlock) {
		if len(key) != 1+8+20+1 {
			return fmt.Errorf("wallet: malformed due key %x: corrupted state", key)
		}
		owner := common.BytesToAddress(key[9:29])
		w, err := k.Wallet(owner)
		if err != nil {
			return fmt.Errorf("due queue names wallet %s: %w", owner.Hex(), err)
		}
		mod.settle(ctx, k, w)
		kv.Delete(key) // settled, or stale (a cancelled change)
	}
	return nil
}

// lookup resolves a signer to the wallet it signs for at the block time
// (module.Accounts.Lookup): the wallet whose id it is while it is that
// wallet's key, or the wallet the key index names while it is that
// wallet's key. A replaced key, or the new key of a recovery not yet due,
// is refused.
func (mod *Module) lookup(ctx exec.Context, signer common.Address) (module.Account, bool, error) {
	v := NewView(ctx.KV(StoreName))
	// The common case, a wallet signed for by its own address, without
	// decoding the wallet (nonce.go).
	if nonce, plain, ok := walletNonce(v.r.Get(WalletKey(signer[:]))); ok && plain {
		return module.Account{ID: signer, Nonce: nonce}, true, nil
	}
	now := ctx.Time.Unix()
	if w, err := v.Wallet(signer); err == nil {
		if len(w.Key) == 0 && w.Recovery == nil {
			return module.Account{ID: signer, Nonce: w.Nonce}, true, nil
		}
		if cur := KeyAt(w, now); cur != signer {
			return module.Account{}, false, errcode.Wrap(ErrKeyReplaced, "wallet %s is signed for by %s", signer.Hex(), cur.Hex())
		}
		return module.Account{ID: signer, Nonce: w.Nonce}, true, nil
	}
	rec, ok := v.KeyRecord(signer)
	if !ok {
		return module.Account{}, false, nil
	}
	id := common.BytesToAddress(rec.Wallet)
	w, err := v.Wallet(id)
	if err != nil {
		return module.Account{}, false, fmt.Errorf("wallet: key %s names wallet %s: %w: corrupted state", signer.Hex(), id.Hex(), err)
	}
	if KeyAt(w, now) == signer {
		return module.Account{ID: id, Nonce: w.Nonce}, true, nil
	}
	if rec.State == walletv1.KeyState_KEY_STATE_PENDING && w.Recovery != nil && bytes.Equal(w.Recovery.NewKey, signer[:]) {
		return module.Account{}, false, errcode.Wrap(ErrKeyNotInForce, "key %s signs for wallet %s from %d", signer.Hex(), id.Hex(), w.Recovery.Due)
	}
	return module.Account{}, false, errcode.Wrap(ErrKeyReplaced, "key %s of wallet %s", signer.Hex(), id.Hex())
}

// KeyRecord returns the key index's record of key, if any.
func (v View) KeyRecord(key common.Address) (*walletv1.KeyRecord, bool) {
	rec := new(walletv1.KeyRecord)
	return rec, store.GetProto(v.r, KeyIndexKey(key[:]), rec)
}

// KeyInUse reports whether addr is, was or will be a wallet's key: a
// wallet's id or in the key index.
func (v View) KeyInUse(addr common.Address) bool {
	return v.r.Get(WalletKey(addr[:])) != nil || v.r.Get(KeyIndexKey(addr[:])) != nil
}

func (k Keeper) setKeyRecord(key common.Address, rec *walletv1.KeyRecord) {
	store.SetProto(k.kv, KeyIndexKey(key[:]), rec)
}

// moveKey records in the key index that w's key went from old to next: old
// retired, next current (a wallet's own address needs no record).
func (k Keeper) moveKey(ctx exec.Context, w *walletv1.Wallet, old, next common.Address) {
	if !bytes.Equal(old[:], w.Owner) {
		k.setKeyRecord(old, &walletv1.KeyRecord{Wallet: w.Owner, State: walletv1.KeyState_KEY_STATE_RETIRED, Height: ctx.Height})
	}
	if !bytes.Equal(next[:], w.Owner) {
		k.setKeyRecord(next, &walletv1.KeyRecord{Wallet: w.Owner, State: walletv1.KeyState_KEY_STATE_CURRENT, Height: ctx.Height})
	}
}

// checkNewKey fails unless key may become a wallet's key: it never served
// a wallet and is no member's operator key.
func (mod *Module) checkNewKey(ctx exec.Context, k Keeper, key common.Address) error {
	if k.KeyInUse(key) {
		return errcode.Wrap(ErrKeyInUse, "%s", key.Hex())
	}
	if _, isOperator := mod.members(ctx).Operator(key); isOperator {
		return errcode.Wrap(ErrOwnerIsOperator, "key %s", key.Hex())
	}
	return nil
}

// ValidateRecoverWallet and the other Validate functions below are the
// stateless checks of the key and sub-wallet messages (see
// ValidateOpenWallet).
func ValidateRecoverWallet(m *walletv1.MsgRecoverWallet) error {
	if err := checkAddress("wallet", m.Wallet); err != nil {
		return err
	}
	if err := checkAddress("new_key", m.NewKey); err != nil {
		return err
	}
	return checkKYC(m.KycHash)
}

// ValidateCancelRecovery: see ValidateRecoverWallet.
func ValidateCancelRecovery(m *walletv1.MsgCancelRecovery) error {
	return checkAddress("wallet", m.Wallet)
}

// ValidateRotateKey: see ValidateRecoverWallet.
func ValidateRotateKey(m *walletv1.MsgRotateKey) error { return checkAddress("new_key", m.NewKey) }

// ValidateSetSecondFactor: see ValidateRecoverWallet.
func ValidateSetSecondFactor(m *walletv1.MsgSetSecondFactor) error {
	if err := checkAddress("key", m.Key); err != nil {
		return err
	}
	if !denomPattern.MatchString(m.Denom) {
		return errcode.Wrap(ErrInvalidMsg, "denom %q", m.Denom)
	}
	return nil
}

// RecoverWallet starts a key recovery for a wallet of the signer's bank:
// msg.NewKey signs for it from the block time plus the recovery delay,
// unless its current key or the bank cancels first; until then the wallet
// only receives.
func (mod *Module) RecoverWallet(ctx exec.Context, msg *walletv1.MsgRecoverWallet) error {
	k := NewKeeper(ctx.KV(StoreName))
	w, err := mod.bankOfRecordWallet(ctx, k, msg.Wallet)
	if err != nil {
		return err
	}
	owner, newKey := common.BytesToAddress(w.Owner), common.BytesToAddress(msg.NewKey)
	if w.Recovery != nil {
		return errcode.Wrap(ErrRecoveryPending, "wallet %s: a recovery to %x completes at %d", owner.Hex(), w.Recovery.NewKey, w.Recovery.Due)
	}
	if err := mod.checkNewKey(ctx, k, newKey); err != nil {
		return err
	}
	dueAt := ctx.Time.Unix() + RecoveryDelay(mod.paramsOf(ctx))
	w.Recovery = &walletv1.Recovery{NewKey: newKey.Bytes(), KycHash: msg.KycHash, Due: dueAt, Bank: w.Bank, Height: ctx.Height,
		TxHash: ctx.TxHash, ClearSecondFactor: msg.ClearSecondFactor}
	w.Status = effectiveStatus(w)
	k.setKeyRecord(newKey, &walletv1.KeyRecord{Wallet: w.Owner, State: walletv1.KeyState_KEY_STATE_PENDING, Height: ctx.Height})
	k.kv.Set(DueKey(dueAt, w.Owner, dueRecovery), []byte{1})
	detail := fmt.Sprintf("recovery to key %s, completes at %d", newKey.Hex(), dueAt)
	if msg.ClearSecondFactor {
		detail += ", clearing the second factor"
	}
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_RECOVERY_STARTED, Counterparty: []byte(w.Bank), Detail: detail})
	k.SetWallet(w)
	ctx.Emit("wallet_recovery_started", "wallet", exec.Hex(owner), "bank", w.Bank, "key", exec.Hex(newKey), "due", strconv.FormatInt(dueAt, 10))
	return nil
}

// CancelRecovery cancels a wallet's pending recovery. Signed by the
// wallet's current key, with its second factor's signature if it has one,
// or by an operator of its bank of record.
func (mod *Module) CancelRecovery(ctx exec.Context, msg *walletv1.MsgCancelRecovery) error {
	k := NewKeeper(ctx.KV(StoreName))
	owner := common.BytesToAddress(msg.Wallet)
	var w *walletv1.Wallet
	var err error
	by := exec.Hex(ctx.AccountID)
	if ctx.Account == AccountKind {
		if owner != ctx.AccountID {
			return errcode.Wrap(ErrWalletNotFound, "the signer's wallet is %s, not %s", ctx.AccountID.Hex(), owner.Hex())
		}
		if w, err = mod.load(ctx, k, owner); err != nil {
			return err
		}
		if sf := w.SecondFactor; sf != nil && !bytes.Equal(sf.Key, ctx.Cosigner[:]) {
			return errcode.Wrap(ErrSecondFactorRequired, "wallet %s: cancelling its recovery needs its second factor %x", owner.Hex(), sf.Key)
		}
	} else {
		if w, err = mod.bankOfRecordWallet(ctx, k, msg.Wallet); err != nil {
			return err
		}
		by = w.Bank
	}
	r := w.Recovery
	if r == nil {
		return errcode.Wrap(ErrNoRecovery, "wallet %s", owner.Hex())
	}
	w.Recovery = nil
	w.Status = effectiveStatus(w)
	k.kv.Delete(KeyIndexKey(r.NewKey))
	k.kv.Delete(DueKey(r.Due, w.Owner, dueRecovery))
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_RECOVERY_CANCELLED, Counterparty: []byte(by),
		Detail: fmt.Sprintf("recovery to key %x cancelled by %s", r.NewKey, by)})
	k.SetWallet(w)
	ctx.Emit("wallet_recovery_cancelled", "wallet", exec.Hex(owner), "bank", w.Bank, "by", by)
	return nil
}

// RotateKey makes msg.NewKey the signer's wallet's key at once. The second
// signature proves the new key is held: it is by the new key, or, for a
// wallet with a second factor, by the second factor, which vouches for it.
func (mod *Module) RotateKey(ctx exec.Context, msg *walletv1.MsgRotateKey) error {
	k := NewKeeper(ctx.KV(StoreName))
	w, err := mod.load(ctx, k, ctx.AccountID)
	if err != nil {
		return err
	}
	owner, newKey := common.BytesToAddress(w.Owner), common.BytesToAddress(msg.NewKey)
	if w.Closed {
		return errcode.Wrap(ErrWalletClosed, "wallet %s", owner.Hex())
	}
	if w.Recovery != nil {
		return errcode.Wrap(ErrRecoveryPending, "wallet %s: cancel the recovery first", owner.Hex())
	}
	if err := checkIntroduced(w, ctx.Cosigner, newKey); err != nil {
		return err
	}
	if err := mod.checkNewKey(ctx, k, newKey); err != nil {
		return err
	}
	old := keyOf(w)
	setKey(w, newKey)
	k.moveKey(ctx, w, old, newKey)
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_KEY_CHANGED, Counterparty: newKey.Bytes(),
		Detail: fmt.Sprintf("rotated by the owner: key %s -> %s", old.Hex(), newKey.Hex())})
	k.SetWallet(w)
	ctx.Emit("wallet_key_rotated", "wallet", exec.Hex(owner), "bank", w.Bank, "key", exec.Hex(newKey))
	return nil
}

// checkIntroduced checks the second signature of a message that introduces
// key: by the wallet's second factor if it has one, else by key itself.
func checkIntroduced(w *walletv1.Wallet, cosigner, key common.Address) error {
	want := key
	if sf := w.SecondFactor; sf != nil {
		want = common.BytesToAddress(sf.Key)
	}
	if cosigner != want {
		return errcode.Wrap(ErrWrongSecondSigner, "second signature by %s, want %s", cosigner.Hex(), want.Hex())
	}
	return nil
}

// SetSecondFactor sets the signer's wallet's second factor: its key must
// co-sign payments and redemptions above the threshold. It replaces the
// one in force (and cancels its pending removal) when that one co-signs;
// a first one co-signs itself.
func (mod *Module) SetSecondFactor(ctx exec.Context, msg *walletv1.MsgSetSecondFactor) error {
	k := NewKeeper(ctx.KV(StoreName))
	if err := checkDenom(mod.paramsOf(ctx), msg.Denom); err != nil {
		return err
	}
	w, err := mod.load(ctx, k, ctx.AccountID)
	if err != nil {
		return err
	}
	key := common.BytesToAddress(msg.Key)
	if w.Closed {
		return errcode.Wrap(ErrWalletClosed, "wallet %x", w.Owner)
	}
	if key == keyOf(w) || bytes.Equal(key[:], w.Owner) {
		return errcode.Wrap(ErrInvalidMsg, "the second factor must be another key than the wallet's")
	}
	if err := checkIntroduced(w, ctx.Cosigner, key); err != nil {
		return err
	}
	change, detail := "set", fmt.Sprintf("second factor %s for outflows above %d %s", key.Hex(), msg.Threshold, msg.Denom)
	if old := w.SecondFactor; old != nil {
		change = "replaced"
		if old.RemovalDue != 0 {
			k.kv.Delete(DueKey(old.RemovalDue, w.Owner, dueRemoval))
			change = "removal-cancelled"
		}
		detail += fmt.Sprintf(" (was %x, %d %s)", old.Key, old.Threshold, old.Denom)
	}
	w.SecondFactor = &walletv1.SecondFactor{Key: key.Bytes(), Denom: msg.Denom, Threshold: msg.Threshold}
	mod.secondFactorChanged(ctx, w, change, w.SecondFactor, detail)
	k.SetWallet(w)
	return nil
}

// RemoveSecondFactor removes the signer's wallet's second factor: at once
// when it co-signs, else once the recovery delay has passed (the owner's
// key alone, perhaps a thief's, cannot lift it quickly).
func (mod *Module) RemoveSecondFactor(ctx exec.Context, _ *walletv1.MsgRemoveSecondFactor) error {
	k := NewKeeper(ctx.KV(StoreName))
	w, err := mod.load(ctx, k, ctx.AccountID)
	if err != nil {
		return err
	}
	sf := w.SecondFactor
	if sf == nil {
		return errcode.Wrap(ErrNoSecondFactor, "wallet %x", w.Owner)
	}
	if bytes.Equal(sf.Key, ctx.Cosigner[:]) {
		if sf.RemovalDue != 0 {
			k.kv.Delete(DueKey(sf.RemovalDue, w.Owner, dueRemoval))
		}
		w.SecondFactor = nil
		mod.secondFactorChanged(ctx, w, "removed", sf, fmt.Sprintf("second factor %x removed with its own signature", sf.Key))
		k.SetWallet(w)
		return nil
	}
	if sf.RemovalDue != 0 {
		return errcode.Wrap(ErrRemovalPending, "wallet %x: it takes effect at %d", w.Owner, sf.RemovalDue)
	}
	sf.RemovalDue = ctx.Time.Unix() + RecoveryDelay(mod.paramsOf(ctx))
	k.kv.Set(DueKey(sf.RemovalDue, w.Owner, dueRemoval), []byte{1})
	mod.secondFactorChanged(ctx, w, "removal-started", sf, fmt.Sprintf("removal of second factor %x takes effect at %d", sf.Key, sf.RemovalDue))
	k.SetWallet(w)
	return nil
}

// secondFactorChanged records a change of w's second factor sf: a history
// entry and the wallet_second_factor event. The caller stores w.
func (mod *Module) secondFactorChanged(ctx exec.Context, w *walletv1.Wallet, change string, sf *walletv1.SecondFactor, detail string) {
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_SECOND_FACTOR, Counterparty: sf.Key,
		Denom: sf.Denom, Amount: sf.Threshold, Detail: detail})
	ctx.Emit("wallet_second_factor", "wallet", exec.Hex(common.BytesToAddress(w.Owner)), "bank", w.Bank, "change", change,
		"key", exec.Hex(common.BytesToAddress(sf.Key)), "denom", sf.Denom, "threshold", strconv.FormatUint(sf.Threshold, 10),
		"due", strconv.FormatInt(sf.RemovalDue, 10))
}

// checkSecondFactor applies w's second factor to an outflow of amount of
// denom signed by the wallet's key: above the threshold (or in another
// denom) it needs the second factor's signature too. It reports whether
// the outflow is large, for the caller to emit largePayment once it
// succeeded.
func checkSecondFactor(ctx exec.Context, w *walletv1.Wallet, denom string, amount uint64) (bool, error) {
	sf := w.SecondFactor
	if sf == nil || (denom == sf.Denom && amount <= sf.Threshold) {
		return false, nil
	}
	if !bytes.Equal(sf.Key, ctx.Cosigner[:]) {
		return false, errcode.Wrap(ErrSecondFactorRequired, "wallet %x: %d %s out, above its second factor's threshold %d %s",
			w.Owner, amount, denom, sf.Threshold, sf.Denom)
	}
	return true, nil
}

func largePayment(ctx exec.Context, w *walletv1.Wallet, denom string, amount uint64) {
	ctx.Emit("wallet_large_payment", "wallet", exec.Hex(common.BytesToAddress(w.Owner)), "bank", w.Bank, "denom", denom,
		"amount", strconv.FormatUint(amount, 10), "cosigner", exec.Hex(ctx.Cosigner))
}

// ownerRule is the signer rule of messages a wallet's key signs: the
// signer's account is a wallet, and a second signature, if any, is by its
// second factor. ownerIntroducingRule leaves the second signature to the
// handler (a message introducing a key, which may co-sign).
type ownerRule struct{ introducing bool }

func (r ownerRule) Authorize(ctx exec.Context) error {
	if ctx.Account != AccountKind {
		return errcode.Wrap(ErrWalletNotFound, "owner %s", ctx.Signer.Hex())
	}
	if r.introducing || ctx.Cosigner == (common.Address{}) {
		return nil
	}
	w, err := NewView(ctx.KV(StoreName)).Wallet(ctx.AccountID)
	if err != nil {
		return err
	}
	w = Effective(w, ctx.Time.Unix())
	if sf := w.SecondFactor; sf == nil || !bytes.Equal(sf.Key, ctx.Cosigner[:]) {
		return errcode.Wrap(ErrWrongSecondSigner, "second signature by %s: wallet %s's second factor is %x", ctx.Cosigner.Hex(), ctx.AccountID.Hex(), sf.GetKey())
	}
	return nil
}

func (r ownerRule) Describe() string {
	if r.introducing {
		return "the wallet's key, with the new key's signature (or the second factor's)"
	}
	return "the wallet's owner"
}
