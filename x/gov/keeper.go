package gov

import (
	"encoding/binary"
	"fmt"

	"google.golang.org/protobuf/proto"

	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/store"
)

// View reads governance state.
type View struct{ r store.Reader }

// NewView returns a View over r, the gov store.
func NewView(r store.Reader) View { return View{r} }

// Params returns the parameters (the defaults before any are stored).
func (v View) Params() *govv1.Params {
	p := new(govv1.Params)
	if !store.GetProto(v.r, ParamsKey(), p) {
		return DefaultParams()
	}
	return p
}

// Proposal returns proposal id, or false.
func (v View) Proposal(id uint64) (*govv1.Proposal, bool) {
	p := new(govv1.Proposal)
	return p, store.GetProto(v.r, ProposalKey(id), p)
}

// Vote returns member's vote on proposal id, or false.
func (v View) Vote(id uint64, member string) (*govv1.Vote, bool) {
	vote := new(govv1.Vote)
	return vote, store.GetProto(v.r, VoteKey(id, member), vote)
}

// LastID returns the last proposal id (0 before the first).
func (v View) LastID() uint64 { return v.counter(LastIDKey()) }

// OpenCount returns the number of proposals in voting.
func (v View) OpenCount() uint64 { return v.counter(OpenCountKey()) }

func (v View) counter(key []byte) uint64 {
	b := v.r.Get(key)
	if b == nil {
		return 0
	}
	if len(b) != 8 {
		panic(fmt.Sprintf("gov: corrupted counter at %x: %d bytes", key, len(b)))
	}
	return binary.BigEndian.Uint64(b)
}

// Open returns the proposals in voting, in id order, with their voting
// ends: at most max_open_proposals.
func (v View) Open() []OpenProposal {
	var out []OpenProposal
	store.EachPrefix(v.r, OpenPrefix(), false, func(k, val []byte) bool {
		if len(k) != 9 || len(val) != 8 {
			panic(fmt.Sprintf("gov: corrupted open-proposal entry %x = %x", k, val))
		}
		out = append(out, OpenProposal{ID: binary.BigEndian.Uint64(k[1:]), VotingEnd: int64(binary.BigEndian.Uint64(val))})
		return true
	})
	return out
}

// OpenProposal is a proposal in voting and its deadline.
type OpenProposal struct {
	ID        uint64
	VotingEnd int64
}

// anyDue reports whether a proposal in voting has its deadline before now.
func (v View) anyDue(now int64) bool {
	_, _, ok := store.First(v.r, []byte{prefixDeadline}, deadlineKey(now, 0))
	return ok
}

// voted returns the proposals voted on in this block, in id order.
func (v View) voted() [][]byte {
	return store.Keys(v.r, []byte{prefixVoted}, []byte{prefixVoted + 1}, false, 0)
}

// Keeper reads and writes governance state.
type Keeper struct {
	View
	kv store.KV
}

// NewKeeper returns a Keeper over kv, the gov store.
func NewKeeper(kv store.KV) Keeper { return Keeper{View{kv}, kv} }

// SetParams stores p.
func (k Keeper) SetParams(p *govv1.Params) { store.SetProto(k.kv, ParamsKey(), p) }

// SetProposal stores p.
func (k Keeper) SetProposal(p *govv1.Proposal) { store.SetProto(k.kv, ProposalKey(p.Id), p) }

// SetVote stores v.
func (k Keeper) SetVote(v *govv1.Vote) { store.SetProto(k.kv, VoteKey(v.ProposalId, v.MemberId), v) }

// open records p as in voting until its voting end.
func (k Keeper) open(p *govv1.Proposal) {
	k.kv.Set(OpenKey(p.Id), binary.BigEndian.AppendUint64(nil, uint64(p.VotingEnd)))
	k.kv.Set(deadlineKey(p.VotingEnd, p.Id), indexValue)
	k.kv.Set(OpenCountKey(), binary.BigEndian.AppendUint64(nil, k.OpenCount()+1))
}

// close takes o out of voting.
func (k Keeper) close(o OpenProposal) {
	k.kv.Delete(OpenKey(o.ID))
	k.kv.Delete(deadlineKey(o.VotingEnd, o.ID))
	k.kv.Delete(votedKey(o.ID))
	n := k.OpenCount()
	if n == 0 {
		panic(fmt.Sprintf("gov: closing proposal %d with no proposal open: corrupted state", o.ID))
	}
	if n == 1 {
		k.kv.Delete(OpenCountKey())
	} else {
		k.kv.Set(OpenCountKey(), binary.BigEndian.AppendUint64(nil, n-1))
	}
}

// indexValue is the value of an index entry: one byte, since ICS23 cannot
// prove an empty value.
var indexValue = []byte{1}

// nextID allocates the next proposal id.
func (k Keeper) nextID() uint64 {
	id := k.LastID() + 1
	k.kv.Set(LastIDKey(), binary.BigEndian.AppendUint64(nil, id))
	return id
}

// markVoted adds id to the proposals voted on in this block.
func (k Keeper) markVoted(id uint64) { k.kv.Set(votedKey(id), indexValue) }

// InitGenesis stores the parameters.
func (k Keeper) InitGenesis(p *govv1.Params) { k.SetParams(proto.Clone(p).(*govv1.Params)) }
