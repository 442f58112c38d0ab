package node

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
)

// ProductionRPC sets the RPC settings a bank's node runs with (ledgerd init
// writes them; docs/operations.md, "RPC settings for production"): RPC on
// the loopback interface only (a TLS reverse proxy, or the bank's own
// network, exposes it), unsafe routes off, no CORS, gRPC and pprof off, and
// explicit caps on connections, request sizes, batches and subscriptions.
func ProductionRPC(c *cmtcfg.RPCConfig) {
	c.ListenAddress = "tcp://127.0.0.1:26657"
	c.Unsafe = false
	c.CORSAllowedOrigins = []string{}
	c.GRPCListenAddress = ""
	c.PprofListenAddress = ""
	c.MaxOpenConnections = 900
	c.MaxSubscriptionClients = 100
	c.MaxSubscriptionsPerClient = 5
	c.MaxRequestBatchSize = 10
	c.MaxBodyBytes = 1_000_000
	c.MaxHeaderBytes = 1 << 20
	c.TimeoutBroadcastTxCommit = 10 * time.Second
}

// RPCWarnings lists what in c departs from ProductionRPC in a way that
// exposes the node: the node logs each at start.
func RPCWarnings(c *cmtcfg.RPCConfig) []string {
	var out []string
	if c.Unsafe {
		out = append(out, "rpc.unsafe = true: anyone reaching the RPC can dial peers and flush the mempool; turn it off")
	}
	if slices.Contains(c.CORSAllowedOrigins, "*") {
		out = append(out, `rpc.cors_allowed_origins contains "*": any web page can call this node from a visitor's browser`)
	}
	if addr := c.ListenAddress; addr != "" && !loopback(addr) {
		out = append(out, fmt.Sprintf("rpc.laddr %s listens beyond this machine: put a TLS proxy with access control in front, or listen on 127.0.0.1", addr))
	}
	if c.PprofListenAddress != "" && !loopback(c.PprofListenAddress) {
		out = append(out, fmt.Sprintf("rpc.pprof_laddr %s listens beyond this machine", c.PprofListenAddress))
	}
	if c.MaxOpenConnections <= 0 {
		out = append(out, "rpc.max_open_connections = 0: no limit on RPC connections")
	}
	if c.MaxBodyBytes <= 0 || c.MaxBodyBytes > 10_000_000 {
		out = append(out, fmt.Sprintf("rpc.max_body_bytes = %d: request bodies are not usefully capped (1000000 fits any transaction)", c.MaxBodyBytes))
	}
	return out
}

// loopback reports whether a listen address ("tcp://127.0.0.1:26657",
// "localhost:6060", "unix://...") is reachable from this machine only.
func loopback(addr string) bool {
	if u, err := url.Parse(addr); err == nil && u.Scheme == "unix" {
		return true
	}
	if u, err := url.Parse(addr); err == nil && u.Host != "" {
		addr = u.Host
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
