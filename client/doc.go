// Package client is the Go library that light clients, auditors and the
// ledgerd CLI use against a remote ledgerd node over CometBFT RPC: it builds
// and signs transactions, broadcasts them and waits for their results, and
// reads state, either taking the node's word (Query, Record, QueryProto) or
// proving the answer (Verified, VerifiedRecord, VerifiedRange,
// ProvenReader, VerifiedHistory).
//
// It knows no module. Each module's reads live in the module's own client
// package, x/<module>/<module>client (walletclient, consortiumclient,
// govclient, amlclient), a type wrapping *Client built on the generic
// machinery here; their documentation says what each of their reads
// proves.
//
// # Transactions
//
// BuildTx fills a TxBody from one query (Account: the signer's kind and
// nonces, the latest height and the signing domain): chain id and numeric
// id, signer from the key, the nonce after the signer's transactions in
// the node's mempool, valid_until_height = latest height + ValidFor. It
// signs it with package x/auth's EIP-712 rules and encodes it canonically
// (proto.MarshalOptions{Deterministic: true}), the only encoding the node
// accepts. Unsigned is the same body for a signer elsewhere; SignTx signs
// without RPC, for offline signing. Broadcast returns after CheckTx;
// BroadcastAndWait and WaitForTx subscribe to the transaction's commit
// event on the node's WebSocket (polling /tx where there is none, as in a
// browser). A rejection or a failed commit is a *TxError carrying the
// codespace and code of the registered error (errors.Is(err,
// auth.ErrNonceTooLow) works), and the height for a failed commit.
//
// # Trust model
//
// The node is not trusted for anything that can be checked.
//
// Verified proves a single key of a store, present or absent, at a height H:
//
//   - The header at H+1, which carries the app hash of the state at H, is
//     verified by CometBFT's light client (package light), starting from a
//     root of trust: a header whose height and hash the caller got from a
//     source it trusts (WithTrust), or the newest header verified before
//     (kept in WithTrustDir). From there the light client verifies by
//     bisection ("skipping verification"): a header is accepted directly
//     when more than 2/3 of its own validator set and validators holding
//     more than 1/3 of the power of an already trusted set signed it;
//     otherwise intermediate headers are fetched and verified until such a
//     chain of steps reaches it. The header is then cross-checked with the
//     witnesses (WithWitnesses) to detect a fork.
//   - The value is checked with the ICS23 proof ops the node returns
//     (ics23:iavl proves the key in the store's IAVL root, ics23:simple
//     proves that root under the store name in the app hash) against the
//     verified header's app hash, with package store/commitinfo. A proof of
//     absence proves the key is not there.
//
// What is NOT verified:
//
//   - The root of trust itself. Without WithTrust, and with an empty trust
//     store, the node's own earliest header is trusted on first use (TOFU):
//     a node that lies from the very first contact is believed. Proven's
//     TrustNote says so every time until the root is pinned with WithTrust;
//     show it to the user.
//   - Freshness. A proof shows the value at height H, not that H is the
//     chain's latest height: a node can answer with old (but real) state,
//     or withhold new blocks. Proven.HeaderTime says how old the state is.
//     The light client refuses to go on from a trusted header older than
//     the trusting period (WithTrustPeriod, two weeks by default, since the
//     consortium's validators are long-lived members); a newer root must
//     then be given with WithTrust.
//   - Forks, without independent witnesses. CometBFT's light client
//     requires at least one witness (light.ErrNoWitnesses); without
//     WithWitnesses the node serves as its own, which detects nothing.
//     Name other members' nodes as witnesses to detect a lying primary
//     that has the signatures of a corrupt validator majority.
//   - Completeness of lists the node answers. A module's list query (a
//     page of records, or every record of a kind) is answered by the node
//     without proof: it may leave entries out or lie. Each entry can be
//     proven on its own (ProveListed checks that a listed record is the one
//     stored, CheckListed that it belongs in the list), but not that the list
//     is complete. A list is proven complete only when the state itself
//     bounds it: every key of a range (VerifiedRange, which proves that no
//     other key lies in it), or what a proven record names (a count, the ids
//     of others). State machine code run over a ProvenReader reads only
//     such proven records and ranges, so what it computes is proven too; the
//     module client packages say which of their lists are which.
//   - Transaction results. Broadcast and WaitForTx report what the node
//     says; verify a transaction's effect by proving the state it changed.
//   - The signing domain and nonces come from plain queries by default. A
//     wrong nonce or domain only makes the transaction fail; pin the chain
//     with WithChainID or WithDomain (or use WithVerifiedDomain) so that a
//     node cannot have a key sign for another chain.
//
// A historical height can be proven as long as the node keeps that state.
// If the nearest trusted header below H+1 has expired, Verified follows the
// hash chain (LastBlockID) down from the nearest trusted header above it,
// which needs no signatures and so no trusting period.
package client
