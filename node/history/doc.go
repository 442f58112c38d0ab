// Package history is the node's off-consensus index of history entries
// (package x/history): every node writes the entries its blocks emit (the
// history events) to its own Badger database, so that anyone can fetch a
// subject's entries (a wallet's, a loan's) and check them against the
// subject's proven accumulator (count, head) with history.Verify and the
// module's own checks (wallet.VerifyHistory).
//
// # Keys
//
// All keys are binary:
//
//	'e' | subject* | id* | seq (8, big-endian)              -> historyv1.Entry
//	't' | tx hash (32) | subject* | id* | seq (8, big-endian) -> empty (the entries of a tx)
//	'w'                                                     -> watermark: last indexed height (8, big-endian)
//	'c'                                                     -> the chain id the index belongs to
//	'v'                                                     -> the key layout's version ("2")
//
// (* length-prefixed: one byte of length, then the bytes.)
//
// # Guarantees
//
//   - The watermark is written in the same Badger transaction as the last
//     entries of its height, after all earlier ones: the index never claims
//     a height whose entries it has not written. A crash may leave entries of
//     heights above the watermark; re-applying them writes the same bytes.
//   - Heights are applied in order, each exactly once: Apply skips a height
//     at or below the watermark and refuses one that would leave a gap.
//   - The index may lag the state: a Recorder applies committed blocks
//     behind consensus, so that the index costs block execution nothing, and
//     a crash, or a deleted index, leaves it behind. The node catches it up
//     on start from CometBFT's stored FinalizeBlock responses (CatchUp); if
//     those are gone it fails to start rather than serve an incomplete
//     index.
//   - An index that fails to write a block (a disk error) stops: it applies
//     nothing more and every query fails until the node is restarted and
//     catches up. Consensus is not affected: the index is not part of it.
//   - A node that joined by state sync, or started a chain from an exported
//     genesis, has no blocks before its first height: its index is filled
//     from the snapshot or the genesis (RestoreEntries), after the app has
//     verified every entry against the state's accumulators, and blocks are
//     applied from there. Such an index cannot be rebuilt from the node's
//     own blocks.
//
// Nothing here is consensus code: the index is a cache of what the blocks
// say, and an answer from it is the node's word until checked against a
// proven accumulator.
package history
