package auth

import (
	"crypto/ecdsa"
	"encoding/binary"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// ReadType is the EIP-712 type of a signed read (a query of a private
// store): what the reader signs, in the chain's domain, so that a node
// answers only readers the store's module allows.
const ReadType = "Read(string path,bytes data,int64 height,bool prove,int64 validUntil)"

var readTypeHash = crypto.Keccak256Hash([]byte(ReadType))

// Read is a query as its reader signs it: the path (without the "/read"
// prefix), its data, the height asked (0: the latest), whether a proof is
// asked, and the time (Unix seconds) after which a node refuses it.
type Read struct {
	Path       string
	Data       []byte
	Height     int64
	Prove      bool
	ValidUntil int64
}

// Digest is the EIP-712 digest of r in domain d.
func (r Read) Digest(d Domain) [32]byte {
	var enc [6 * 32]byte
	copy(enc[0:], readTypeHash[:])
	copy(enc[32:], crypto.Keccak256([]byte(r.Path)))
	copy(enc[64:], crypto.Keccak256(r.Data))
	putInt64(enc[96:128], r.Height)
	if r.Prove {
		enc[159] = 1
	}
	putInt64(enc[160:192], r.ValidUntil)
	h := keccak(enc[:])
	var buf [2 + 32 + 32]byte
	buf[0], buf[1] = 0x19, 0x01
	sep := d.Separator()
	copy(buf[2:], sep[:])
	copy(buf[34:], h[:])
	return keccak(buf[:])
}

// putInt64 writes v as a 32-byte two's complement big-endian word.
func putInt64(out []byte, v int64) {
	if v < 0 {
		for i := range out[:24] {
			out[i] = 0xff
		}
	}
	binary.BigEndian.PutUint64(out[24:], uint64(v))
}

// Sign signs r in domain d with key: 65 bytes r || s || v, v in {0, 1}.
func (r Read) Sign(d Domain, key *ecdsa.PrivateKey) ([]byte, error) {
	digest := r.Digest(d)
	return crypto.Sign(digest[:], key)
}

// Reader recovers the address that signed r in domain d with sig, with the
// checks of a transaction's signature (ErrSigLength, ErrSigRecoveryID,
// ErrSigHighS, ErrSigInvalid).
func (r Read) Reader(d Domain, sig []byte) (common.Address, error) {
	if err := CheckSignatureValues(sig); err != nil {
		return common.Address{}, err
	}
	return recoverAddress(r.Digest(d), sig)
}
