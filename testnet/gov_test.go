package testnet

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/keys"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	govv1 "github.com/ledgerd/ledgerd/proto/ledgerd/gov/v1"
)

// TestGovernanceNetwork runs three validators and the full node of a
// fourth bank. The banks vote the fourth bank's node in as a validator, and
// it signs blocks; then they vote the third bank out, and its node, once
// restarted, can no longer connect to any member's node.
func TestGovernanceNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four node processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	bin := testBinary(ctx, t)
	base, err := FreeBase(40)
	if err != nil {
		t.Fatal(err)
	}
	netDir := filepath.Join(dir, "net")
	net, err := Generate(GenOptions{Dir: netDir, Validators: 3, FullNodes: 1, FullNodeMembers: true, BasePort: base,
		Passphrase: "localnet", LightScrypt: true, BlockInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	procs := make([]*Process, len(net.Nodes))
	for i, n := range net.Nodes {
		procs[i] = &Process{NodeName: n.Name, Bin: bin, Home: n.Home, RPCPort: n.RPCPort, P2PPort: n.P2PPort, Args: []string{"--log_level", "error"}}
		if err := procs[i].Start(); err != nil {
			t.Fatal(err)
		}
		defer procs[i].Stop()
	}
	for _, p := range procs {
		if err := p.WaitForHeight(ctx, 3); err != nil {
			t.Fatal(err)
		}
	}
	kr, err := keys.Open(filepath.Join(netDir, "keyring"), keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	operator := map[string]*ecdsa.PrivateKey{}
	for _, id := range []string{"bank-1", "bank-2", "bank-3", "bank-4", "auditor"} {
		if operator[id], err = kr.Key(id, "localnet"); err != nil {
			t.Fatal(err)
		}
	}
	c, err := client.New(procs[0].RPC(), client.WithTrustDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	submit := func(member string, msg client.Msg) *client.TxResult {
		t.Helper()
		res, err := c.Submit(ctx, operator[member], msg, client.TxOptions{Timeout: 30 * time.Second}, true)
		if err != nil {
			t.Fatalf("%s: %T: %v", member, msg, err)
		}
		return res
	}
	doc := sha256.Sum256([]byte("consortium agreement"))
	propose := func(a *govv1.Action) uint64 {
		t.Helper()
		latest, err := c.RPC().Block(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		res := submit("bank-1", &govv1.MsgSubmitProposal{Title: "change", DocumentHash: doc[:],
			VotingEnd: latest.Block.Time.Unix() + 2*3600, Action: a})
		for _, e := range res.Events {
			for _, attr := range e.Attributes {
				if e.Type == "gov_proposal" && attr.Key == "id" {
					var id uint64
					fmt.Sscan(attr.Value, &id)
					return id
				}
			}
		}
		t.Fatalf("no gov_proposal event in %v", res.Events)
		return 0
	}

	// Vote bank-4's node in: five members (4 banks and the auditor), 4 yes.
	node3 := net.Nodes[3]
	key, err := base64.StdEncoding.DecodeString(node3.ValidatorKey)
	if err != nil {
		t.Fatal(err)
	}
	id := propose(&govv1.Action{Kind: &govv1.Action_SetValidator{SetValidator: &govv1.SetValidator{
		MemberId: node3.Member, PubKey: key, Power: 10}}})
	var votedAt int64
	for _, m := range []string{"bank-1", "bank-2", "bank-3", "bank-4"} {
		votedAt = submit(m, &govv1.MsgVote{ProposalId: id, Option: govv1.VoteOption_VOTE_OPTION_YES}).Height
	}
	addr := ed25519.PubKey(key).Address()
	waitForSignature(ctx, t, c.RPC(), addr, votedAt+2, true)
	t.Logf("proposal %d executed at height %d; %s (%s) signs blocks from height %d on", id, votedAt, node3.Name, node3.Member, votedAt+2)

	// Vote bank-3 out. Its validator leaves the set, and each remaining
	// bank then holds a third of the power: the proposal says it accepts
	// that.
	removed := net.Nodes[2]
	id = propose(&govv1.Action{Kind: &govv1.Action_SetMemberStatus{SetMemberStatus: &govv1.SetMemberStatus{
		MemberId: removed.Member, Status: consortiumv1.MemberStatus_MEMBER_STATUS_REMOVED, AllowConcentration: true}}})
	for _, m := range []string{"bank-1", "bank-2", "bank-4", "auditor"} {
		votedAt = submit(m, &govv1.MsgVote{ProposalId: id, Option: govv1.VoteOption_VOTE_OPTION_YES}).Height
	}
	removedKey, _ := base64.StdEncoding.DecodeString(removed.ValidatorKey)
	waitForSignature(ctx, t, c.RPC(), ed25519.PubKey(removedKey).Address(), votedAt+3, false)

	// Its node, restarted, is refused by every member's node.
	if err := procs[2].Stop(); err != nil {
		t.Fatal(err)
	}
	if err := procs[2].Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(8 * time.Second)
	for i, p := range procs {
		if i == 2 {
			continue
		}
		rc, err := rpchttp.New(p.RPC(), "/websocket")
		if err != nil {
			t.Fatal(err)
		}
		info, err := rc.NetInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, peer := range info.Peers {
			if string(peer.NodeInfo.ID()) == removed.ID {
				t.Errorf("%s admitted the removed member's node %s", p.Name(), removed.ID)
			}
		}
	}
	// It keeps dialing its persistent peers, so a connection may show on
	// its side for the milliseconds before the member's node refuses it;
	// none may last.
	rc, err := rpchttp.New(procs[2].RPC(), "/websocket")
	if err != nil {
		t.Fatal(err)
	}
	for range 6 {
		info, err := rc.NetInfo(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, peer := range info.Peers {
			if age := peer.ConnectionStatus.Duration; age > time.Second {
				t.Fatalf("removed member's node has held a connection to %s (%s) for %v", peer.NodeInfo.Moniker, peer.NodeInfo.ID(), age)
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("proposal %d executed at height %d: %s's node, restarted, holds no peer", id, votedAt, removed.Member)
	// The network goes on without it.
	h, err := c.LatestHeight(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := procs[0].WaitForHeight(ctx, h+3); err != nil {
		t.Fatal(err)
	}
}

// waitForSignature waits until the commit of some height >= from carries
// (want) or lacks (!want) a signature of validator addr.
func waitForSignature(ctx context.Context, t *testing.T, rpc *rpchttp.HTTP, addr []byte, from int64, want bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for h := from; ; {
		c, err := rpc.Commit(ctx, &h)
		if err == nil {
			signed := false
			for _, sig := range c.Commit.Signatures {
				signed = signed || (sig.BlockIDFlag == cmttypes.BlockIDFlagCommit && bytes.Equal(sig.ValidatorAddress, addr))
			}
			if signed == want {
				return
			}
			h++
		}
		if time.Now().After(deadline) {
			verb := "signed"
			if !want {
				verb = "stopped signing"
			}
			t.Fatalf("validator %X never %s a commit from height %d on (last error %v)", addr, verb, from, err)
		}
		if err != nil && !strings.Contains(err.Error(), "must be less than or equal") {
			t.Logf("commit %d: %v", h, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
