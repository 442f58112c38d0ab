package auth

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
)

// Solidity types a message field may have.
const (
	typeAddress = "address"
	typeBytes32 = "bytes32"
	typeString  = "string"
	typeUint32  = "uint32"
	typeUint64  = "uint64"
	typeInt64   = "int64"
	typeLegs    = "Leg[]"
)

// legType is the struct of one BatchTransfer recipient.
var (
	legTypeString = "Leg(address to,uint64 amount)"
	legTypeHash   = crypto.Keccak256Hash([]byte(legTypeString))
)

// Field is one member of a message's EIP-712 struct, in declaration order.
type Field struct {
	Name  string
	Type  string
	Value any // []byte for address and bytes32, string, uint32 or uint64
}

// primaryType is one message kind's EIP-712 struct: its name and the names and
// types of its fields. Its type hash is computed once.
type primaryType struct {
	name     string
	fields   [][2]string // {name, type}
	typeHash [32]byte
}

func newPrimaryType(name string, msgFields ...[2]string) *primaryType {
	fields := append([][2]string{
		{"signer", typeAddress},
		{"nonce", typeUint64},
		{"validUntilHeight", typeUint64},
	}, msgFields...)
	p := &primaryType{name: name, fields: fields}
	p.typeHash = crypto.Keccak256Hash([]byte(p.encodeType()))
	return p
}

// encodeType is EIP-712's encodeType: "Name(type1 name1,type2 name2,...)"
// followed by the referenced struct types (only Leg).
func (p *primaryType) encodeType() string {
	parts := make([]string, len(p.fields))
	refersToLeg := false
	for i, f := range p.fields {
		parts[i] = f[1] + " " + f[0]
		refersToLeg = refersToLeg || f[1] == typeLegs
	}
	t := p.name + "(" + strings.Join(parts, ",") + ")"
	if refersToLeg {
		t += legTypeString
	}
	return t
}

// The primary types, one per message kind. Changing one is a hard fork and
// breaks every wallet integration: add new kinds instead.
var (
	openWalletType = newPrimaryType("OpenWallet",
		[2]string{"owner", typeAddress}, [2]string{"kycHash", typeBytes32}, [2]string{"tier", typeUint32})
	depositType = newPrimaryType("Deposit",
		[2]string{"wallet", typeAddress}, [2]string{"denom", typeString}, [2]string{"amount", typeUint64},
		[2]string{"reference", typeString})
	transferType = newPrimaryType("Transfer",
		[2]string{"to", typeAddress}, [2]string{"denom", typeString}, [2]string{"amount", typeUint64},
		[2]string{"memo", typeString})
	redeemType = newPrimaryType("Redeem",
		[2]string{"denom", typeString}, [2]string{"amount", typeUint64}, [2]string{"payoutReference", typeString})
	batchTransferType = newPrimaryType("BatchTransfer",
		[2]string{"denom", typeString}, [2]string{"legs", typeLegs}, [2]string{"memo", typeString})
	freezeType = newPrimaryType("Freeze",
		[2]string{"wallet", typeAddress}, [2]string{"kind", typeUint32}, [2]string{"legalBasis", typeString},
		[2]string{"expires", typeInt64})
	releaseType = newPrimaryType("Release",
		[2]string{"wallet", typeAddress}, [2]string{"orderId", typeUint64}, [2]string{"reason", typeString})
	setTierType = newPrimaryType("SetTier",
		[2]string{"wallet", typeAddress}, [2]string{"tier", typeUint32}, [2]string{"kycHash", typeBytes32})
	setLimitsType = newPrimaryType("SetLimits",
		[2]string{"wallet", typeAddress}, [2]string{"denom", typeString},
		[2]string{"balanceCap", typeUint64}, [2]string{"paymentLimit", typeUint64},
		[2]string{"dailyOutflowLimit", typeUint64}, [2]string{"annualOutflowLimit", typeUint64})
	closeWalletType = newPrimaryType("CloseWallet", [2]string{"wallet", typeAddress})
	// A proposal's action is signed as its kind (the Action oneof field's
	// name) and the keccak256 of its canonical protobuf encoding, which
	// `ledgerd tx gov propose --print-typed-data` shows decoded beside.
	submitProposalType = newPrimaryType("SubmitProposal",
		[2]string{"title", typeString}, [2]string{"description", typeString}, [2]string{"documentHash", typeBytes32},
		[2]string{"votingEnd", typeInt64}, [2]string{"action", typeString}, [2]string{"actionHash", typeBytes32})
	voteType = newPrimaryType("Vote", [2]string{"proposalId", typeUint64}, [2]string{"option", typeUint32})

	allPrimaryTypes = []*primaryType{openWalletType, depositType, transferType, redeemType, batchTransferType,
		freezeType, releaseType, setTierType, setLimitsType, closeWalletType, submitProposalType, voteType}
)

