package auth

import (
	"encoding/json"
	"testing"

	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
)

// BenchmarkSigningDigest measures the EIP-712 digest of the golden bodies,
// one sub-benchmark per kind, against go-ethereum's apitypes (the
// reference, which re-derives the types from the JSON document each time).
func BenchmarkSigningDigest(b *testing.B) {
	for _, c := range goldenBodies() {
		switch c.name {
		case "transfer", "batch-transfer", "set-limits", "propose-add-member":
		default:
			continue
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Digest(goldenDomain, c.body, authv1.SignMode_SIGN_MODE_EIP712); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	for _, c := range goldenBodies() {
		if c.name != "transfer" {
			continue
		}
		td, err := NewTypedData(goldenDomain, c.body)
		if err != nil {
			b.Fatal(err)
		}
		doc, err := td.JSON()
		if err != nil {
			b.Fatal(err)
		}
		b.Run("transfer-apitypes", func(b *testing.B) {
			for b.Loop() {
				var ref apitypes.TypedData
				if err := json.Unmarshal(doc, &ref); err != nil {
					b.Fatal(err)
				}
				if _, _, err := apitypes.TypedDataAndHash(ref); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
