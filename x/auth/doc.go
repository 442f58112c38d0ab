// Package auth holds the rules of the transaction envelope: how a TxBody is
// hashed as EIP-712 typed data, how a signature is checked and its signer
// recovered, and the stable error codes of every envelope rejection.
//
// Everything here is pure and deterministic, and safe for concurrent use.
// The node's pipeline (package app) and light clients (package client)
// share it, so a wallet signs exactly what consensus verifies.
//
// # Typed data
//
// The domain is
//
//	EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
//
// with name "ledgerd", version "1", chainId the consortium's numeric chain id
// (genesis) and verifyingContract the last 20 bytes of keccak256 of the
// CometBFT chain id string, so a signature for one chain is void on any
// other. Each message kind has one fixed primary type whose first three
// fields are the envelope's (signer, nonce, validUntilHeight) followed by
// the message's own; docs/signing.md lists them all.
package auth
