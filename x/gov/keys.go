package gov

import "encoding/binary"

// StoreName is the name of governance's store and of its proof op key.
const StoreName = "gov"

const (
	prefixProposal byte = 0x01
	prefixVote     byte = 0x02
	keyParams      byte = 0x03
	// 0x04 held a work-queue record until it became the ranges below.
	keyLastID      byte = 0x05
	prefixOpen     byte = 0x06
	prefixDeadline byte = 0x07
	prefixVoted    byte = 0x08
	keyOpenCount   byte = 0x09
	keyUpgradePlan byte = 0x0a
	keyAppVersion  byte = 0x0b
	prefixApplied  byte = 0x0c
	keyLastApplied byte = 0x0d
)

// UpgradePlanKey is the store key of the scheduled upgrade
// (govv1.SoftwareUpgrade), absent when none is.
func UpgradePlanKey() []byte { return []byte{keyUpgradePlan} }

// AppVersionKey is the store key of the app version (8 bytes), absent
// until an upgrade sets one: the app version is then InitialAppVersion.
func AppVersionKey() []byte { return []byte{keyAppVersion} }

// AppliedKey is the store key of the applied upgrade name
// (govv1.AppliedUpgrade).
func AppliedKey(name string) []byte { return append([]byte{prefixApplied}, name...) }

// LastAppliedKey is the store key of the last applied upgrade
// (govv1.AppliedUpgrade).
func LastAppliedKey() []byte { return []byte{keyLastApplied} }

// ProposalKey is the store key of proposal id.
func ProposalKey(id uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixProposal}, id) }

// ProposalPrefix is the prefix of all proposals, in id order.
func ProposalPrefix() []byte { return []byte{prefixProposal} }

// VoteKey is the store key of member's vote on proposal id.
func VoteKey(id uint64, member string) []byte {
	return append(VotePrefix(id), member...)
}

// VotePrefix is the prefix of the votes on proposal id, in member order.
func VotePrefix(id uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixVote}, id) }

// ParamsKey is the store key of the parameters.
func ParamsKey() []byte { return []byte{keyParams} }

// OpenKey is the key of proposal id among those in voting; its value is
// its voting end (8 bytes). The proposals in voting are the range
// OpenPrefix, in id order.
func OpenKey(id uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixOpen}, id) }

// OpenPrefix is the prefix of the proposals in voting.
func OpenPrefix() []byte { return []byte{prefixOpen} }

// deadlineKey orders the proposals in voting by voting end (sign bit
// flipped, so that key order is time order), then id.
func deadlineKey(votingEnd int64, id uint64) []byte {
	k := binary.BigEndian.AppendUint64([]byte{prefixDeadline}, uint64(votingEnd)^(1<<63))
	return binary.BigEndian.AppendUint64(k, id)
}

// votedKey marks proposal id as voted on in the block being executed.
func votedKey(id uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixVoted}, id) }

// OpenCountKey is the key of the number of proposals in voting (8 bytes).
func OpenCountKey() []byte { return []byte{keyOpenCount} }

// LastIDKey is the store key of the last proposal id.
func LastIDKey() []byte { return []byte{keyLastID} }

// Event types. EventProposal (id, proposer, action, voting_end, status,
// reason) is emitted by the submitting transaction and, when the proposal
// is executed, fails or is rejected, among the events of the block (its
// finalize_block_events), with the failure's text in reason. EventVote
// (id, member, option) is emitted by a vote.
const (
	EventProposal = "gov_proposal"
	EventVote     = "gov_vote"
)
