package app_test

import (
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/app/apptest"
	"github.com/ledgerd/ledgerd/node/appstate"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
	"github.com/ledgerd/ledgerd/store/commitinfo"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/gov"
)

// TestGovQueries: the governance query paths answer from committed state,
// at any kept height, and every record they list is provable by its key.
func TestGovQueries(t *testing.T) {
	c := newGovChain(t, apptest.Options{})
	auditorRoles := setRoles(apptest.Auditor, consortiumv1.Role_ROLE_AUDITOR, consortiumv1.Role_ROLE_REGULATOR)
	// 1 executed, 2 in voting with three different votes, 3 in voting.
	c.mustBlock(apptest.Issuer, c.propose(auditorRoles))
	c.mustBlock(apptest.Issuer, vote(1, yes), apptest.OtherIssuer, vote(1, yes), apptest.Auditor, vote(1, yes))
	beforeTwo := c.h.Height()
	c.mustBlock(apptest.Issuer, c.propose(setRoles(apptest.Regulator, consortiumv1.Role_ROLE_AUDITOR, consortiumv1.Role_ROLE_REGULATOR)))
	c.mustBlock(apptest.Regulator, vote(2, yes), apptest.Auditor, vote(2, abstain), apptest.OtherIssuer, vote(2, no))
	c.mustBlock(apptest.Issuer, c.propose(setRoles(apptest.OtherIssuer, consortiumv1.Role_ROLE_ISSUER, consortiumv1.Role_ROLE_LENDER)))

	proposals := func(path string, height int64) []uint64 {
		t.Helper()
		r := c.h.Query(path, nil, height, false)
		wantQuery(t, r, ok)
		out := new(govv1.Proposals)
		if err := proto.Unmarshal(r.Value, out); err != nil {
			t.Fatal(err)
		}
		var ids []uint64
		for _, p := range out.Proposals {
			ids = append(ids, p.Id)
		}
		return ids
	}
	for _, tc := range []struct {
		path   string
		height int64
		want   []uint64
	}{
		{"/gov/proposals", 0, []uint64{1, 2, 3}},
		{"/gov/proposals/voting", 0, []uint64{2, 3}},
		{"/gov/proposals/executed", 0, []uint64{1}},
		{"/gov/proposals/failed", 0, nil},
		{"/gov/proposals/after/1", 0, []uint64{2, 3}},
		{"/gov/proposals/voting/after/2", 0, []uint64{3}},
		{"/gov/proposals/after/3", 0, nil},
		{"/gov/proposals/after/18446744073709551615", 0, nil},
		{"/gov/proposals", beforeTwo, []uint64{1}},
		{gov.ProposalsPath(govv1.ProposalStatus_PROPOSAL_STATUS_VOTING, 2), 0, []uint64{3}},
	} {
		if got := proposals(tc.path, tc.height); !slices.Equal(got, tc.want) {
			t.Errorf("%s at %d = %v, want %v", tc.path, tc.height, got, tc.want)
		}
	}

	r := c.h.Query(gov.VotesPath(2), nil, 0, false)
	wantQuery(t, r, ok)
	votes := new(govv1.Votes)
	if err := proto.Unmarshal(r.Value, votes); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range votes.Votes {
		got = append(got, v.MemberId+"="+gov.OptionName(v.Option))
	}
	if want := []string{"auditor=abstain", "other-bank=no", "regulator=yes"}; !slices.Equal(got, want) {
		t.Fatalf("votes on 2: %v, want %v", got, want)
	}

	r = c.h.Query(gov.TallyPath(2), nil, 0, false)
	wantQuery(t, r, ok)
	tally := new(govv1.Tally)
	if err := proto.Unmarshal(r.Value, tally); err != nil {
		t.Fatal(err)
	}
	want := gov.TallyOf(consortium.NewView(c.reader(consortium.StoreName)), gov.NewView(c.reader(gov.StoreName)), c.proposal(2))
	if !proto.Equal(tally, want) || tally.Yes != 1 || tally.No != 1 || tally.Abstain != 1 || tally.Eligible != 4 || tally.Needed != 3 {
		t.Fatalf("tally of 2: %v, want %v", tally, want)
	}

	for _, tc := range []struct {
		path string
		want *errcode.Error
	}{
		{"/gov/proposals/open", app.ErrInvalidRequest},
		{"/gov/proposals/after/x", app.ErrInvalidRequest},
		{"/gov/proposals/voting/extra", app.ErrInvalidRequest},
		{"/gov/proposals/voting/after/1/2", app.ErrInvalidRequest},
		{"/gov/votes/x", app.ErrInvalidRequest},
		{"/gov/tally/0", app.ErrInvalidRequest},
		{"/gov/votes/9", gov.ErrProposalNotFound},
		{"/gov/tally/9", gov.ErrProposalNotFound},
		{"/gov/params/x", app.ErrUnknownQuery},
	} {
		wantQuery(t, c.h.Query(tc.path, nil, 0, false), tc.want)
	}
	params := new(govv1.Params)
	if r := c.h.Query("/gov/params", nil, 0, false); r.Code != 0 || proto.Unmarshal(r.Value, params) != nil || !proto.Equal(params, gov.DefaultParams()) {
		t.Fatalf("/gov/params = %v", r)
	}

	// Each listed record is the one proven under its key.
	for key, value := range map[string][]byte{
		string(gov.ProposalKey(2)):              marshal(t, c.proposal(2)),
		string(gov.VoteKey(2, apptest.Auditor)): marshal(t, votes.Votes[0]),
	} {
		r := c.h.Query(app.QueryStorePrefix+gov.StoreName+"/key", []byte(key), 0, true)
		wantQuery(t, r, ok)
		if err := commitinfo.VerifyValue(c.h.AppHash(), gov.StoreName, []byte(key), value, r.ProofOps.Ops); err != nil {
			t.Fatalf("key %x: %v", key, err)
		}
	}
}

// TestGovQueryPages: a list holds at most gov.MaxPage proposals; the next
// page starts after the last id.
func TestGovQueryPages(t *testing.T) {
	c := newGovChain(t, apptest.Options{EditGenesis: func(g *appstate.State) {
		g.Gov = &gov.Genesis{MaxOpenProposals: gov.MaxPage + 10}
	}})
	var txs []any
	for range gov.MaxPage + 1 {
		txs = append(txs, apptest.Issuer, c.propose(setRoles(apptest.Auditor, consortiumv1.Role_ROLE_AUDITOR)))
	}
	c.mustBlock(txs...)
	page := func(after uint64) *govv1.Proposals {
		r := c.h.Query(gov.ProposalsPath(0, after), nil, 0, false)
		wantQuery(t, r, ok)
		out := new(govv1.Proposals)
		if err := proto.Unmarshal(r.Value, out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := page(0)
	if n := len(first.Proposals); n != gov.MaxPage || first.Proposals[n-1].Id != gov.MaxPage {
		t.Fatalf("first page: %d proposals", n)
	}
	if next := page(gov.MaxPage); len(next.Proposals) != 1 || next.Proposals[0].Id != gov.MaxPage+1 {
		t.Fatalf("second page: %v", next.Proposals)
	}
}
