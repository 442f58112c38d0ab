package auth

import (
	"encoding/binary"

	"github.com/ethereum/go-ethereum/crypto"
)

// Domain identifies the chain a signature is valid on.
type Domain struct {
	// ChainID is the CometBFT chain id (e.g. "ledgerd-devnet").
	ChainID string
	// NumericID is the EIP-712 chainId, from genesis.
	NumericID uint64
}

const (
	domainName    = "ledgerd"
	domainVersion = "1"
)

var domainTypeHash = crypto.Keccak256Hash([]byte(
	"EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"))

// VerifyingContract is the address EIP-712 domains of chainID name: the last
// 20 bytes of keccak256(chainID). No contract lives there; it binds the
// CometBFT chain id into every signature.
func VerifyingContract(chainID string) [20]byte {
	var a [20]byte
	copy(a[:], crypto.Keccak256([]byte(chainID))[12:])
	return a
}

// Separator returns the EIP-712 domain separator.
func (d Domain) Separator() [32]byte {
	var enc [5 * 32]byte
	copy(enc[0:], domainTypeHash[:])
	copy(enc[32:], crypto.Keccak256([]byte(domainName)))
	copy(enc[64:], crypto.Keccak256([]byte(domainVersion)))
	binary.BigEndian.PutUint64(enc[96+24:], d.NumericID)
	vc := VerifyingContract(d.ChainID)
	copy(enc[128+12:], vc[:])
	return crypto.Keccak256Hash(enc[:])
}
