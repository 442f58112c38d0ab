package collect_test

import (
	"bytes"
	"crypto/ecdsa"
	"testing"
	"time"

	ics23 "github.com/cosmos/ics23/go"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/index"
)

// provenWalk walks [start, end) of the collect store as a client's proven
// range walk does (client.VerifiedRange: a probe at start, then after each
// key k a probe at k+0x00, each proven present, or absent with the keys on
// either side), signed by reader. It fails the test on a refused probe and
// returns the entries found and every key any proof showed.
func (c *chain) provenWalk(reader *ecdsa.PrivateKey, start, end []byte) (found, shown [][]byte) {
	c.t.Helper()
	probe := bytes.Clone(start)
	for {
		res := c.h.SignedQuery(reader, "/store/collect/key", probe, 0, true)
		if res.Code != 0 {
			c.t.Fatalf("probe %X refused: %s/%d %s", probe, res.Codespace, res.Code, res.Log)
		}
		p := new(ics23.CommitmentProof)
		if res.ProofOps == nil || len(res.ProofOps.Ops) == 0 || p.Unmarshal(res.ProofOps.Ops[0].Data) != nil {
			c.t.Fatalf("probe %X: no store proof", probe)
		}
		var next []byte
		if e := p.GetExist(); e != nil {
			shown = append(shown, e.Key)
			next = e.Key
		} else if n := p.GetNonexist(); n != nil {
			if n.Left != nil {
				shown = append(shown, n.Left.Key)
			}
			if n.Right != nil {
				shown = append(shown, n.Right.Key)
				next = n.Right.Key
			}
		}
		if next == nil || bytes.Compare(next, end) >= 0 {
			return found, shown
		}
		found = append(found, next)
		probe = append(bytes.Clone(next), 0)
	}
}

// TestProvenListingBesideAnotherBorrower: two borrowers with a case and a
// permit each, the second's index keys right after the first's. Each
// borrower walks their own cases and permits with proofs, as
// `ledgerd query collect cases|permits --prove --as` does: no probe is
// refused, the walk finds exactly their own entries, and no proof shows a
// key outside their own bracketed range (nothing of the other borrower's,
// key or value).
func TestProvenListingBesideAnotherBorrower(t *testing.T) {
	c := newChain(t)
	other := c.h.WalletKey(2)
	c.openLoan()
	c.openLoanOf(other, 2, "other subject")
	c.block(noon(2025, 2, 14))
	for _, loan := range []uint64{1, 2} {
		k := c.caseOf(loan)
		c.ok(noon(2025, 2, 14).Add(time.Minute), c.lender, &collectv1.MsgRequestPermit{Case: k.Id, Channel: call})
	}
	for _, who := range []*ecdsa.PrivateKey{c.borrower, other} {
		b := addr(who).Bytes()
		for _, rng := range []index.Range{index.Of(collect.BorrowerCasesPrefix(b)), collect.PermitRange(b, call)} {
			found, shown := c.provenWalk(who, rng.Open(), rng.Close())
			if len(found) != 2 || !rng.IsMark(found[0]) { // the opening mark, and the one entry
				t.Fatalf("%X walks %X: found %X, want its opening mark and one entry", b, rng.Prefix, found)
			}
			for _, k := range shown {
				if !bytes.HasPrefix(k, rng.Prefix) {
					t.Fatalf("%X's walk of %X showed %X, outside its range", b, rng.Prefix, k)
				}
			}
		}
		cases := c.h.SignedQuery(who, "/collect/cases/borrower/"+addr(who).Hex(), nil, 0, false)
		if cases.Code != 0 {
			t.Fatalf("cases of %X: %s", b, cases.Log)
		}
	}
}
