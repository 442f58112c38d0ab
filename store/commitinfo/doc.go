// Package commitinfo computes a ledger's app hash over its named IAVL stores
// and builds and checks the two-step ICS23 proofs that chain a key/value pair
// in one store up to that app hash.
//
// # App hash
//
// The app hash is computed the same way as the Cosmos SDK's
// CommitInfo.Hash(). Each store contributes the leaf
//
//	uvarint(len(name)) || name || uvarint(32) || sha256(storeRoot)
//
// The leaves are sorted by store name and hashed into a CometBFT simple
// Merkle tree (crypto/merkle.HashFromByteSlices). That tree uses
// sha256(0x00 || leaf) for leaves and sha256(0x01 || left || right) for
// inner nodes, and splits n leaves at the largest power of two less than n.
// The store root is hashed exactly as given. This package does not treat an
// empty IAVL tree specially: in IAVL v1, that tree's root is sha256("").
//
// The app hash that the application returns from Commit at height H is
// written to the block header at height H+1. A light client that verifies a
// query answered at height H must therefore get the app hash from the
// verified header at height H+1.
//
// # Proofs
//
// A proof that a value is present in a store, or that a key is absent, is a
// list of two CometBFT ProofOps (tendermint/crypto.ProofOp). The ops must be
// in this order:
//
//  1. Type "ics23:iavl", Key = the key in the store. Data is a
//     proto-encoded ics23.CommitmentProof. It holds an existence proof for a
//     present key or a non-existence proof for an absent key, and is checked
//     against ics23.IavlSpec. The op proves the key against the store's root
//     hash.
//  2. Type "ics23:simple", Key = the store name. Data is a proto-encoded
//     ics23.CommitmentProof that holds an existence proof of
//     (store name, store root). It is checked against ics23.TendermintSpec
//     and proves the store root against the app hash.
//
// The Cosmos SDK's multistore query (ProofOpIAVLCommitment, then
// ProofOpSimpleMerkleCommitment) produces the same ops with the same
// encoding. They verify with the SDK's DefaultProofRuntime under the key path
// "/<store>/<key>", and IBC's MerkleProof can use the two CommitmentProofs
// with the specs [IavlSpec, TendermintSpec]. ProveStore builds the second op
// with the SDK's conversion from a CometBFT merkle.Proof (the SDK's
// proofs.ConvertExistenceProof).
//
// VerifyValue and VerifyAbsence are the checks on the light-client side.
// Each error they return wraps ErrProofMalformed (the ops cannot be decoded
// or do not have the expected shape) or ErrProofMismatch (the ops are well
// formed but prove something else). The error text names the step that
// failed and shows the expected and actual values.
package commitinfo
