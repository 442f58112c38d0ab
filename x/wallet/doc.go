// Package wallet keeps e-money wallets: opening by a bank (the issuer of
// record), issuance against fiat (Deposit), payments between wallets at any
// bank (Transfer), redemption at the bank of record whoever issued the
// money, and each bank's outstanding issuance (signed), what its wallets
// hold, and so its interbank position (positions.go), and the supply.
//
// State layout in the "wallet" store (values are protobuf):
//
//	0x01 | owner (20)                        -> walletv1.Wallet
//	0x02 | len(issuer) | issuer | denom      -> walletv1.Issuance (outstanding, signed; held)
//	0x03 | denom                             -> walletv1.Coin (total supply)
//	0x04 | len(issuer) | issuer | reference  -> walletv1.DepositRecord
//	0x05                                     -> walletv1.Params
//	0x06 | expires (8) | owner (20) | id (8) -> 0x01: freeze expiry queue
//	0x07 | key (20)                          -> walletv1.KeyRecord: a key that is not its wallet's address
//	0x08 | due (8) | owner (20) | what (1)   -> 0x01: due queue (recoveries, second factor removals)
//
// A wallet's id is its first owner's address, for good; the key that
// signs for it may change (rotation, recovery: Wallet.key), and the key
// index maps such keys back to their wallet. A key serves one wallet,
// once: a replaced key never signs again.
//
// Invariant: for every denom, supply = sum of wallet balances = sum of
// issuers' signed outstanding issuance; each bank's held = the balances of
// its wallets, so positions (outstanding - held) sum to zero. Amounts are
// uint64 minor units (arith.Signed where they may be negative); every sum
// is checked and fails with ErrAmountOverflow rather than wrap.
package wallet
