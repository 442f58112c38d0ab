package main

import (
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/app"
	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/x/exec"
)

// newQueryAccountCmd is `query account ADDR`: the nonce account an address
// signs for, whatever its kind.
func newQueryAccountCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "account ADDR",
		Short: "The account ADDR signs for (wallet or operator): kind, nonce, pending nonce; --prove proves it",
		Long: `account answers what a client needs to sign ADDR's next transaction: the kind
of account it signs for (wallet or operator; a rotated or recovered wallet key
names its wallet), the committed nonce, the next nonce counting this node's
mempool (the node's word), the signing domain, or why ADDR may not sign. It is
the ABCI query path /auth/account/<0x address>, answered with the protobuf
message ledgerd.auth.v1.Account.

With --prove the CLI reads the account's records with Merkle proofs against a
light-client-verified header and resolves the account with the modules' own
code, at the time of that header; the pending nonce is not provable and is
left out.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := parseAddress("address", args[0])
			if err != nil {
				return err
			}
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			if prove {
				return provenAccount(cmd, c, addr, height)
			}
			if height != 0 {
				return fmt.Errorf("--height needs --prove")
			}
			a, err := c.Account(cmd.Context(), addr)
			if err != nil {
				return err
			}
			view := map[string]any{"address": addr.Hex(), "kind": a.Kind, "nonce": a.Nonce, "pending_nonce": a.PendingNonce,
				"height": a.Height, "chain_id": a.ChainId, "chain_numeric_id": a.ChainNumericId}
			id := addr
			if len(a.Account) > 0 {
				id = common.BytesToAddress(a.Account)
				view["account"] = id.Hex()
			}
			if a.Refused != "" {
				view["refused"] = a.Refused
			}
			return printResult(cmd, view, func(out io.Writer) {
				switch {
				case a.Refused != "":
					fmt.Fprintf(out, "%s may not sign at height %d: %s\n", addr.Hex(), a.Height, a.Refused)
				case a.Kind == "":
					fmt.Fprintf(out, "%s signs for no account at height %d\n", addr.Hex(), a.Height)
				default:
					fmt.Fprintf(out, "%s signs for %s %s at height %d: nonce %d, next %d counting this node's mempool\n",
						addr.Hex(), a.Kind, id.Hex(), a.Height, a.Nonce, a.PendingNonce)
				}
				fmt.Fprintf(out, "signing domain: chain id %s, EIP-712 chainId %d\n", a.ChainId, a.ChainNumericId)
			})
		},
	}
	queryFlags(cmd)
	return cmd
}

// provenAccount resolves addr's account over proven reads, asking each
// module that keeps accounts in the chain's order, as the node does.
func provenAccount(cmd *cobra.Command, c *client.Client, addr common.Address, height int64) error {
	reads := c.ProvenReader(cmd.Context(), height)
	var (
		kind  string
		found bool
		acct  struct {
			ID    common.Address
			Nonce uint64
		}
		refused error
	)
	modules := app.Modules().Modules()
	err := reads.Run(func() {
		// The first read fixes the height and the header, whose time the
		// lookups judge pending key changes by.
		for _, m := range modules {
			if m.Accounts != nil {
				reads.Reader(m.Name).Get(addr.Bytes())
				break
			}
		}
		ctx := exec.ReadOnly(reads.Height(), reads.Reader)
		ctx.Time = reads.Time()
		for _, m := range modules {
			if m.Accounts == nil {
				continue
			}
			a, ok, err := m.Accounts.Lookup(ctx, addr)
			if err != nil {
				refused = err
				return
			}
			if ok {
				kind, found, acct.ID, acct.Nonce = m.Accounts.Kind, true, a.ID, a.Nonce
				return
			}
		}
	})
	if err != nil {
		return err
	}
	view := map[string]any{"address": addr.Hex(), "height": reads.Height(), "proofs": len(reads.Proofs())}
	if found {
		view["kind"], view["account"], view["nonce"] = kind, acct.ID.Hex(), acct.Nonce
	}
	if refused != nil {
		view["refused"] = refused.Error()
	}
	return printResult(cmd, view, func(out io.Writer) {
		switch {
		case refused != nil:
			fmt.Fprintf(out, "%s may not sign at height %d: %v\n", addr.Hex(), reads.Height(), refused)
		case !found:
			fmt.Fprintf(out, "%s signs for no account at height %d\n", addr.Hex(), reads.Height())
		default:
			fmt.Fprintf(out, "%s signs for %s %s at height %d: nonce %d\n", addr.Hex(), kind, acct.ID.Hex(), reads.Height(), acct.Nonce)
		}
		printReads(out, reads)
	})
}

// newQueryMempoolCmd is `query mempool`: what the node holds for coming
// blocks.
func newQueryMempoolCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mempool",
		Short: "The transactions the node holds for coming blocks: count, bytes, bounds, dropped at rechecks",
		Long: `mempool answers what the node's mempool holds: when ledgerd keeps it
(mempool.type = "app" in config.toml: ledgerd init --mempool app), the ABCI query path
/mempool, answered with the protobuf message ledgerd.auth.v1.Mempool: pending
transactions and bytes, the bounds (mempool.size, mempool.max_txs_bytes), the
height they were last checked on, and how many were dropped since the node
started because, checked again after a block, they no longer passed. When
CometBFT keeps it ("flood", the default), CometBFT's num_unconfirmed_txs. Each node has its
own mempool; this is the node's word, not state.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			if prove || height != 0 {
				return fmt.Errorf("a mempool is the node's own, not state: it has no proof and no past heights")
			}
			m, err := c.Mempool(cmd.Context())
			if err != nil {
				return err
			}
			view := map[string]any{"kept_by": m.KeptBy, "txs": m.Txs, "bytes": m.Bytes}
			if m.KeptBy == "app" {
				view["max_txs"], view["max_bytes"], view["height"], view["dropped"] = m.MaxTxs, m.MaxBytes, m.Height, m.Dropped
			}
			return printResult(cmd, view, func(out io.Writer) {
				fmt.Fprintf(out, "%d transactions (%d bytes) pending, kept by %s\n", m.Txs, m.Bytes, m.KeptBy)
				if m.KeptBy == "app" {
					fmt.Fprintf(out, "bounds: %d transactions, %d bytes; checked on height %d; %d dropped at rechecks since start\n",
						m.MaxTxs, m.MaxBytes, m.Height, m.Dropped)
				}
			})
		},
	}
	queryFlags(cmd)
	return cmd
}
