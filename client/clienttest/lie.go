package clienttest

import (
	"bytes"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"
)

// EditNextKey edits, in an answer that proves a key absent, the proof of
// the key after it (the right neighbour, which VerifiedRange walks to) with
// edit, when that key is key: a lie for SetTamper. Other answers are left
// alone.
func EditNextKey(q *abci.ResponseQuery, key []byte, edit func(next *ics23.ExistenceProof)) {
	if q.ProofOps == nil || len(q.ProofOps.Ops) == 0 {
		return
	}
	p := new(ics23.CommitmentProof)
	if p.Unmarshal(q.ProofOps.Ops[0].Data) != nil || p.GetNonexist() == nil || p.GetNonexist().Right == nil ||
		!bytes.Equal(p.GetNonexist().Right.Key, key) {
		return
	}
	edit(p.GetNonexist().Right)
	b, err := p.Marshal()
	if err != nil {
		panic(err)
	}
	q.ProofOps.Ops[0].Data = b
}
