package consortium

// StoreName is the name of the consortium's store and of its proof op key.
const StoreName = "consortium"

const (
	prefixMember   byte = 0x01
	prefixOperator byte = 0x02
	keyParams      byte = 0x03
	prefixNode     byte = 0x04
	// 0x05 held a member index until the members were walked as a range.
)

// MemberKey is the store key of member id.
func MemberKey(id string) []byte { return append([]byte{prefixMember}, id...) }

// MemberPrefix is the prefix of all member keys.
func MemberPrefix() []byte { return []byte{prefixMember} }

// OperatorKey is the store key of the operator account of addr.
func OperatorKey(addr []byte) []byte { return append([]byte{prefixOperator}, addr...) }

// ParamsKey is the store key of the parameters.
func ParamsKey() []byte { return []byte{keyParams} }

// NodeKey is the store key of P2P node id (40 lowercase hex characters);
// its value is the id of the member that runs the node, as a
// consortiumv1.NodeOwner.
func NodeKey(nodeID string) []byte { return append([]byte{prefixNode}, nodeID...) }
