// Package verifier is the auditor console's verification, compiled to
// WebAssembly and run in the browser (client/console/wasm), and natively
// in tests. It reads a node's RPC (directly or through the console's
// relay, which it does not trust) and proves every figure it returns:
// headers with CometBFT's light-client rules from a root of trust
// (Light), store values with the ICS23 proofs of package
// store/commitinfo (Read), histories with the accumulator check of package
// x/history.
//
// It is package client's verification without package client: that one
// reaches CometBFT's RPC client, which pulls in goleveldb, which does not
// build for js/wasm. The proof and history checks are the same functions;
// the header checks are CometBFT's (types.VerifyCommitLight and
// VerifyCommitLightTrusting, as light.VerifyAdjacent and VerifyNonAdjacent
// call them). Computed answers are the modules' own: the credit and case
// pages run x/credit's and x/collect's query code over proven reads
// (provenStores, package client/provenreads), as the CLI's --prove does.
//
// Each view (WalletView, NetworkView, BlockView, ...) is plain data for the
// page: a value with a Mark, or a section whose Error says why it is not
// verified.
package verifier

import (
	"context"
	"crypto/ecdsa"
	"sync"
	"time"

	"github.com/ledgerd/ledgerd/x/auth"
)

// Verifier reads and proves through one node. Safe for concurrent use.
type Verifier struct {
	rpc   *RPC
	light *Light

	mu     sync.Mutex
	last   *verifiedHistory  // the history Wallet verified last
	reader *ecdsa.PrivateKey // signs reads of private stores (SetReader)
	dom    *auth.Domain      // the signing domain, once proven
}

// New connects to the node's RPC at base and establishes the root of trust
// (see NewLight). now is the clock headers are checked against.
func New(ctx context.Context, base string, trustHeight int64, trustHash []byte, now func() time.Time) (*Verifier, error) {
	rpc := &RPC{Base: base}
	l, err := NewLight(ctx, rpc, trustHeight, trustHash, now)
	if err != nil {
		return nil, err
	}
	return &Verifier{rpc: rpc, light: l}, nil
}

// Root is the root of trust.
func (v *Verifier) Root() Root { return v.light.Root() }

// ChainID is the chain's id.
func (v *Verifier) ChainID() string { return v.light.ChainID() }
