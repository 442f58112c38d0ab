package wallet

import "encoding/binary"

// StoreName is the name of the wallet store and of its proof op key.
const StoreName = "wallet"

const (
	prefixWallet   byte = 0x01
	prefixIssuance byte = 0x02
	prefixSupply   byte = 0x03
	prefixDeposit  byte = 0x04
	keyParams      byte = 0x05
	prefixExpiry   byte = 0x06
	prefixKey      byte = 0x07
	prefixDue      byte = 0x08
)

// What a due-queue entry brings about.
const (
	dueRecovery byte = 1 // a key recovery completes
	dueRemoval  byte = 2 // a second factor's removal takes effect
)

// KeyIndexKey is the store key of the record of a key that signs, signed
// or will sign for a wallet other than its own address (walletv1.KeyRecord).
func KeyIndexKey(key []byte) []byte { return append([]byte{prefixKey}, key...) }

// DueKey is the key of a wallet's pending change in the due queue:
// ordered by due time, so the changes due are a prefix range.
func DueKey(due int64, owner []byte, what byte) []byte {
	k := make([]byte, 0, 1+8+20+1)
	k = append(k, prefixDue)
	k = binary.BigEndian.AppendUint64(k, uint64(due))
	k = append(k, owner...)
	return append(k, what)
}

// WalletKey is the store key of owner's wallet.
func WalletKey(owner []byte) []byte { return append([]byte{prefixWallet}, owner...) }

// IssuanceKey is the store key of issuer's outstanding issuance of denom.
func IssuanceKey(issuer, denom string) []byte {
	return append(issuerPrefix(prefixIssuance, issuer), denom...)
}

// IssuancePrefix is the prefix of all of issuer's issuance keys.
func IssuancePrefix(issuer string) []byte { return issuerPrefix(prefixIssuance, issuer) }

// SupplyKey is the store key of the total supply of denom.
func SupplyKey(denom string) []byte { return append([]byte{prefixSupply}, denom...) }

// DepositKey is the store key of the deposit issuer credited for reference.
func DepositKey(issuer, reference string) []byte {
	return append(issuerPrefix(prefixDeposit, issuer), reference...)
}

// ExpiryKey is the key of a freeze order's place in the expiry queue:
// ordered by expiry time, so the orders due are a prefix range.
func ExpiryKey(expires int64, owner []byte, orderID uint64) []byte {
	k := make([]byte, 0, 1+8+20+8)
	k = append(k, prefixExpiry)
	k = binary.BigEndian.AppendUint64(k, uint64(expires))
	k = append(k, owner...)
	return binary.BigEndian.AppendUint64(k, orderID)
}

// ParamsKey is the store key of the parameters.
func ParamsKey() []byte { return []byte{keyParams} }

// issuerPrefix length-prefixes the member id (at most 32 bytes) so that no
// id is a prefix of another's keys.
func issuerPrefix(prefix byte, issuer string) []byte {
	k := make([]byte, 0, 2+len(issuer)+16)
	k = append(k, prefix, byte(len(issuer)))
	return append(k, issuer...)
}
