package verifier

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/credit"
)

// Signed reads (docs/signing.md, "Signed reads"): the credit store is
// private, and a node answers its reads only to a reader the module
// allows. The console signs each read of a private store with the key the
// auditor loaded into the page, exactly as package client's WithReader
// does: auth.Read's EIP-712 digest in the chain's domain, sent on the path
// "/read" + path with an authv1.ReadRequest. The key stays in this
// process's memory (the page's WebAssembly); only signatures leave it.

// readValidFor is how long a signed read is valid for (client.ReadValidFor).
const readValidFor = 5 * time.Minute

// pathRead prefixes a signed read's path (client.PathRead).
const pathRead = "/read"

// privateStores are the stores whose reads are signed when a key is loaded.
var privateStores = map[string]bool{credit.StoreName: true, collect.StoreName: true}

// privateHistories are the history subjects of private modules: their
// history queries are signed too.
var privateHistories = map[string]bool{collect.HistorySubject: true}

// SetReader loads the key that signs reads of private stores: a
// secp256k1 private key of 64 hex digits (an optional 0x), or a keystore
// v3 JSON file (as ledgerd keys export prints it) with its passphrase. It
// returns the key's address. An empty key unloads it: reads go unsigned
// and the node refuses private ones.
func (v *Verifier) SetReader(keyText, passphrase string) (string, error) {
	keyText = strings.TrimSpace(keyText)
	var k *ecdsa.PrivateKey
	switch {
	case keyText == "":
	case strings.HasPrefix(keyText, "{"):
		dk, err := keystore.DecryptKey([]byte(keyText), passphrase)
		if err != nil {
			return "", fmt.Errorf("the keystore file does not open with this passphrase: %w", err)
		}
		k = dk.PrivateKey
	default:
		b, err := hex.DecodeString(strings.TrimPrefix(keyText, "0x"))
		if err != nil || len(b) != 32 {
			return "", errors.New("the key must be a secp256k1 private key of 64 hex digits, or a keystore JSON file")
		}
		if k, err = crypto.ToECDSA(b); err != nil {
			return "", fmt.Errorf("the key is not a secp256k1 private key: %w", err)
		}
	}
	v.mu.Lock()
	v.reader = k
	v.mu.Unlock()
	if k == nil {
		return "", nil
	}
	return crypto.PubkeyToAddress(k.PublicKey).Hex(), nil
}

// Reader is the address of the loaded key, "" if none.
func (v *Verifier) Reader() string {
	k := v.readerKey()
	if k == nil {
		return ""
	}
	return crypto.PubkeyToAddress(k.PublicKey).Hex()
}

func (v *Verifier) readerKey() *ecdsa.PrivateKey {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.reader
}

// domain is the chain's signing domain: its chain id and the numeric id
// proven in the consortium's parameters.
func (v *Verifier) domain(ctx context.Context) (auth.Domain, error) {
	v.mu.Lock()
	d := v.dom
	v.mu.Unlock()
	if d != nil {
		return *d, nil
	}
	p := new(consortiumv1.Params)
	if _, _, err := v.ReadProto(ctx, consortiumStore, consortiumParamsKey(), 0, p); err != nil {
		return auth.Domain{}, fmt.Errorf("the signing domain (consortium parameters): %w", err)
	}
	if p.ChainNumericId == 0 {
		return auth.Domain{}, errors.New("the proven consortium parameters have no numeric chain id")
	}
	d = &auth.Domain{ChainID: v.ChainID(), NumericID: p.ChainNumericId}
	v.mu.Lock()
	v.dom = d
	v.mu.Unlock()
	return *d, nil
}

// signRead wraps a query of a private store as a read signed by the
// loaded key; other queries, and every query with no key loaded, go as
// they are.
func (v *Verifier) signRead(ctx context.Context, storeName, path string, data []byte, height int64) (string, []byte, error) {
	return v.sign(ctx, privateStores[storeName], path, data, height, true)
}

// sign wraps a query as a read signed by the loaded key if private and a
// key is loaded.
func (v *Verifier) sign(ctx context.Context, private bool, path string, data []byte, height int64, prove bool) (string, []byte, error) {
	key := v.readerKey()
	if key == nil || !private {
		return path, data, nil
	}
	d, err := v.domain(ctx)
	if err != nil {
		return "", nil, err
	}
	r := auth.Read{Path: path, Data: data, Height: height, Prove: prove, ValidUntil: time.Now().Add(readValidFor).Unix()}
	sig, err := r.Sign(d, key)
	if err != nil {
		return "", nil, fmt.Errorf("signing the read of %s: %w", path, err)
	}
	b, err := proto.Marshal(&authv1.ReadRequest{Data: data, ValidUntil: r.ValidUntil, Signature: sig})
	if err != nil {
		return "", nil, err
	}
	return pathRead + path, b, nil
}

// addressOf parses a 0x address.
func addressOf(s string) (common.Address, error) {
	if !common.IsHexAddress(s) {
		return common.Address{}, fmt.Errorf("%q is not a 0x address of 20 bytes", s)
	}
	return common.HexToAddress(s), nil
}
