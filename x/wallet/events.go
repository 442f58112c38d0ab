package wallet

import "github.com/ledgerd/ledgerd/x/module"

// events are the wallet module's events. Indexed are the attributes a
// bank's or a wallet app's systems search and subscribe by: the wallets
// and banks concerned; amounts, memos and encoded entries are not.
var events = []module.Event{
	{Type: "wallet_opened", Doc: "a wallet was opened", Attrs: []string{"owner", "bank", "tier"}, Indexed: []string{"owner", "bank"}},
	{Type: "deposit", Doc: "e-money was issued into a wallet against fiat",
		Attrs: []string{"wallet", "issuer", "denom", "amount", "reference"}, Indexed: []string{"wallet", "issuer", "reference"}},
	{Type: "redeem", Doc: "e-money was burnt for the bank of record to pay out in fiat",
		Attrs:   []string{"wallet", "bank", "denom", "amount", "payout_reference", "tx_hash", "height"},
		Indexed: []string{"wallet", "bank"}},
	{Type: "transfer", Doc: "a payment between wallets (each leg of a batch)", Attrs: []string{"from", "to", "denom", "amount"},
		Indexed: []string{"from", "to"}},
	{Type: "wallet_tier", Doc: "a wallet's tier changed", Attrs: []string{"wallet", "from", "to"}, Indexed: []string{"wallet"}},
	{Type: "wallet_closed", Doc: "a wallet was closed", Attrs: []string{"wallet", "by"}, Indexed: []string{"wallet"}},
	{Type: "judicial_deduction", Doc: "a bank of record carried out a court's enforcement notice through the court's freeze order",
		Attrs: []string{"wallet", "to", "bank", "order", "notice", "denom", "amount"}, Indexed: []string{"wallet", "to", "bank"}},
	{Type: "wallet_frozen", Doc: "a freeze order was placed",
		Attrs:   []string{"wallet", "order", "authority", "kind", "legal_basis", "expires", "status"},
		Indexed: []string{"wallet", "authority"}},
	{Type: "wallet_recovery_started", Doc: "the bank of record started a key recovery: key signs for the wallet from due (Unix seconds) unless cancelled",
		Attrs: []string{"wallet", "bank", "key", "due"}, Indexed: []string{"wallet", "bank"}},
	{Type: "wallet_recovery_cancelled", Doc: "a pending key recovery was cancelled, by the wallet's key or its bank",
		Attrs: []string{"wallet", "bank", "by"}, Indexed: []string{"wallet", "bank"}},
	{Type: "wallet_recovery_completed", Doc: "a key recovery took effect: key signs for the wallet, the old key no more",
		Attrs: []string{"wallet", "bank", "key"}, Indexed: []string{"wallet", "bank"}},
	{Type: "wallet_key_rotated", Doc: "the owner rotated the wallet's key: key signs for it, the old key no more",
		Attrs: []string{"wallet", "bank", "key"}, Indexed: []string{"wallet", "bank"}},
	{Type: "wallet_second_factor", Doc: "the second factor changed: set, replaced, removal-started (effective at due), removal-cancelled or removed",
		Attrs: []string{"wallet", "bank", "change", "key", "denom", "threshold", "due"}, Indexed: []string{"wallet", "bank", "change"}},
	{Type: "wallet_large_payment", Doc: "a payment or redemption above the wallet's second factor threshold, signed by both keys",
		Attrs: []string{"wallet", "bank", "denom", "amount", "cosigner"}, Indexed: []string{"wallet", "bank"}},
	{Type: "wallet_sub", Doc: "a parent opened, changed, stopped (frozen), resumed (unfrozen), swept or closed a sub-wallet",
		Attrs: []string{"wallet", "parent", "change", "denom", "amount"}, Indexed: []string{"wallet", "parent", "change"}},
	{Type: "wallet_released", Doc: "a freeze order was lifted (by its authority, a regulator, or its expiry)",
		Attrs: []string{"wallet", "order", "authority", "by", "reason", "status"}, Indexed: []string{"wallet", "authority"}},
}
