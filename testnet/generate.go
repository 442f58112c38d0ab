package testnet

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"

	"github.com/ledgerd/ledgerd/client/keys"
	"github.com/ledgerd/ledgerd/node"
	"github.com/ledgerd/ledgerd/node/appstate"
	"github.com/ledgerd/ledgerd/node/signer"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// GenOptions describes a network for Generate.
type GenOptions struct {
	// Dir receives one home per node (node0, node1, ...) and the shared
	// keyring of the members' operator keys.
	Dir string
	// Validators are member banks each running one validator; FullNodes
	// are extra non-validating nodes, assigned to the banks in turn.
	Validators, FullNodes int
	ChainID               string
	// Host is the address every node listens on and peers dial (127.0.0.1
	// for processes on one machine).
	Host string
	// BasePort: node i listens for P2P on BasePort+10i, RPC on +1,
	// Prometheus on +2.
	BasePort int
	// Passphrase encrypts the operator keys; LightScrypt for test networks.
	Passphrase  string
	LightScrypt bool
	// FullNodeMembers makes each full node the node of a member of its own,
	// bank-<V+1>, ... (an issuer without a validator), instead of another
	// node of the validating banks: a bank that joins as an observer and
	// may be voted in as a validator.
	FullNodeMembers bool
	// BlockInterval is CometBFT's timeout_commit (default 500ms).
	BlockInterval time.Duration
	// Mempool is "flood" (CometBFT keeps each node's mempool; the default
	// for "") or "app" (the app keeps it); see node.SetMempool.
	Mempool string
	// Docker, if set, lays the network out for containers instead of
	// processes (see DockerOptions); Host is then unused.
	Docker *DockerOptions
	// RemoteSigners lists validators (by node index) whose key lives in a
	// signer home, Dir/signerI, instead of the node's: the node listens
	// for its signer on BasePort+10i+3 (remote_signer.laddr), which a
	// `ledgerd signer --home Dir/signerI` process dials (SignerProcess).
	// Processes only.
	RemoteSigners []int
}

// NodeInfo is one generated node.
type NodeInfo struct {
	Name      string `json:"name"`
	Home      string `json:"home"`
	ID        string `json:"node_id"`
	Member    string `json:"member"`
	Validator bool   `json:"validator"`
	P2PPort   int    `json:"p2p_port"`
	RPCPort   int    `json:"rpc_port"`
	// ValidatorKey is the node's validator public key (base64 Ed25519),
	// also for nodes that do not validate yet.
	ValidatorKey string `json:"validator_key"`
	// RPC is the node's RPC address as tools on this machine reach it.
	RPC string `json:"rpc"`
	// IP is the node's fixed address on a docker network's bridge.
	IP string `json:"ip,omitempty"`
	// Signer is the remote signer holding the node's validator key, if
	// not the node (GenOptions.RemoteSigners).
	Signer *SignerInfo `json:"signer,omitempty"`
}

// SignerInfo is a validator's remote signer.
type SignerInfo struct {
	// Home is the signer's home; Addr the node's signer listen address,
	// which the signer dials.
	Home string `json:"home"`
	Addr string `json:"addr"`
}

// Network is what Generate wrote.
type Network struct {
	ChainID string     `json:"chain_id"`
	Nodes   []NodeInfo `json:"nodes"`
	// Operators maps member ids to their operator key's address; the keys
	// are in Dir/keyring under the member id.
	Operators map[string]string `json:"operators"`
	// Docker is how a docker network is laid out; nil for processes.
	Docker *DockerOptions `json:"docker,omitempty"`
}

// nodeAddrs is where a node listens, where its peers dial it, and where
// tools on this machine reach its RPC.
type nodeAddrs struct {
	p2pListen, rpcListen, metricsListen string
	// peer is the host:port its peers dial; external, if set, is the
	// address it advertises to them.
	peer, external string
	// ip, p2pPort, rpcPort and rpc are NodeInfo's.
	ip               string
	p2pPort, rpcPort int
	rpc              string
}

