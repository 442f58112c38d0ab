package node

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// StateSyncOptions is how a new node joins by state sync: CometBFT's
// [statesync] settings in config.toml.
type StateSyncOptions struct {
	// RPCServers are two or more RPC addresses of the network's nodes
	// (tcp://host:26657): the light client checks headers against them.
	RPCServers []string
	// TrustHeight and TrustHash are the root of trust, a block the
	// operator knows is the network's (from another member, out of band);
	// zero and empty take the newest block RPCServers agree on, trusting
	// those servers for it.
	TrustHeight int64
	TrustHash   string
	// TrustPeriod bounds how old the trusted block may be; 0 keeps
	// CometBFT's default (168h). It must stay under the network's
	// unbonding period.
	TrustPeriod time.Duration
}

// StateSyncResult is what ConfigureStateSync wrote.
type StateSyncResult struct {
	RPCServers  []string `json:"rpc_servers"`
	TrustHeight int64    `json:"trust_height"`
	TrustHash   string   `json:"trust_hash"`
	TrustPeriod string   `json:"trust_period"`
}

// ConfigureStateSync turns on state sync in home's config.toml. Without a
// trust height and hash it asks every RPC server for the block of the
// lowest latest height among them and requires the same hash from all.
// The node must not have state yet: state sync only runs on an empty node.
func ConfigureStateSync(ctx context.Context, home string, o StateSyncOptions) (*StateSyncResult, error) {
	if len(o.RPCServers) < 2 {
		return nil, errors.New("statesync: give at least two RPC servers (CometBFT's light client wants a primary and a witness); the same one twice will do for a network of one")
	}
	cfg, err := LoadCometConfig(home)
	if err != nil {
		return nil, err
	}
	if (o.TrustHeight == 0) != (o.TrustHash == "") {
		return nil, errors.New("statesync: give both a trust height and a trust hash, or neither")
	}
	if o.TrustHeight == 0 {
		if o.TrustHeight, o.TrustHash, err = agreedBlock(ctx, o.RPCServers); err != nil {
			return nil, err
		}
	}
	if _, err := hex.DecodeString(o.TrustHash); err != nil || len(o.TrustHash) != 64 {
		return nil, fmt.Errorf("statesync: trust hash %q: want 64 hex digits", o.TrustHash)
	}
	cfg.StateSync.Enable = true
	cfg.StateSync.RPCServers = o.RPCServers
	cfg.StateSync.TrustHeight = o.TrustHeight
	cfg.StateSync.TrustHash = strings.ToUpper(o.TrustHash)
	if o.TrustPeriod > 0 {
		cfg.StateSync.TrustPeriod = o.TrustPeriod
	}
	if err := cfg.StateSync.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("statesync: %w", err)
	}
	cmtcfg.WriteConfigFile(filepath.Join(home, "config", "config.toml"), cfg)
	return &StateSyncResult{RPCServers: o.RPCServers, TrustHeight: o.TrustHeight, TrustHash: cfg.StateSync.TrustHash,
		TrustPeriod: cfg.StateSync.TrustPeriod.String()}, nil
}

// agreedBlock returns the height and hash of the newest block every server
// has, refusing if any two disagree on its hash.
func agreedBlock(ctx context.Context, servers []string) (int64, string, error) {
	clients := make([]*rpchttp.HTTP, len(servers))
	height := int64(0)
	for i, s := range servers {
		c, err := rpchttp.New(s, "/websocket")
		if err != nil {
			return 0, "", fmt.Errorf("statesync: %s: %w", s, err)
		}
		st, err := c.Status(ctx)
		if err != nil {
			return 0, "", fmt.Errorf("statesync: %s: %w", s, err)
		}
		if h := st.SyncInfo.LatestBlockHeight; i == 0 || h < height {
			height = h
		}
		clients[i] = c
	}
	if height < 1 {
		return 0, "", errors.New("statesync: the RPC servers have no blocks yet")
	}
	var hash []byte
	for i, c := range clients {
		b, err := c.Block(ctx, &height)
		if err != nil {
			return 0, "", fmt.Errorf("statesync: %s: block %d: %w", servers[i], height, err)
		}
		if i > 0 && !bytes.Equal(hash, b.BlockID.Hash) {
			return 0, "", fmt.Errorf("statesync: %s and %s disagree on block %d (%X, %X): do not join through them", servers[0], servers[i], height, hash, b.BlockID.Hash)
		}
		hash = b.BlockID.Hash
	}
	return height, hex.EncodeToString(hash), nil
}
