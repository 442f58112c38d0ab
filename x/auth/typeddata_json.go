package auth

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
)

// TypedDataField is one entry of an EIP-712 "types" list.
type TypedDataField struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// TypedDataDomain is the JSON form of Domain.
type TypedDataDomain struct {
	Name              string `json:"name"`
	Version           string `json:"version"`
	ChainID           string `json:"chainId"`
	VerifyingContract string `json:"verifyingContract"`
}

// TypedData is the JSON document an Ethereum wallet signs with
// eth_signTypedData_v4 for a transaction body. Its digest is SigningDigest.
type TypedData struct {
	Types       map[string][]TypedDataField `json:"types"`
	PrimaryType string                      `json:"primaryType"`
	Domain      TypedDataDomain             `json:"domain"`
	Message     map[string]any              `json:"message"`
}

// NewTypedData returns the typed-data document of body in domain d, with
// addresses (EIP-55) and bytes as 0x-hex, integers as decimal strings (what
// wallets accept for uint64), structs as objects and arrays as lists. It
// fails as SigningDigest does on a body that cannot be signed.
func NewTypedData(d Domain, body *authv1.TxBody) (*TypedData, error) {
	st, m, err := primaryOf(body)
	if err != nil {
		return nil, err
	}
	if _, err := hashStruct(st, m, body, nil); err != nil {
		return nil, err // the checks the digest applies (lengths, set oneofs)
	}
	vc := VerifyingContract(d.ChainID)
	td := &TypedData{
		Types: map[string][]TypedDataField{
			"EIP712Domain": {
				{Name: "name", Type: "string"},
				{Name: "version", Type: "string"},
				{Name: "chainId", Type: "uint256"},
				{Name: "verifyingContract", Type: "address"},
			},
		},
		PrimaryType: st.name,
		Domain: TypedDataDomain{
			Name:              domainName,
			Version:           domainVersion,
			ChainID:           strconv.FormatUint(d.NumericID, 10),
			VerifyingContract: common.Address(vc).Hex(),
		},
	}
	for _, s := range append([]*structType{st}, st.deps...) {
		fields := make([]TypedDataField, len(s.members))
		for i, mem := range s.members {
			fields[i] = TypedDataField{Name: mem.name, Type: mem.typ}
		}
		td.Types[s.name] = fields
	}
	td.Message = structJSON(st, m, body)
	return td, nil
}

// structJSON is m as st's JSON object; hashStruct has already checked it.
func structJSON(st *structType, m protoreflect.Message, body *authv1.TxBody) map[string]any {
	out := make(map[string]any, len(st.members))
	for i := range st.members {
		mem := &st.members[i]
		switch mem.kind {
		case kindEnvelopeAddr:
			out[mem.name] = common.BytesToAddress(body.GetSigner()).Hex()
		case kindEnvelopeNonce:
			out[mem.name] = strconv.FormatUint(body.GetNonce(), 10)
		case kindEnvelopeValid:
			out[mem.name] = strconv.FormatUint(body.GetValidUntilHeight(), 10)
		case kindAtomic:
			out[mem.name] = atomicJSON(mem.typ, value(mem, m))
		case kindStruct:
			out[mem.name] = structJSON(mem.sub, value(mem, m).Message(), nil)
		case kindArray:
			list := value(mem, m).List()
			elems := make([]any, list.Len())
			for i := range list.Len() {
				if mem.sub != nil {
					elems[i] = structJSON(mem.sub, list.Get(i).Message(), nil)
				} else {
					elems[i] = atomicJSON(mem.elem, list.Get(i))
				}
			}
			out[mem.name] = elems
		case kindOneofName, kindOneofHash:
			name, hash, _ := oneofDigest(value(mem, m), &path{name: mem.name, index: -1})
			if mem.kind == kindOneofName {
				out[mem.name] = name
			} else {
				out[mem.name] = hexutil.Encode(hash)
			}
		}
	}
	return out
}

func atomicJSON(typ string, v protoreflect.Value) any {
	switch typ {
	case typeAddress:
		return common.BytesToAddress(v.Bytes()).Hex()
	case typeBytes32, typeBytes:
		return hexutil.Encode(v.Bytes())
	case typeString:
		return v.String()
	case typeBool:
		return v.Bool()
	case typeUint32:
		if e, ok := v.Interface().(protoreflect.EnumNumber); ok {
			return strconv.FormatInt(int64(e), 10)
		}
		return strconv.FormatUint(v.Uint(), 10)
	case typeUint64:
		return strconv.FormatUint(v.Uint(), 10)
	case typeInt32, typeInt64:
		return strconv.FormatInt(v.Int(), 10)
	}
	panic(fmt.Sprintf("auth: unsupported type %s", typ))
}

// JSON returns the document as eth_signTypedData_v4 takes it.
func (td *TypedData) JSON() ([]byte, error) { return json.MarshalIndent(td, "", "  ") }
