package walletclient

import (
	"context"
	"errors"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/client"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// KeyStanding is what a key signs for, proven at one height: the wallet,
// if any, and the key's standing with it.
type KeyStanding struct {
	Key common.Address
	// Wallet is the wallet the key signs, signed or will sign for; nil when
	// it serves none (proven absent both as a wallet and in the key index).
	Wallet *walletv1.Wallet
	// Record is the key index's record; nil for a wallet's own address.
	Record *walletv1.KeyRecord
	// State is "current", "pending" (the new key of a recovery not yet
	// complete at Height), "retired" or "none".
	State  string
	Height int64
	// Proofs are the proven values read: the wallet record at the key's
	// address, the key index's record, and the wallet the record names.
	Proofs []*client.Proven
}

// VerifiedKey proves, at height (0: latest), which wallet key signs for:
// both directions of the key index, each value or absence proven against a
// verified header. A wallet's own address is its key until a rotation or
// recovery (Wallet.key) replaces it; any other key has a record in the key
// index naming its wallet.
func (c Client) VerifiedKey(ctx context.Context, key common.Address, height int64) (*KeyStanding, error) {
	out := &KeyStanding{Key: key, State: "none"}
	w, p, err := c.VerifiedWallet(ctx, key, height)
	var nf *client.NotFoundError
	if err != nil && !errors.As(err, &nf) {
		return nil, err
	}
	out.Proofs, out.Height = append(out.Proofs, p), p.Height
	rec := new(walletv1.KeyRecord)
	rp, rerr := c.VerifiedRecord(ctx, wallet.StoreName, wallet.KeyIndexKey(key[:]), p.Height, "key "+key.Hex(), rec)
	if rerr != nil && !errors.As(rerr, &nf) {
		return nil, rerr
	}
	out.Proofs = append(out.Proofs, rp)
	if rerr == nil {
		out.Record = rec
	}
	switch {
	case err == nil:
		out.Wallet = w
		out.State = "retired"
		if wallet.KeyAt(w, p.HeaderTime.Unix()) == key {
			out.State = "current"
		}
	case rerr == nil:
		id := common.BytesToAddress(rec.Wallet)
		ww, wp, err := c.VerifiedWallet(ctx, id, p.Height)
		if err != nil {
			return nil, err
		}
		out.Wallet, out.Proofs = ww, append(out.Proofs, wp)
		switch rec.State {
		case walletv1.KeyState_KEY_STATE_CURRENT:
			out.State = "current"
		case walletv1.KeyState_KEY_STATE_RETIRED:
			out.State = "retired"
		case walletv1.KeyState_KEY_STATE_PENDING:
			out.State = "pending"
		}
		if wallet.KeyAt(ww, wp.HeaderTime.Unix()) == key {
			out.State = "current"
		}
	}
	return out, nil
}
