package wallet

import (
	"bytes"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/ethereum/go-ethereum/common"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Limits on message fields.
const (
	MinTier         = 1
	MaxTier         = 4
	MaxReferenceLen = 128
	MaxMemoLen      = 256
)

var denomPattern = regexp.MustCompile(`^[A-Z][A-Z0-9]{2,15}$`)

// Module executes wallet messages. Its methods are deterministic functions
// of the context and the message. A method that fails may have written to
// the context's stores: the caller runs each transaction on a branch it
// discards on failure.
type Module struct {
	members func(exec.Context) Members
}

// NewModule returns the wallet module; members gives it the consortium's
// view in a context.
func NewModule(members func(exec.Context) Members) Module { return Module{members: members} }

// ValidateOpenWallet, ValidateDeposit and ValidateTransfer are the stateless
// checks run before the signature (ErrInvalidMsg, ErrZeroAmount).
func ValidateOpenWallet(m *walletv1.MsgOpenWallet) error {
	if err := checkAddress("owner", m.Owner); err != nil {
		return err
	}
	if len(m.KycHash) != 32 {
		return errcode.Wrap(ErrInvalidMsg, "kyc_hash must be 32 bytes, got %d", len(m.KycHash))
	}
	if m.Tier < MinTier || m.Tier > MaxTier {
		return errcode.Wrap(ErrInvalidMsg, "tier %d: want %d to %d", m.Tier, MinTier, MaxTier)
	}
	return nil
}

// ValidateDeposit: see ValidateOpenWallet.
func ValidateDeposit(m *walletv1.MsgDeposit) error {
	if err := checkAddress("wallet", m.Wallet); err != nil {
		return err
	}
	if err := checkAmount(m.Denom, m.Amount); err != nil {
		return err
	}
	if m.Reference == "" || len(m.Reference) > MaxReferenceLen || !utf8.ValidString(m.Reference) {
		return errcode.Wrap(ErrInvalidMsg, "reference must be 1-%d bytes of UTF-8", MaxReferenceLen)
	}
	return nil
}

// ValidateTransfer: see ValidateOpenWallet.
func ValidateTransfer(m *walletv1.MsgTransfer) error {
	if err := checkAddress("to", m.To); err != nil {
		return err
	}
	if err := checkAmount(m.Denom, m.Amount); err != nil {
		return err
	}
	if len(m.Memo) > MaxMemoLen || !utf8.ValidString(m.Memo) {
		return errcode.Wrap(ErrInvalidMsg, "memo must be at most %d bytes of UTF-8", MaxMemoLen)
	}
	return nil
}

func checkAddress(field string, a []byte) error {
	if len(a) != common.AddressLength {
		return errcode.Wrap(ErrInvalidMsg, "%s must be a 20-byte address, got %d bytes", field, len(a))
	}
	if bytes.Equal(a, common.Address{}.Bytes()) {
		return errcode.Wrap(ErrInvalidMsg, "%s is the zero address", field)
	}
	return nil
}

func checkAmount(denom string, amount uint64) error {
	if !denomPattern.MatchString(denom) {
		return errcode.Wrap(ErrInvalidMsg, "denom %q: want 3-16 characters of A-Z and 0-9, starting with a letter", denom)
	}
	if amount == 0 {
		return ErrZeroAmount
	}
	return nil
}

// OpenWallet opens a wallet for msg.Owner with the signer's bank as bank of
// record. The signer must operate for an active issuer.
func (mod Module) OpenWallet(ctx exec.Context, msg *walletv1.MsgOpenWallet) error {
	members := mod.members(ctx)
	bank, err := members.ActingMember(ctx.Signer, consortiumv1.Role_ROLE_ISSUER)
	if err != nil {
		return err
	}
	owner := common.BytesToAddress(msg.Owner)
	if _, isOperator := members.Operator(owner); isOperator {
		return errcode.Wrap(ErrOwnerIsOperator, "owner %s", owner.Hex())
	}
	k := NewKeeper(ctx.KV(StoreName))
	if _, err := k.Wallet(owner); err == nil {
		return errcode.Wrap(ErrWalletExists, "owner %s", owner.Hex())
	}
	k.SetWallet(&walletv1.Wallet{
		Owner:        owner.Bytes(),
		Bank:         bank.Id,
		Tier:         msg.Tier,
		Status:       walletv1.WalletStatus_WALLET_STATUS_ACTIVE,
		KycHash:      msg.KycHash,
		OpenedHeight: ctx.Height,
		OpenedTime:   ctx.Time.Unix(),
	})
	ctx.Emit("wallet_opened", "owner", owner.Hex(), "bank", bank.Id, "tier", strconv.FormatUint(uint64(msg.Tier), 10))
	return nil
}

// Deposit issues msg.Amount into a wallet whose bank of record is the
// signer's bank, once per external reference.
func (mod Module) Deposit(ctx exec.Context, msg *walletv1.MsgDeposit) error {
	bank, err := mod.members(ctx).ActingMember(ctx.Signer, consortiumv1.Role_ROLE_ISSUER)
	if err != nil {
		return err
	}
	k := NewKeeper(ctx.KV(StoreName))
	if err := k.checkDenom(msg.Denom); err != nil {
		return err
	}
	owner := common.BytesToAddress(msg.Wallet)
	w, err := k.Wallet(owner)
	if err != nil {
		return err
	}
	if w.Bank != bank.Id {
		return errcode.Wrap(ErrNotBankOfRecord, "wallet %s is held at %q, signer acts for %q", owner.Hex(), w.Bank, bank.Id)
	}
	if err := checkActive(w); err != nil {
		return err
	}
	if k.HasDeposit(bank.Id, msg.Reference) {
		return errcode.Wrap(ErrDuplicateReference, "issuer %q reference %q", bank.Id, msg.Reference)
	}
	balance, err := add(Balance(w, msg.Denom), msg.Amount, "balance of %s", owner.Hex())
	if err != nil {
		return err
	}
	if err := k.mint(bank.Id, msg.Denom, msg.Amount); err != nil {
		return err
	}
	setBalance(w, msg.Denom, balance)
	k.SetWallet(w)
	k.setDeposit(&walletv1.DepositRecord{
		Issuer: bank.Id, Reference: msg.Reference, Wallet: w.Owner,
		Amount: &walletv1.Coin{Denom: msg.Denom, Amount: msg.Amount}, Height: ctx.Height, TxHash: ctx.TxHash,
	})
	ctx.Emit("deposit", "wallet", owner.Hex(), "issuer", bank.Id, "denom", msg.Denom,
		"amount", strconv.FormatUint(msg.Amount, 10), "reference", msg.Reference)
	return nil
}

// Transfer pays msg.Amount from the signer's wallet to msg.To.
func (mod Module) Transfer(ctx exec.Context, msg *walletv1.MsgTransfer) error {
	k := NewKeeper(ctx.KV(StoreName))
	if err := k.checkDenom(msg.Denom); err != nil {
		return err
	}
	to := common.BytesToAddress(msg.To)
	if to == ctx.Signer {
		return errcode.Wrap(ErrSelfTransfer, "wallet %s", to.Hex())
	}
	from, err := k.Wallet(ctx.Signer)
	if err != nil {
		return err
	}
	if err := checkActive(from); err != nil {
		return err
	}
	recipient, err := k.Wallet(to)
	if err != nil {
		return err
	}
	if err := checkActive(recipient); err != nil {
		return err
	}
	have := Balance(from, msg.Denom)
	if have < msg.Amount {
		return errcode.Wrap(ErrInsufficientFunds, "wallet %s has %d %s, needs %d", ctx.Signer.Hex(), have, msg.Denom, msg.Amount)
	}
	credited, err := add(Balance(recipient, msg.Denom), msg.Amount, "balance of %s", to.Hex())
	if err != nil {
		return err
	}
	setBalance(from, msg.Denom, have-msg.Amount)
	setBalance(recipient, msg.Denom, credited)
	k.SetWallet(from)
	k.SetWallet(recipient)
	ctx.Emit("transfer", "from", ctx.Signer.Hex(), "to", to.Hex(), "denom", msg.Denom,
		"amount", strconv.FormatUint(msg.Amount, 10))
	return nil
}

func (k Keeper) checkDenom(denom string) error {
	denoms := k.Params().Denoms
	if _, ok := slices.BinarySearch(denoms, denom); !ok {
		return errcode.Wrap(ErrUnknownDenom, "%q (carried: %v)", denom, denoms)
	}
	return nil
}

func (k Keeper) setDeposit(d *walletv1.DepositRecord) {
	store.SetProto(k.kv, DepositKey(d.Issuer, d.Reference), d)
}

func checkActive(w *walletv1.Wallet) error {
	if w.Status != walletv1.WalletStatus_WALLET_STATUS_ACTIVE {
		return errcode.Wrap(ErrWalletInactive, "wallet %s is %s", common.BytesToAddress(w.Owner).Hex(), w.Status)
	}
	return nil
}