// PrimaryTypes returns the EIP-712 type string of every message kind, by
// primary type name: the schema docs/signing.md documents.
func PrimaryTypes() map[string]string {
	out := map[string]string{}
	for _, p := range allPrimaryTypes {
		out[p.name] = p.encodeType()
	}
	return out
}

// Message returns the primary type name and the fields, values included, of
// body's EIP-712 struct. It fails with ErrInvalidTx when body carries no
// message or a field has the wrong length.
func Message(body *authv1.TxBody) (primary string, fields []Field, err error) {
	p, values, err := messageValues(body)
	if err != nil {
		return "", nil, err
	}
	fields = make([]Field, len(p.fields))
	for i, f := range p.fields {
		fields[i] = Field{Name: f[0], Type: f[1], Value: values[i]}
	}
	return p.name, fields, nil
}

func messageValues(body *authv1.TxBody) (*primaryType, []any, error) {
	envelope := []any{body.GetSigner(), body.GetNonce(), body.GetValidUntilHeight()}
	switch m := body.GetMsg().(type) {
	case *authv1.TxBody_OpenWallet:
		w := m.OpenWallet
		return openWalletType, append(envelope, w.GetOwner(), w.GetKycHash(), w.GetTier()), nil
	case *authv1.TxBody_Deposit:
		d := m.Deposit
		return depositType, append(envelope, d.GetWallet(), d.GetDenom(), d.GetAmount(), d.GetReference()), nil
	case *authv1.TxBody_Transfer:
		t := m.Transfer
		return transferType, append(envelope, t.GetTo(), t.GetDenom(), t.GetAmount(), t.GetMemo()), nil
	case *authv1.TxBody_Redeem:
		r := m.Redeem
		return redeemType, append(envelope, r.GetDenom(), r.GetAmount(), r.GetPayoutReference()), nil
	case *authv1.TxBody_BatchTransfer:
		b := m.BatchTransfer
		return batchTransferType, append(envelope, b.GetDenom(), b.GetLegs(), b.GetMemo()), nil
	case *authv1.TxBody_Freeze:
		f := m.Freeze
		return freezeType, append(envelope, f.GetWallet(), uint32(f.GetKind()), f.GetLegalBasis(), f.GetExpires()), nil
	case *authv1.TxBody_Release:
		r := m.Release
		return releaseType, append(envelope, r.GetWallet(), r.GetOrderId(), r.GetReason()), nil
	case *authv1.TxBody_SetTier:
		t := m.SetTier
		return setTierType, append(envelope, t.GetWallet(), t.GetTier(), t.GetKycHash()), nil
	case *authv1.TxBody_SetLimits:
		l, lim := m.SetLimits, m.SetLimits.GetLimits()
		return setLimitsType, append(envelope, l.GetWallet(), l.GetDenom(), lim.GetBalanceCap(), lim.GetPaymentLimit(),
			lim.GetDailyOutflowLimit(), lim.GetAnnualOutflowLimit()), nil
	case *authv1.TxBody_CloseWallet:
		return closeWalletType, append(envelope, m.CloseWallet.GetWallet()), nil
	case *authv1.TxBody_SubmitProposal:
		p := m.SubmitProposal
		kind, hash, err := ActionDigest(p.GetAction())
		if err != nil {
			return nil, nil, err
		}
		return submitProposalType, append(envelope, p.GetTitle(), p.GetDescription(), p.GetDocumentHash(), p.GetVotingEnd(),
			kind, hash), nil
	case *authv1.TxBody_Vote:
		v := m.Vote
		return voteType, append(envelope, v.GetProposalId(), uint32(v.GetOption())), nil
	case nil:
		return nil, nil, errcode.Wrap(ErrInvalidTx, "body carries no message")
	default:
		return nil, nil, errcode.Wrap(ErrInvalidTx, "message %T has no EIP-712 type", m)
	}
}

