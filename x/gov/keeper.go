package gov

import (
	"encoding/binary"
	"slices"

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

// Queue returns the work queue.
func (v View) Queue() *govv1.Queue {
	q := new(govv1.Queue)
	store.GetProto(v.r, QueueKey(), q)
	return q
}

// LastID returns the last proposal id (0 before the first).
func (v View) LastID() uint64 {
	b := v.r.Get(LastIDKey())
	if len(b) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(b)
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

// SetQueue stores q.
func (k Keeper) SetQueue(q *govv1.Queue) { store.SetProto(k.kv, QueueKey(), q) }

// nextID allocates the next proposal id.
func (k Keeper) nextID() uint64 {
	id := k.LastID() + 1
	k.kv.Set(LastIDKey(), binary.BigEndian.AppendUint64(nil, id))
	return id
}

// markVoted adds id to the proposals voted on in this block.
func (k Keeper) markVoted(id uint64) {
	q := k.Queue()
	if i, found := slices.BinarySearch(q.Voted, id); !found {
		q.Voted = slices.Insert(q.Voted, i, id)
		k.SetQueue(q)
	}
}

// InitGenesis stores the parameters.
func (k Keeper) InitGenesis(p *govv1.Params) { k.SetParams(proto.Clone(p).(*govv1.Params)) }
