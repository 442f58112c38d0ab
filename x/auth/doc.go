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
//
// The types are derived from the protobuf descriptors once, on first use,
// never per transaction: the kinds are the fields of TxBody's oneof msg;
// a kind's primary type is named after its message (without "Msg"), its
// members are the message's fields in field-number order under their JSON
// names, typed by their protobuf types (string, bool, uintN, intN, bytes;
// enums as uint32; nested messages as structs, sorted after the primary
// type in encodeType; repeated fields as arrays). The ledgerd.options.v1
// annotations cover the rest: bytes signed as address or bytes32, a
// nested message flattened into its parent, a oneof signed as its kind and
// the keccak256 of its encoding, a struct's name. Adding a message kind
// needs its .proto and nothing here; a shape the rules cannot sign (a map,
// an option on the wrong field) fails the derivation.
package auth