// nodeAddrs is node i's addressing: ports from BasePort+10i on Host, or in
// containers (Docker).
func (o GenOptions) nodeAddrs(i int) nodeAddrs {
	port := o.BasePort + 10*i
	if o.Docker != nil {
		return o.Docker.nodeAddrs(i, port)
	}
	return nodeAddrs{
		p2pListen:     fmt.Sprintf("tcp://%s:%d", o.Host, port),
		rpcListen:     fmt.Sprintf("tcp://%s:%d", o.Host, port+1),
		metricsListen: fmt.Sprintf("%s:%d", o.Host, port+2),
		peer:          fmt.Sprintf("%s:%d", o.Host, port),
		p2pPort:       port,
		rpcPort:       port + 1,
		rpc:           fmt.Sprintf("tcp://%s:%d", o.Host, port+1),
	}
}

// Generate writes a consortium network: N member banks ("bank-1" ...), each
// an issuer and lender with a validator and an operator key, one auditor
// member, M full nodes, persistent peers between all nodes, and one genesis.
// It refuses a Dir that already holds a network.
func Generate(o GenOptions) (*Network, error) {
	if o.Validators < 1 {
		return nil, fmt.Errorf("testnet: at least one validator")
	}
	if o.ChainID == "" {
		o.ChainID = "ledgerd-localnet"
	}
	if o.Host == "" {
		o.Host = "127.0.0.1"
	}
	if o.BasePort == 0 {
		o.BasePort = 26600
	}
	if o.BlockInterval == 0 {
		o.BlockInterval = 500 * time.Millisecond
	}
	if _, err := os.Stat(filepath.Join(o.Dir, "node0")); err == nil {
		return nil, fmt.Errorf("testnet: %s already holds a network", o.Dir)
	}
	for _, i := range o.RemoteSigners {
		switch {
		case o.Docker != nil:
			return nil, fmt.Errorf("testnet: remote signers run with process networks only")
		case i < 0 || i >= o.Validators:
			return nil, fmt.Errorf("testnet: remote signer for node%d, which is not a validator", i)
		}
	}
	if o.Docker != nil {
		d, err := o.Docker.resolve(o.Dir, o.Validators+o.FullNodes)
		if err != nil {
			return nil, err
		}
		o.Docker = d
	}
	kr, err := keys.Open(filepath.Join(o.Dir, "keyring"), keys.Options{LightScrypt: o.LightScrypt})
	if err != nil {
		return nil, err
	}
	net := &Network{ChainID: o.ChainID, Operators: map[string]string{}, Docker: o.Docker}
	total := o.Validators + o.FullNodes
	cfgs := make([]*cmtcfg.Config, total)
	members := make([]consortium.GenesisMember, o.Validators)
	for i := range total {
		home := filepath.Join(o.Dir, fmt.Sprintf("node%d", i))
		cfg := cmtcfg.DefaultConfig().SetRoot(home)
		cmtcfg.EnsureRoot(home)
		nodeKey, err := p2p.LoadOrGenNodeKey(cfg.NodeKeyFile())
		if err != nil {
			return nil, err
		}
		pv := privval.LoadOrGenFilePV(cfg.PrivValidatorKeyFile(), cfg.PrivValidatorStateFile())
		bank := i % o.Validators
		if o.FullNodeMembers && i >= o.Validators {
			bank = i
			members = append(members, consortium.GenesisMember{})
		}
		addrs := o.nodeAddrs(i)
		pub, err := pv.GetPubKey()
		if err != nil {
			return nil, err
		}
		info := NodeInfo{ValidatorKey: base64.StdEncoding.EncodeToString(pub.Bytes()), Name: fmt.Sprintf("node%d", i), Home: home, ID: string(nodeKey.ID()),
			Member: fmt.Sprintf("bank-%d", bank+1), Validator: i < o.Validators,
			P2PPort: addrs.p2pPort, RPCPort: addrs.rpcPort, RPC: addrs.rpc, IP: addrs.ip}
		if !info.Validator && o.FullNodeMembers {
			op, err := kr.Add(info.Member, o.Passphrase)
			if err != nil {
				return nil, err
			}
			net.Operators[info.Member] = op.Address.Hex()
			members[bank] = consortium.GenesisMember{ID: info.Member, Name: fmt.Sprintf("Bank %d", bank+1),
				Roles: []string{"issuer"}, Operators: []string{op.Address.Hex()}}
		}
		if info.Validator {
			op, err := kr.Add(info.Member, o.Passphrase)
			if err != nil {
				return nil, err
			}
			net.Operators[info.Member] = op.Address.Hex()
			members[bank] = consortium.GenesisMember{
				ID: info.Member, Name: fmt.Sprintf("Bank %d", bank+1), Roles: []string{"issuer", "lender"},
				Operators: []string{op.Address.Hex()},
				Validator: &consortium.GenesisValidator{PubKey: base64.StdEncoding.EncodeToString(pub.Bytes()), Power: 10},
			}
		}
		members[bank].NodeIDs = append(members[bank].NodeIDs, info.ID)
		cfg.Moniker = info.Name
		cfg.FilterPeers = true // only members' nodes are admitted as peers
		cfg.P2P.ListenAddress, cfg.P2P.ExternalAddress = addrs.p2pListen, addrs.external
		cfg.RPC.ListenAddress = addrs.rpcListen
		cfg.P2P.AddrBookStrict = false // peers on private or loopback addresses
		cfg.P2P.AllowDuplicateIP = true
		cfg.Consensus.TimeoutCommit = o.BlockInterval
		if err := node.SetMempool(cfg.Mempool, o.Mempool); err != nil {
			return nil, fmt.Errorf("testnet: %w", err)
		}
		cfg.Instrumentation.Prometheus = true
		cfg.Instrumentation.PrometheusListenAddr = addrs.metricsListen
		cfgs[i] = cfg
		net.Nodes = append(net.Nodes, info)
	}
	auditor, err := kr.Add("auditor", o.Passphrase)
	if err != nil {
		return nil, err
	}
	net.Operators["auditor"] = auditor.Address.Hex()
	members = append(members, consortium.GenesisMember{ID: "auditor", Name: "Audit Office", Roles: []string{"auditor"},
		Operators: []string{auditor.Address.Hex()}})
	amlGen := aml.DefaultGenesis()
	gen := &appstate.State{
		Consortium: consortium.Genesis{ChainNumericID: fmt.Sprint(node.DefaultNumericID(o.ChainID)), Members: members},
		Wallet:     wallet.DefaultGenesis(),
		AML:        &amlGen,
	}
	if err := node.ValidateAppState(gen, time.Now(), nil); err != nil {
		return nil, fmt.Errorf("testnet: generated genesis is invalid: %w", err)
	}
	// One genesis document, byte for byte, on every node.
	if err := node.WriteGenesis(cfgs[0].GenesisFile(), o.ChainID, gen); err != nil {
		return nil, err
	}
	genesis, err := os.ReadFile(cfgs[0].GenesisFile())
	if err != nil {
		return nil, err
	}
	for i, cfg := range cfgs {
		var peers []string
		for j, n := range net.Nodes {
			if j != i {
				peers = append(peers, n.ID+"@"+o.nodeAddrs(j).peer)
			}
		}
		cfg.P2P.PersistentPeers = strings.Join(peers, ",")
		cmtcfg.WriteConfigFile(filepath.Join(cfg.RootDir, "config", "config.toml"), cfg)
		nc := node.DefaultConfig()
		nc.Metrics.Listen = cfg.Instrumentation.PrometheusListenAddr
		if slices.Contains(o.RemoteSigners, i) {
			info := SignerInfo{Home: filepath.Join(o.Dir, fmt.Sprintf("signer%d", i)), Addr: fmt.Sprintf("tcp://%s:%d", o.Host, o.BasePort+10*i+3)}
			if _, err := signer.Init(signer.InitOptions{Home: info.Home, ChainID: o.ChainID, Addr: info.Addr,
				ImportKey: cfg.PrivValidatorKeyFile(), ImportState: cfg.PrivValidatorStateFile()}); err != nil {
				return nil, err
			}
			nc.RemoteSigner.Laddr = info.Addr
			net.Nodes[i].Signer = &info
		}
		if err := node.WriteConfig(cfg.RootDir, nc); err != nil {
			return nil, err
		}
		if err := os.WriteFile(cfg.GenesisFile(), genesis, 0o644); err != nil {
			return nil, err
		}
	}
	if o.Docker != nil {
		if err := writeCompose(o.Dir, o.Docker, o.BasePort, net); err != nil {
			return nil, err
		}
	}
	return net, net.Save(o.Dir)
}