// ActionDigest returns a proposal action's kind (its Action oneof field
// name, "add_member", ...) and the keccak256 of its canonical protobuf
// encoding: what a SubmitProposal signature covers of the action.
func ActionDigest(a *govv1.Action) (string, []byte, error) {
	if a == nil {
		return "", nil, errcode.Wrap(ErrInvalidTx, "proposal without an action")
	}
	od := a.ProtoReflect().WhichOneof(a.ProtoReflect().Descriptor().Oneofs().ByName("kind"))
	if od == nil {
		return "", nil, errcode.Wrap(ErrInvalidTx, "proposal action has no kind")
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(a)
	if err != nil {
		return "", nil, errcode.Wrap(ErrInvalidTx, "proposal action: %v", err)
	}
	return string(od.Name()), crypto.Keccak256(b), nil
}

// HashStruct is EIP-712's hashStruct of body's message.
func HashStruct(body *authv1.TxBody) ([32]byte, error) {
	p, values, err := messageValues(body)
	if err != nil {
		return [32]byte{}, err
	}
	enc := make([]byte, 32*(1+len(values)))
	copy(enc, p.typeHash[:])
	for i, v := range values {
		if err := encodeValue(enc[32*(i+1):32*(i+2)], p.fields[i], v); err != nil {
			return [32]byte{}, err
		}
	}
	return crypto.Keccak256Hash(enc), nil
}

// encodeValue writes EIP-712's encodeData of one atomic or dynamic value into
// the 32-byte slot out.
func encodeValue(out []byte, f [2]string, v any) error {
	switch f[1] {
	case typeAddress:
		b := v.([]byte)
		if len(b) != 20 {
			return errcode.Wrap(ErrInvalidTx, "%s must be a 20-byte address, got %d bytes", f[0], len(b))
		}
		copy(out[12:], b)
	case typeBytes32:
		b := v.([]byte)
		if len(b) != 32 {
			return errcode.Wrap(ErrInvalidTx, "%s must be 32 bytes, got %d", f[0], len(b))
		}
		copy(out, b)
	case typeString:
		copy(out, crypto.Keccak256([]byte(v.(string))))
	case typeUint32:
		binary.BigEndian.PutUint32(out[28:], v.(uint32))
	case typeUint64:
		binary.BigEndian.PutUint64(out[24:], v.(uint64))
	case typeInt64:
		// Two's complement, sign-extended to 256 bits.
		n := v.(int64)
		if n < 0 {
			for i := range out[:24] {
				out[i] = 0xff
			}
		}
		binary.BigEndian.PutUint64(out[24:], uint64(n))
	case typeLegs:
		// An array is the keccak256 of its elements' hashStructs.
		legs := v.([]*walletv1.BatchLeg)
		buf := make([]byte, 0, 32*len(legs))
		for i, leg := range legs {
			if len(leg.GetTo()) != 20 {
				return errcode.Wrap(ErrInvalidTx, "legs[%d].to must be a 20-byte address, got %d bytes", i, len(leg.GetTo()))
			}
			var enc [96]byte
			copy(enc[:32], legTypeHash[:])
			copy(enc[32+12:64], leg.GetTo())
			binary.BigEndian.PutUint64(enc[64+24:], leg.GetAmount())
			buf = append(buf, crypto.Keccak256(enc[:])...)
		}
		copy(out, crypto.Keccak256(buf))
	default:
		panic(fmt.Sprintf("auth: field %s has unsupported type %s", f[0], f[1]))
	}
	return nil
}

// SigningDigest is the 32-byte EIP-712 digest a signer signs in
// SIGN_MODE_EIP712: keccak256(0x19 0x01 || domainSeparator || hashStruct).
func SigningDigest(d Domain, body *authv1.TxBody) ([32]byte, error) {
	return signingDigest(d.Separator(), body)
}

func signingDigest(separator [32]byte, body *authv1.TxBody) ([32]byte, error) {
	h, err := HashStruct(body)
	if err != nil {
		return [32]byte{}, err
	}
	var buf [2 + 32 + 32]byte
	buf[0], buf[1] = 0x19, 0x01
	copy(buf[2:], separator[:])
	copy(buf[34:], h[:])
	return crypto.Keccak256Hash(buf[:]), nil
}

// PersonalDigest is the digest signed in SIGN_MODE_EIP191: personal_sign
// (EIP-191 version 0x45) over the 32 bytes of the EIP-712 digest, which is
// what `ethkey signmessage` and wallets' "sign message" produce.
func PersonalDigest(eip712 [32]byte) [32]byte {
	return crypto.Keccak256Hash([]byte("\x19Ethereum Signed Message:\n32"), eip712[:])
}

// Digest returns the digest mode signs for body.
func Digest(d Domain, body *authv1.TxBody, mode authv1.SignMode) ([32]byte, error) {
	return digestWithSeparator(d.Separator(), body, mode)
}

func digestWithSeparator(separator [32]byte, body *authv1.TxBody, mode authv1.SignMode) ([32]byte, error) {
	h, err := signingDigest(separator, body)
	if err != nil {
		return h, err
	}
	switch mode {
	case authv1.SignMode_SIGN_MODE_EIP712:
		return h, nil
	case authv1.SignMode_SIGN_MODE_EIP191:
		return PersonalDigest(h), nil
	default:
		return [32]byte{}, errcode.Wrap(ErrInvalidSignMode, "sign mode %d", mode)
	}
}
