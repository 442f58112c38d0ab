// Package gov is consortium governance. Any active member proposes a change
// through an operator key: a member added, suspended, reinstated or
// removed; a member's roles, operators or node ids replaced; a validator's
// key or power set; module parameters replaced; wallets moved to another
// bank of record. Each active member has one vote (yes, no, abstain),
// changeable until the proposal's deadline. A proposal passes when its yes
// votes reach the threshold (default two thirds of the active members) and
// its action executes at the end of that block; it is rejected at the
// deadline otherwise. The action is validated when proposed and again when
// executed: one no longer valid leaves the proposal failed, with the
// reason, and changes nothing.
//
// State layout in the "gov" store (values are protobuf):
//
//	0x01 | id (8)               -> govv1.Proposal
//	0x02 | id (8) | member id   -> govv1.Vote
//	0x03                        -> govv1.Params
//	0x05                        -> last proposal id (8 bytes)
//	0x06 | id (8)               -> voting end (8): the proposals in voting, in id order
//	0x07 | voting end (8) | id  -> 0x01: the same by deadline (sign bit flipped: key order is time order)
//	0x08 | id (8)               -> 0x01: voted on in the block being executed (none between blocks)
//	0x09                        -> the number of proposals in voting (8 bytes)
//
// (0x04 held a single work-queue record, rewritten on every vote, until it
// became the ranges 0x06 to 0x09.) A failed proposal keeps the codespace and
// code of the registered error its action failed with; the error's text is
// in the reason attribute of the gov_proposal event of the deciding block.
//
// Work per block is bounded by max_open_proposals times the number of
// members.
package gov
