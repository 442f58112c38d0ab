package wallet

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"

	"github.com/ethereum/go-ethereum/common"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// MaxExpiriesPerBlock bounds the freeze orders lifted by expiry in one
// block; the rest lift in the next blocks.
const MaxExpiriesPerBlock = 1000

// Freeze places an order on a wallet. The signer must operate for the
// wallet's bank of record or for a regulator.
func (mod *Module) Freeze(ctx exec.Context, msg *walletv1.MsgFreeze) error {
	k := NewKeeper(ctx.KV(StoreName))
	owner := common.BytesToAddress(msg.Wallet)
	w, err := mod.load(ctx, k, owner)
	if err != nil {
		return err
	}
	authority, err := mod.freezeAuthority(ctx, w)
	if err != nil {
		return err
	}
	if w.Closed {
		return errcode.Wrap(ErrWalletClosed, "wallet %s", owner.Hex())
	}
	if len(w.Freezes) >= MaxFreezes {
		return errcode.Wrap(ErrTooManyFreezes, "wallet %s has %d standing orders", owner.Hex(), len(w.Freezes))
	}
	if msg.Expires != 0 && msg.Expires <= ctx.Time.Unix() {
		return errcode.Wrap(ErrInvalidMsg, "expires %d is not after the block time %d", msg.Expires, ctx.Time.Unix())
	}
	w.NextFreezeId++
	order := &walletv1.FreezeOrder{
		Id: w.NextFreezeId, Authority: authority, Kind: msg.Kind, LegalBasis: msg.LegalBasis,
		Expires: msg.Expires, Height: ctx.Height, TxHash: ctx.TxHash,
	}
	w.Freezes = append(w.Freezes, order)
	w.Status = effectiveStatus(w)
	if order.Expires != 0 {
		// A one-byte value: ICS23 cannot prove an empty one.
		ctx.KV(StoreName).Set(ExpiryKey(order.Expires, w.Owner, order.Id), []byte{1})
	}
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_FREEZE,
		Counterparty: []byte(authority), Detail: describeOrder(order)})
	k.SetWallet(w)
	ctx.Emit("wallet_frozen", "wallet", exec.Hex(owner), "order", strconv.FormatUint(order.Id, 10), "authority", authority,
		"kind", KindName(order.Kind), "legal_basis", order.LegalBasis, "expires", strconv.FormatInt(order.Expires, 10),
		"status", StatusName(w.Status))
	return nil
}

// Release lifts an order. The signer must operate for the order's
// authority or for a regulator.
func (mod *Module) Release(ctx exec.Context, msg *walletv1.MsgRelease) error {
	k := NewKeeper(ctx.KV(StoreName))
	owner := common.BytesToAddress(msg.Wallet)
	w, err := mod.load(ctx, k, owner)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(w.Freezes, func(o *walletv1.FreezeOrder) bool { return o.Id == msg.OrderId })
	if i < 0 {
		return errcode.Wrap(ErrFreezeNotFound, "wallet %s has no standing order %d", owner.Hex(), msg.OrderId)
	}
	order := w.Freezes[i]
	m, err := mod.members(ctx).Acting(ctx.Signer)
	if err != nil {
		return err
	}
	if m.Id != order.Authority && !consortiumHasRole(m, consortiumv1.Role_ROLE_REGULATOR) {
		return errcode.Wrap(ErrNotAuthority, "order %d of wallet %s was issued by %q; %q is neither it nor a regulator",
			order.Id, owner.Hex(), order.Authority, m.Id)
	}
	mod.lift(ctx, w, i, m.Id, msg.Reason)
	k.SetWallet(w)
	return nil
}

// lift removes w's order at index i, its queue entry, and records who
// lifted it (the releasing member, or the order's own authority on expiry)
// and why. The caller stores w.
func (mod *Module) lift(ctx exec.Context, w *walletv1.Wallet, i int, by, reason string) {
	order := w.Freezes[i]
	w.Freezes = slices.Delete(w.Freezes, i, i+1)
	w.Status = effectiveStatus(w)
	if order.Expires != 0 {
		ctx.KV(StoreName).Delete(ExpiryKey(order.Expires, w.Owner, order.Id))
	}
	appendHistory(ctx, w, &walletv1.HistoryEntry{Kind: walletv1.HistoryKind_HISTORY_KIND_RELEASE,
		Counterparty: []byte(by), Detail: fmt.Sprintf("order %d of %s: %s", order.Id, order.Authority, reason)})
	ctx.Emit("wallet_released", "wallet", exec.Hex(common.BytesToAddress(w.Owner)), "order", strconv.FormatUint(order.Id, 10),
		"authority", order.Authority, "by", by, "reason", reason, "status", StatusName(w.Status))
}

