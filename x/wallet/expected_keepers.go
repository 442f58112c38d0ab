package wallet

import (
	"github.com/ethereum/go-ethereum/common"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
)

// Members is what the wallet module needs of the consortium: who an
// operator acts for, checked for standing and role, and a member's roles.
type Members interface {
	Member(id string) (*consortiumv1.Member, error)
	Acting(addr common.Address) (*consortiumv1.Member, error)
	ActingMember(addr common.Address, role consortiumv1.Role) (*consortiumv1.Member, error)
	Operator(addr common.Address) (*consortiumv1.Operator, bool)
}
