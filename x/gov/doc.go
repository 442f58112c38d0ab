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
//	0x04                        -> govv1.Queue (open proposals, voted this block)
//	0x05                        -> last proposal id (8 bytes)
//
// Work per block is bounded by max_open_proposals times the number of
// members.
package gov
