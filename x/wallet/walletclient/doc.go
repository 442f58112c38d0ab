// Package walletclient reads the wallet module's state (package x/wallet)
// through a ledgerd node (package client): wallets, the issuers'
// outstanding e-money, the supply, and the supply invariant.
//
// # Trust model
//
// The plain reads are the node's word. The Verified variants prove what
// they return at one height against a header the light client verified
// (package client's trust model): VerifiedWallet, VerifiedIssuance and
// VerifiedSupply one record each, present or absent (an absent issuance or
// supply is zero). The plain Issuances list and Invariant are answered by
// the node without proof: it may leave entries out or lie; each issuance
// can be proven on its own, but not that the list is complete.
// VerifiedSupplyInvariant proves every denom's supply and every member's
// outstanding issuance at one height and checks that they agree, which a
// node cannot fake by leaving an issuer out; the sum of balances stays the
// node's word (it would take a proof per wallet).
package walletclient