// LiftExpired lifts the freeze orders whose expiry is before the block
// time, at most MaxExpiriesPerBlock of them, oldest first; the rest lift in
// the next blocks. It runs at the start of every block.
func (mod *Module) LiftExpired(ctx exec.Context) error {
	// Due: expires < block time. Expiries are whole seconds, block times
	// are not: at E + 0.5 s, an order expiring at E is past.
	cutoff := ctx.Time.Unix()
	if ctx.Time.Nanosecond() > 0 {
		cutoff++
	}
	kv := ctx.KV(StoreName)
	end := binary.BigEndian.AppendUint64([]byte{prefixExpiry}, uint64(cutoff))
	keys := store.Keys(kv, []byte{prefixExpiry}, end, false, MaxExpiriesPerBlock)
	k := NewKeeper(kv)
	for _, key := range keys {
		if len(key) != 1+8+20+8 {
			return fmt.Errorf("wallet: malformed expiry key %x: corrupted state", key)
		}
		owner := common.BytesToAddress(key[9:29])
		id := binary.BigEndian.Uint64(key[29:])
		w, err := k.Wallet(owner)
		if err != nil {
			return fmt.Errorf("expiry queue names wallet %s: %w", owner.Hex(), err)
		}
		i := slices.IndexFunc(w.Freezes, func(o *walletv1.FreezeOrder) bool { return o.Id == id })
		if i < 0 {
			kv.Delete(key)
			continue
		}
		mod.lift(ctx, w, i, w.Freezes[i].Authority, "expired")
		k.SetWallet(w)
	}
	return nil
}

// freezeAuthority returns the member id the signer freezes for: a
// regulator, or the wallet's bank of record.
func (mod *Module) freezeAuthority(ctx exec.Context, w *walletv1.Wallet) (string, error) {
	members := mod.members(ctx)
	if m, err := members.ActingMember(ctx.Signer, consortiumv1.Role_ROLE_REGULATOR); err == nil {
		return m.Id, nil
	}
	m, err := members.ActingMember(ctx.Signer, consortiumv1.Role_ROLE_ISSUER)
	if err != nil {
		return "", errcode.Wrap(ErrNotAuthority, "signer %s: %v", ctx.Signer.Hex(), err)
	}
	if m.Id != w.Bank {
		return "", errcode.Wrap(ErrNotAuthority, "wallet %x is held at %q; %q is neither its bank nor a regulator", w.Owner, w.Bank, m.Id)
	}
	return m.Id, nil
}

func describeOrder(o *walletv1.FreezeOrder) string {
	s := fmt.Sprintf("order %d: %s freeze, %s", o.Id, KindName(o.Kind), o.LegalBasis)
	if o.Expires != 0 {
		s += ", expires " + strconv.FormatInt(o.Expires, 10)
	}
	return s
}

// KindName is the CLI and event name of a freeze kind ("full", "debit").
func KindName(k walletv1.FreezeKind) string {
	switch k {
	case walletv1.FreezeKind_FREEZE_KIND_FULL:
		return "full"
	case walletv1.FreezeKind_FREEZE_KIND_DEBIT:
		return "debit"
	}
	return k.String()
}

// StatusName is the CLI and event name of a status ("debit-frozen").
func StatusName(s walletv1.WalletStatus) string {
	switch s {
	case walletv1.WalletStatus_WALLET_STATUS_ACTIVE:
		return "active"
	case walletv1.WalletStatus_WALLET_STATUS_FROZEN:
		return "frozen"
	case walletv1.WalletStatus_WALLET_STATUS_DEBIT_FROZEN:
		return "debit-frozen"
	case walletv1.WalletStatus_WALLET_STATUS_CLOSED:
		return "closed"
	case walletv1.WalletStatus_WALLET_STATUS_RECOVERING:
		return "recovering"
	}
	return s.String()
}

func consortiumHasRole(m *consortiumv1.Member, role consortiumv1.Role) bool {
	return slices.Contains(m.Roles, role)
}
