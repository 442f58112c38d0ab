package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/testnet"
)

func newTestnetCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "testnet", Short: "Generate and run a multi-bank network on one machine"}
	var (
		o      testnet.GenOptions
		docker bool
		d      testnet.DockerOptions
	)
	initCmd := &cobra.Command{
		Use:   "init --validators N [--full-nodes M] --output DIR [--docker]",
		Short: "Write one home per node, one genesis with N member banks and an auditor, and their keys",
		Long: `Write one home per node, one genesis with N member banks and an auditor, and their keys.

With --docker, the network is laid out for containers on a private bridge
network: node i has the address .10+i of --subnet, listens on 26656 (p2p),
26657 (RPC) and 26660 (Prometheus) in its container, and publishes RPC and
Prometheus on 127.0.0.1 at base+10i+1 and +2. DIR/docker-compose.yml runs the
image ledgerd:latest (make docker-image) with DIR/nodeI mounted at /ledgerd.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if docker {
				o.Docker = &d
			}
			if err := os.MkdirAll(o.Dir, 0o755); err != nil {
				return err
			}
			// Development networks only: the passphrase sits next to the keys.
			passFile := filepath.Join(o.Dir, "passphrase")
			o.Passphrase, o.LightScrypt = "localnet-passphrase", true
			if err := os.WriteFile(passFile, []byte(o.Passphrase+"\n"), 0o600); err != nil {
				return err
			}
			net, err := testnet.Generate(o)
			if err != nil {
				return err
			}
			return printResult(cmd, net, func(w io.Writer) {
				fmt.Fprintf(w, "network %s in %s (keys in %s/keyring, passphrase file %s)\n", net.ChainID, o.Dir, o.Dir, passFile)
				for _, n := range net.Nodes {
					role := "full node"
					if n.Validator {
						role = "validator"
					}
					p2p := fmt.Sprint(n.P2PPort)
					if n.IP != "" {
						p2p = fmt.Sprintf("%s:%d", n.IP, n.P2PPort)
					}
					fmt.Fprintf(w, "  %-6s %-9s of %-8s rpc %s  p2p %s  id %s\n", n.Name, role, n.Member, n.RPC, p2p, n.ID)
				}
				if net.Docker != nil {
					fmt.Fprintf(w, "docker network %s, containers %s; start with:\n  docker-compose -f %s up -d\n",
						net.Docker.NetworkName(), net.Docker.ContainerName("nodeI"), filepath.Join(o.Dir, testnet.ComposeFile))
				}
			})
		},
	}
	f := initCmd.Flags()
	f.IntVar(&o.Validators, "validators", 4, "member banks, one validator each")
	f.IntVar(&o.FullNodes, "full-nodes", 0, "non-validating nodes, assigned to the banks in turn")
	f.BoolVar(&o.FullNodeMembers, "full-node-members", false, "make each full node the node of a bank of its own (an issuer without a validator), which governance can vote in as a validator")
	f.StringVar(&o.Dir, "output", "", "directory for the network (required)")
	f.StringVar(&o.ChainID, "chain-id", "ledgerd-localnet", "chain id")
	f.StringVar(&o.Host, "host", "127.0.0.1", "address the nodes listen on and dial")
	f.IntVar(&o.BasePort, "base-port", 26600, "node i uses ports base+10i (p2p), +1 (rpc), +2 (metrics)")
	f.DurationVar(&o.BlockInterval, "block-interval", 500*time.Millisecond, "CometBFT timeout_commit")
	f.StringVar(&o.Mempool, "mempool", "flood", `who keeps each node's mempool: "flood" (CometBFT) or "app" (ledgerd; see docs/operations.md)`)
	f.BoolVar(&docker, "docker", false, "lay the network out for containers and write DIR/docker-compose.yml")
	f.StringVar(&d.Subnet, "subnet", "172.28.0.0/24", "with --docker: the bridge network's subnet; node i gets its address .10+i")
	f.StringVar(&d.Project, "name", "", "with --docker: compose project name, prefix of the network and container names (default: DIR's base name)")
	f.StringVar(&d.Image, "image", "ledgerd:latest", "with --docker: the image the containers run")
	_ = initCmd.MarkFlagRequired("output")

	start := &cobra.Command{
		Use: "start DIR", Short: "Start every node of a generated network as a background process", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if net, err := testnet.LoadNetwork(args[0]); err == nil && net.Docker != nil {
				return fmt.Errorf("%s is a network of containers: start it with docker-compose -f %s up -d",
					args[0], filepath.Join(args[0], testnet.ComposeFile))
			}
			self, err := os.Executable()
			if err != nil {
				return err
			}
			started, err := testnet.StartAll(self, args[0])
			if err != nil {
				return err
			}
			for _, s := range started {
				fmt.Fprintf(cmd.OutOrStdout(), "started %s\n", s)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "logs: %s/node*/node.log; stop with: ledgerd testnet stop %s\n", args[0], args[0])
			return nil
		},
	}
	stop := &cobra.Command{
		Use: "stop DIR", Short: "Stop the nodes 'testnet start' started (SIGTERM, clean shutdown)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := testnet.StopAll(args[0]); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "stopped")
			return nil
		},
	}
	cmd.AddCommand(initCmd, start, stop, newTestnetLoadCmd())
	return cmd
}
