package gov

import "encoding/binary"

// StoreName is the name of governance's store and of its proof op key.
const StoreName = "gov"

const (
	prefixProposal byte = 0x01
	prefixVote     byte = 0x02
	keyParams      byte = 0x03
	keyQueue       byte = 0x04
	keyLastID      byte = 0x05
)

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

// QueueKey is the store key of the work queue.
func QueueKey() []byte { return []byte{keyQueue} }

// LastIDKey is the store key of the last proposal id.
func LastIDKey() []byte { return []byte{keyLastID} }
