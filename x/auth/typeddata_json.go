package auth

import (
	"encoding/json"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
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
// addresses and bytes32 as 0x-hex and integers as decimal strings (what
// wallets accept for uint64).
func NewTypedData(d Domain, body *authv1.TxBody) (*TypedData, error) {
	primary, fields, err := Message(body)
	if err != nil {
		return nil, err
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
		PrimaryType: primary,
		Domain: TypedDataDomain{
			Name:              domainName,
			Version:           domainVersion,
			ChainID:           strconv.FormatUint(d.NumericID, 10),
			VerifyingContract: common.Address(vc).Hex(),
		},
		Message: map[string]any{},
	}
	for _, f := range fields {
		td.Types[primary] = append(td.Types[primary], TypedDataField{Name: f.Name, Type: f.Type})
		switch v := f.Value.(type) {
		case []*walletv1.BatchLeg:
			td.Types["Leg"] = []TypedDataField{{Name: "to", Type: "address"}, {Name: "amount", Type: "uint64"}}
			legs := make([]map[string]any, len(v))
			for i, l := range v {
				legs[i] = map[string]any{"to": common.BytesToAddress(l.GetTo()).Hex(), "amount": strconv.FormatUint(l.GetAmount(), 10)}
			}
			td.Message[f.Name] = legs
		case int64:
			td.Message[f.Name] = strconv.FormatInt(v, 10)
		case []byte:
			if f.Type == typeAddress {
				td.Message[f.Name] = common.BytesToAddress(v).Hex()
			} else {
				td.Message[f.Name] = hexutil.Encode(v)
			}
		case string:
			td.Message[f.Name] = v
		case uint32:
			td.Message[f.Name] = strconv.FormatUint(uint64(v), 10)
		case uint64:
			td.Message[f.Name] = strconv.FormatUint(v, 10)
		}
	}
	return td, nil
}

// JSON returns the document as eth_signTypedData_v4 takes it.
func (td *TypedData) JSON() ([]byte, error) { return json.MarshalIndent(td, "", "  ") }
