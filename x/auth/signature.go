package auth

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// SignatureLen is the length of a signature: r (32) || s (32) || v (1).
const SignatureLen = 65

// secp256k1N and secp256k1HalfN are the group order n and n/2 (rounded
// down) as 32-byte big-endian numbers, the form of a signature's r and s.
var (
	secp256k1N     = crypto.S256().Params().N.FillBytes(make([]byte, 32))
	secp256k1HalfN = new(big.Int).Rsh(crypto.S256().Params().N, 1).FillBytes(make([]byte, 32))
)

// Signer recovers and checks the signers of transactions of one domain. It
// holds the precomputed domain separator and is safe for concurrent use.
type Signer struct {
	domain    Domain
	separator [32]byte
}

// NewSigner returns the Signer of domain d.
func NewSigner(d Domain) *Signer {
	return &Signer{domain: d, separator: d.Separator()}
}

// Domain returns the signer's domain.
func (s *Signer) Domain() Domain { return s.domain }

// Digest returns the digest tx's signature must be over.
func (s *Signer) Digest(body *authv1.TxBody, mode authv1.SignMode) ([32]byte, error) {
	return digestWithSeparator(s.separator, body, mode)
}

// Recover checks tx's signature and returns the address that made it, which
// the caller compares with the body's signer (see Verify). Checks, in order:
// length (ErrSigLength), v in {0,1} (ErrSigRecoveryID), low s
// (ErrSigHighS), r and s in range and recovery (ErrSigInvalid).
func (s *Signer) Recover(tx *authv1.Tx) (common.Address, error) {
	sig := tx.GetSignature()
	if err := CheckSignatureValues(sig); err != nil {
		return common.Address{}, err
	}
	digest, err := s.Digest(tx.GetBody(), tx.GetSignMode())
	if err != nil {
		return common.Address{}, err
	}
	return recoverAddress(digest, sig)
}

// recoverAddress recovers the address whose key made sig over digest; sig
// passed CheckSignatureValues.
func recoverAddress(digest [32]byte, sig []byte) (common.Address, error) {
	pub, err := crypto.Ecrecover(digest[:], sig)
	if err != nil {
		return common.Address{}, errcode.Wrap(ErrSigInvalid, "recover: %v", err)
	}
	return common.BytesToAddress(crypto.Keccak256(pub[1:])[12:]), nil
}

// Verify recovers tx's signer and fails with ErrSignerMismatch unless it is
// the body's signer.
func (s *Signer) Verify(tx *authv1.Tx) (common.Address, error) {
	addr, err := s.Recover(tx)
	if err != nil {
		return addr, err
	}
	if !bytes.Equal(addr[:], tx.GetBody().GetSigner()) {
		return addr, errcode.Wrap(ErrSignerMismatch, "body names %x, signature is by %x", tx.GetBody().GetSigner(), addr[:])
	}
	return addr, nil
}

// Signers verifies tx's signature as Verify does and, if tx carries a
// second signature, recovers the second key (the zero address when there
// is none). The second signature gets the first's checks, with the same
// codes and a log that names it, over the same body in its own sign mode,
// and must be by another key than the signer's (ErrSecondSignerIsSigner).
// Whose key the second must be is the module's rule, not the envelope's.
// A transaction with one signature costs what Verify costs.
func (s *Signer) Signers(tx *authv1.Tx) (signer, second common.Address, err error) {
	sig2 := tx.GetSecondSignature()
	if len(sig2) == 0 {
		if tx.GetSecondSignMode() != authv1.SignMode_SIGN_MODE_EIP712 {
			return common.Address{}, common.Address{}, errcode.Wrap(ErrInvalidSignMode, "second_sign_mode %d without a second signature", tx.GetSecondSignMode())
		}
		signer, err = s.Verify(tx)
		return signer, common.Address{}, err
	}
	sig := tx.GetSignature()
	if err := CheckSignatureValues(sig); err != nil {
		return common.Address{}, common.Address{}, err
	}
	if err := CheckSignatureValues(sig2); err != nil {
		return common.Address{}, common.Address{}, fmt.Errorf("second signature: %w", err)
	}
	// One EIP-712 hash for both signatures.
	h, err := signingDigest(s.separator, tx.GetBody())
	if err != nil {
		return common.Address{}, common.Address{}, err
	}
	d1, err := modeDigest(h, tx.GetSignMode())
	if err != nil {
		return common.Address{}, common.Address{}, err
	}
	d2, err := modeDigest(h, tx.GetSecondSignMode())
	if err != nil {
		return common.Address{}, common.Address{}, fmt.Errorf("second signature: %w", err)
	}
	if signer, err = recoverAddress(d1, sig); err != nil {
		return common.Address{}, common.Address{}, err
	}
	if !bytes.Equal(signer[:], tx.GetBody().GetSigner()) {
		return signer, common.Address{}, errcode.Wrap(ErrSignerMismatch, "body names %x, signature is by %x", tx.GetBody().GetSigner(), signer[:])
	}
	if second, err = recoverAddress(d2, sig2); err != nil {
		return signer, common.Address{}, fmt.Errorf("second signature: %w", err)
	}
	if second == signer {
		return signer, common.Address{}, errcode.Wrap(ErrSecondSignerIsSigner, "both signatures are by %s", signer.Hex())
	}
	return signer, second, nil
}

// CheckSignatureValues applies the cheap checks on a 65-byte signature
// before any curve arithmetic: length, v in {0,1}, low s, r and s in range.
func CheckSignatureValues(sig []byte) error {
	if len(sig) != SignatureLen {
		return errcode.Wrap(ErrSigLength, "got %d bytes", len(sig))
	}
	v := sig[64]
	if v > 1 {
		return errcode.Wrap(ErrSigRecoveryID, "v = %d", v)
	}
	// What crypto.ValidateSignatureValues checks (with low s), on the
	// bytes: 1 <= r < n and 1 <= s <= n/2.
	r, s := sig[:32], sig[32:64]
	if bytes.Compare(s, secp256k1HalfN) > 0 {
		return ErrSigHighS
	}
	if isZero(r) || isZero(s) || bytes.Compare(r, secp256k1N) >= 0 {
		return errcode.Wrap(ErrSigInvalid, "r or s out of range")
	}
	return nil
}

func isZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Sign signs body with key in mode and returns the complete transaction. The
// signature is low-s with v in {0,1}, as go-ethereum's crypto.Sign makes it.
func (s *Signer) Sign(body *authv1.TxBody, mode authv1.SignMode, key *ecdsa.PrivateKey) (*authv1.Tx, error) {
	digest, err := s.Digest(body, mode)
	if err != nil {
		return nil, err
	}
	sig, err := crypto.Sign(digest[:], key)
	if err != nil {
		return nil, err
	}
	return &authv1.Tx{Body: body, Signature: sig, SignMode: mode}, nil
}

// Cosign returns a copy of tx with key's signature over the same body, in
// mode, as its second signature.
func (s *Signer) Cosign(tx *authv1.Tx, mode authv1.SignMode, key *ecdsa.PrivateKey) (*authv1.Tx, error) {
	digest, err := s.Digest(tx.GetBody(), mode)
	if err != nil {
		return nil, err
	}
	sig, err := crypto.Sign(digest[:], key)
	if err != nil {
		return nil, err
	}
	out := proto.Clone(tx).(*authv1.Tx)
	out.SecondSignature, out.SecondSignMode = sig, mode
	return out, nil
}
