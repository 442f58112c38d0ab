package main

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/client"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
	"github.com/ledgerd/ledgerd/x/auth"
	"github.com/ledgerd/ledgerd/x/consortium"
	"github.com/ledgerd/ledgerd/x/consortium/consortiumclient"
	"github.com/ledgerd/ledgerd/x/wallet"
	"github.com/ledgerd/ledgerd/x/wallet/walletclient"
)

func newQueryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "query",
		Aliases: []string{"q"},
		Short:   "Read ledger state from a node; --prove verifies it against a header signed by the validators",
	}
	cmd.AddCommand(newQueryAccountCmd(), newQueryMempoolCmd(), newQueryWalletCmd(), newQueryConsortiumCmd(), newQueryAMLCmd(), newQueryGovCmd(), newQueryAnyHistoryCmd())
	// A module with hand-written commands (gov) gets its declared ones
	// beside them.
	for _, auto := range moduleQueryCmds() {
		if existing, _, err := cmd.Find([]string{auto.Name()}); err == nil && existing != cmd {
			existing.AddCommand(auto.Commands()...)
			continue
		}
		cmd.AddCommand(auto)
	}
	return cmd
}

// queryFlags are the flags of value queries.
func queryFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Bool("prove", false, "verify the value with a Merkle proof against a light-client-verified header")
	f.Int64("height", 0, "read the state at this height (default: the latest)")
	f.Int64("trust-height", 0, "height of a header you trust (with --trust-hash); default: trust the node's earliest header on first use")
	f.String("trust-hash", "", "hex hash of the header at --trust-height")
	f.Duration("trust-period", 14*24*time.Hour, "how long a trusted header stays usable")
	f.String("as", "", "sign the reads with this keyring key: private stores (credit) answer only readers they allow")
}

// queryClient returns a client set up for cmd's --prove flags.
func queryClient(cmd *cobra.Command) (*client.Client, bool, int64, error) {
	prove, _ := cmd.Flags().GetBool("prove")
	height, _ := cmd.Flags().GetInt64("height")
	opts := []client.Option{client.WithTrustDir(lightDir(cmd))}
	if th, _ := cmd.Flags().GetInt64("trust-height"); th > 0 {
		hash, err := hex.DecodeString(stringFlag(cmd, "trust-hash"))
		if err != nil || len(hash) != 32 {
			return nil, false, 0, fmt.Errorf("--trust-hash must be the 32-byte hex hash of the header at --trust-height")
		}
		opts = append(opts, client.WithTrust(th, hash))
	}
	if p, _ := cmd.Flags().GetDuration("trust-period"); p > 0 {
		opts = append(opts, client.WithTrustPeriod(p))
	}
	if as := stringFlag(cmd, "as"); as != "" {
		key, err := readerKey(cmd, as)
		if err != nil {
			return nil, false, 0, err
		}
		opts = append(opts, client.WithReader(key))
	}
	c, err := newClient(cmd, opts...)
	return c, prove, height, err
}

// walletView is a wallet as the CLI prints it.
type walletView struct {
	Owner        string       `json:"owner"`
	Bank         string       `json:"bank"`
	Tier         uint32       `json:"tier"`
	Status       string       `json:"status"`
	KYCHash      string       `json:"kyc_hash"`
	Nonce        uint64       `json:"nonce"`
	Balances     []*coinView  `json:"balances"`
	OpenedHeight int64        `json:"opened_height"`
	OpenedTime   time.Time    `json:"opened_time"`
	Freezes      []freezeView `json:"freezes"`
	Limits       []limitsView `json:"limits,omitempty"`
	Flows        []flowView   `json:"flows,omitempty"`
	HistoryCount uint64       `json:"history_count"`
	HistoryHead  string       `json:"history_head"`
	// Key is the key that signs for the wallet when not its own address.
	Key          string            `json:"key,omitempty"`
	Recovery     *recoveryView     `json:"recovery,omitempty"`
	SecondFactor *secondFactorView `json:"second_factor,omitempty"`
	Parent       string            `json:"parent,omitempty"`
	Payees       []string          `json:"payees,omitempty"`
	SubFrozen    bool              `json:"sub_frozen,omitempty"`
	SubWallets   uint32            `json:"sub_wallets,omitempty"`
	Proof        *client.Proven    `json:"proof,omitempty"`
}

type recoveryView struct {
	NewKey            string    `json:"new_key"`
	Due               time.Time `json:"due"`
	Bank              string    `json:"bank"`
	Height            int64     `json:"height"`
	ClearSecondFactor bool      `json:"clear_second_factor,omitempty"`
}

type secondFactorView struct {
	Key        string     `json:"key"`
	Denom      string     `json:"denom"`
	Threshold  uint64     `json:"threshold,string"`
	RemovalDue *time.Time `json:"removal_due,omitempty"`
}

type freezeView struct {
	ID         uint64     `json:"id"`
	Authority  string     `json:"authority"`
	Kind       string     `json:"kind"`
	LegalBasis string     `json:"legal_basis"`
	Expires    *time.Time `json:"expires,omitempty"`
	Height     int64      `json:"height"`
}

type limitsView struct {
	Denom              string `json:"denom"`
	BalanceCap         uint64 `json:"balance_cap,string"`
	PaymentLimit       uint64 `json:"payment_limit,string"`
	DailyOutflowLimit  uint64 `json:"daily_outflow_limit,string"`
	AnnualOutflowLimit uint64 `json:"annual_outflow_limit,string"`
}

type flowView struct {
	Denom       string `json:"denom"`
	Day         string `json:"day"`
	DayInflow   uint64 `json:"day_inflow,string"`
	DayOutflow  uint64 `json:"day_outflow,string"`
	Year        int32  `json:"year"`
	YearOutflow uint64 `json:"year_outflow,string"`
}

type coinView struct {
	Denom  string `json:"denom"`
	Amount uint64 `json:"amount,string"`
}

func newWalletView(w *walletv1.Wallet) *walletView {
	v := &walletView{
		Owner: common.BytesToAddress(w.Owner).Hex(), Bank: w.Bank, Tier: w.Tier,
		Status: wallet.StatusName(w.Status), KYCHash: "0x" + hex.EncodeToString(w.KycHash), Nonce: w.Nonce,
		Balances: []*coinView{}, OpenedHeight: w.OpenedHeight, OpenedTime: time.Unix(w.OpenedTime, 0).UTC(),
		Freezes: []freezeView{}, HistoryCount: w.HistoryCount, HistoryHead: "0x" + hex.EncodeToString(w.HistoryHead),
	}
	for _, c := range w.Balances {
		v.Balances = append(v.Balances, &coinView{c.Denom, c.Amount})
	}
	if len(w.Key) > 0 {
		v.Key = common.BytesToAddress(w.Key).Hex()
	}
	if r := w.Recovery; r != nil {
		v.Recovery = &recoveryView{NewKey: common.BytesToAddress(r.NewKey).Hex(), Due: time.Unix(r.Due, 0).UTC(), Bank: r.Bank,
			Height: r.Height, ClearSecondFactor: r.ClearSecondFactor}
	}
	if sf := w.SecondFactor; sf != nil {
		v.SecondFactor = &secondFactorView{Key: common.BytesToAddress(sf.Key).Hex(), Denom: sf.Denom, Threshold: sf.Threshold}
		if sf.RemovalDue != 0 {
			t := time.Unix(sf.RemovalDue, 0).UTC()
			v.SecondFactor.RemovalDue = &t
		}
	}
	if len(w.Parent) > 0 {
		v.Parent = common.BytesToAddress(w.Parent).Hex()
	}
	for _, p := range w.Payees {
		v.Payees = append(v.Payees, common.BytesToAddress(p).Hex())
	}
	v.SubFrozen, v.SubWallets = w.SubFrozen, w.SubWallets
	for _, o := range w.Freezes {
		fv := freezeView{ID: o.Id, Authority: o.Authority, Kind: wallet.KindName(o.Kind), LegalBasis: o.LegalBasis, Height: o.Height}
		if o.Expires != 0 {
			t := time.Unix(o.Expires, 0).UTC()
			fv.Expires = &t
		}
		v.Freezes = append(v.Freezes, fv)
	}
	for _, l := range w.Limits {
		v.Limits = append(v.Limits, limitsView{l.Denom, l.Limits.GetBalanceCap(), l.Limits.GetPaymentLimit(),
			l.Limits.GetDailyOutflowLimit(), l.Limits.GetAnnualOutflowLimit()})
	}
	for _, f := range w.Flows {
		y, m, d := wallet.CivilDate(f.Day)
		v.Flows = append(v.Flows, flowView{f.Denom, fmt.Sprintf("%04d-%02d-%02d", y, m, d), f.DayInflow, f.DayOutflow, f.Year, f.YearOutflow})
	}
	return v
}

func printProof(w io.Writer, p *client.Proven) {
	if p == nil {
		return
	}
	fmt.Fprintf(w, "verified: proven by ICS23 (iavl, simple) against app hash %X\n", p.AppHash)
	fmt.Fprintf(w, "          in header %d (%X, %s), verified by the light client\n",
		p.HeaderHeight, p.HeaderHash, p.HeaderTime.UTC().Format(time.RFC3339))
	if p.TrustNote != "" {
		fmt.Fprintf(w, "note:     %s\n", p.TrustNote)
	}
}

func newQueryWalletCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "wallet ADDR",
		Short: "A wallet's bank, tier, status, nonce and balances; subcommands for issuance, supply, invariant",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := parseAddress("wallet", args[0])
			if err != nil {
				return err
			}
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			var w *walletv1.Wallet
			var p *client.Proven
			if prove {
				w, p, err = walletclient.New(c).VerifiedWallet(cmd.Context(), addr, height)
			} else {
				w = new(walletv1.Wallet)
				err = c.Record(cmd.Context(), wallet.StoreName, wallet.WalletKey(addr.Bytes()), height, "wallet "+addr.Hex(), w)
			}
			if err != nil {
				return err
			}
			v := newWalletView(w)
			v.Proof = p
			m := moneyOf(cmd, c)
			return printResult(cmd, v, func(out io.Writer) {
				fmt.Fprintf(out, "wallet %s (bank %s, tier %d, %s, nonce %d, opened at height %d)\n",
					v.Owner, v.Bank, v.Tier, v.Status, v.Nonce, v.OpenedHeight)
				if p != nil {
					fmt.Fprintf(out, "  state at height %d\n", p.Height)
				}
				if len(v.Balances) == 0 {
					fmt.Fprintln(out, "  no balance")
				}
				for _, b := range v.Balances {
					fmt.Fprintf(out, "  %-6s %s\n", b.Denom, m.Number(b.Amount, b.Denom))
				}
				for _, f := range v.Freezes {
					exp := "until released"
					if f.Expires != nil {
						exp = "until " + f.Expires.Format(time.RFC3339)
					}
					fmt.Fprintf(out, "  freeze order %d: %s by %s, %q, %s\n", f.ID, f.Kind, f.Authority, f.LegalBasis, exp)
				}
				for _, l := range v.Limits {
					fmt.Fprintf(out, "  own limits %s: balance cap %s, payment %s, daily %s, annual %s (0: the tier's)\n",
						l.Denom, m.Number(l.BalanceCap, l.Denom), m.Number(l.PaymentLimit, l.Denom), m.Number(l.DailyOutflowLimit, l.Denom),
						m.Number(l.AnnualOutflowLimit, l.Denom))
				}
				for _, f := range v.Flows {
					fmt.Fprintf(out, "  %s on %s: in %s, out %s; out in %d: %s\n", f.Denom, f.Day, m.Number(f.DayInflow, f.Denom),
						m.Number(f.DayOutflow, f.Denom), f.Year, m.Number(f.YearOutflow, f.Denom))
				}
				if v.Key != "" {
					fmt.Fprintf(out, "  signed for by key %s (its own address's key was replaced)\n", v.Key)
				}
				if r := v.Recovery; r != nil {
					fmt.Fprintf(out, "  key recovery by %s to %s, completes at %s (receive only until then)\n", r.Bank, r.NewKey, r.Due.Format(time.RFC3339))
				}
				if sf := v.SecondFactor; sf != nil {
					fmt.Fprintf(out, "  second factor %s above %s", sf.Key, m.Text(sf.Threshold, sf.Denom))
					if sf.RemovalDue != nil {
						fmt.Fprintf(out, ", removed at %s", sf.RemovalDue.Format(time.RFC3339))
					}
					fmt.Fprintln(out)
				}
				if v.Parent != "" {
					fmt.Fprintf(out, "  sub-wallet of %s; payees %v; stopped by the parent: %v\n", v.Parent, v.Payees, v.SubFrozen)
				}
				if v.SubWallets > 0 {
					fmt.Fprintf(out, "  %d sub-wallet(s)\n", v.SubWallets)
				}
				fmt.Fprintf(out, "  history: %d entries, head %s\n", v.HistoryCount, v.HistoryHead)
				printProof(out, p)
			})
		},
	}
	queryFlags(cmd)

	issuance := &cobra.Command{
		Use:   "issuance ISSUER [DENOM]",
		Short: "An issuer's outstanding e-money, per denom (one denom with --prove)",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			if len(args) == 2 || prove {
				if len(args) < 2 {
					return fmt.Errorf("--prove needs a DENOM: each denom's issuance is proven separately")
				}
				var is *walletv1.Issuance
				var p *client.Proven
				if prove {
					is, p, err = walletclient.New(c).VerifiedIssuance(cmd.Context(), args[0], args[1], height)
				} else {
					is = &walletv1.Issuance{Issuer: args[0], Denom: args[1]}
					if err = c.Record(cmd.Context(), wallet.StoreName, wallet.IssuanceKey(args[0], args[1]), height, "issuance", is); errors.Is(err, client.ErrNotFound) {
						err = nil // nothing issued yet
					}
				}
				if err != nil {
					return err
				}
				view := map[string]any{"issuer": is.Issuer, "denom": is.Denom, "outstanding": wallet.Outstanding(is).String(),
					"held": fmt.Sprint(is.Held), "proof": p}
				m := moneyOf(cmd, c)
				return printResult(cmd, view, func(out io.Writer) {
					printIssuance(out, m, is)
					printProof(out, p)
				})
			}
			if height != 0 {
				return fmt.Errorf("--height needs a DENOM: the list of an issuer's denoms is read at the latest height")
			}
			all, err := walletclient.New(c).Issuances(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			view := []map[string]string{}
			for _, x := range all {
				view = append(view, map[string]string{"issuer": x.Issuer, "denom": x.Denom, "outstanding": wallet.Outstanding(x).String(),
					"held": fmt.Sprint(x.Held)})
			}
			m := moneyOf(cmd, c)
			return printResult(cmd, view, func(out io.Writer) {
				if len(all) == 0 {
					fmt.Fprintf(out, "%s has issued nothing\n", args[0])
				}
				for _, x := range all {
					printIssuance(out, m, x)
				}
			})
		},
	}
	queryFlags(issuance)

	supply := &cobra.Command{
		Use:   "supply DENOM",
		Short: "The total e-money of DENOM in all wallets",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			var coin *walletv1.Coin
			var p *client.Proven
			if prove {
				coin, p, err = walletclient.New(c).VerifiedSupply(cmd.Context(), args[0], height)
			} else {
				coin = &walletv1.Coin{Denom: args[0]}
				if err = c.Record(cmd.Context(), wallet.StoreName, wallet.SupplyKey(args[0]), height, "supply", coin); errors.Is(err, client.ErrNotFound) {
					err = nil // nothing issued yet
				}
			}
			if err != nil {
				return err
			}
			view := map[string]any{"denom": coin.Denom, "amount": fmt.Sprint(coin.Amount), "proof": p}
			m := moneyOf(cmd, c)
			return printResult(cmd, view, func(out io.Writer) {
				fmt.Fprintf(out, "supply of %s: %s\n", coin.Denom, m.Text(coin.Amount, coin.Denom))
				printProof(out, p)
			})
		},
	}
	queryFlags(supply)

	invariant := &cobra.Command{
		Use:   "invariant",
		Short: "Check that, for every denom, supply = sum of balances = sum of issuance (--prove: supply and issuance proven)",
		Long: `invariant asks the node to check, for every denom, supply = sum of wallet
balances = sum of issuers' outstanding issuance. With --prove it also proves,
at one height, every denom's supply and every member's outstanding issuance
against a light-client-verified header and checks that they agree; the sum of
balances stays the node's word (proving it would take a proof per wallet).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			if prove {
				check, err := walletclient.New(c).VerifiedSupplyInvariant(cmd.Context(), height)
				if err != nil {
					return err
				}
				return printResult(cmd, check, func(out io.Writer) {
					for _, d := range check.Denoms {
						fmt.Fprintf(out, "%s at height %d: proven supply %d = proven outstanding issuance %d (%d issuers)\n",
							d.Denom, check.Height, d.Supply, d.SumIssued, len(d.Issued))
					}
					fmt.Fprintln(out, "sum of balances = supply: checked by the node")
				})
			}
			if err := walletclient.New(c).Invariant(cmd.Context()); err != nil {
				return err
			}
			return printResult(cmd, map[string]bool{"holds": true}, func(out io.Writer) {
				fmt.Fprintln(out, "invariant holds: supply = sum of balances = sum of outstanding issuance, for every denom")
			})
		},
	}
	queryFlags(invariant)
	cmd.AddCommand(issuance, supply, invariant, newQueryHistoryCmd(), newQueryKeyCmd())
	return cmd
}

// membersView is the proven member list.
type membersView struct {
	Members []*memberView  `json:"members"`
	Height  int64          `json:"height"`
	Proof   *client.Proven `json:"index_proof"`
}

// memberView is a member as the CLI prints it.
type memberView struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Status    string         `json:"status"`
	Roles     []string       `json:"roles"`
	Operators []string       `json:"operators"`
	NodeIDs   []string       `json:"node_ids"`
	Power     int64          `json:"validator_power"`
	Validator string         `json:"validator_key,omitempty"`
	Proof     *client.Proven `json:"proof,omitempty"`
}

func newMemberView(m *consortiumv1.Member) *memberView {
	v := &memberView{ID: m.Id, Name: m.Name, Status: consortium.StatusName(m.Status), Roles: []string{}, Operators: []string{},
		NodeIDs: m.NodeIds}
	for _, r := range m.Roles {
		v.Roles = append(v.Roles, consortium.RoleName(r))
	}
	for _, o := range m.Operators {
		v.Operators = append(v.Operators, common.BytesToAddress(o).Hex())
	}
	if v.NodeIDs == nil {
		v.NodeIDs = []string{}
	}
	if m.Validator != nil {
		v.Power, v.Validator = m.Validator.Power, base64Std(m.Validator.PubKey)
	}
	return v
}

func (v *memberView) print(out io.Writer) {
	fmt.Fprintf(out, "%s  %q  %s  roles %v  validator power %d\n", v.ID, v.Name, v.Status, v.Roles, v.Power)
	for _, o := range v.Operators {
		fmt.Fprintf(out, "    operator  %s\n", o)
	}
	for _, n := range v.NodeIDs {
		fmt.Fprintf(out, "    node      %s\n", n)
	}
	if v.Validator != "" {
		fmt.Fprintf(out, "    validator %s\n", v.Validator)
	}
}

func newQueryConsortiumCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "consortium", Short: "Members of the consortium and chain parameters"}
	members := &cobra.Command{
		Use:   "members",
		Short: "All members: status, roles, operators, node ids, validator power",
		Long: `members lists every member in id order. With --prove it proves, at one
height, the member index and every member it names: the list is proven
complete.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			var ms []*consortiumv1.Member
			var proofs []*client.Proven
			if prove {
				ms, proofs, err = consortiumclient.New(c).VerifiedMembers(cmd.Context(), height)
			} else if height != 0 {
				err = fmt.Errorf("--height needs --prove: the plain list is read at the latest height")
			} else {
				ms, err = consortiumclient.New(c).Members(cmd.Context())
			}
			if err != nil {
				return err
			}
			views := []*memberView{}
			for _, m := range ms {
				views = append(views, newMemberView(m))
			}
			// The plain list stays a JSON array; the proven one carries
			// each member's proof and the index's.
			var view any = views
			if prove {
				for i, v := range views {
					v.Proof = proofs[i+1]
				}
				view = &membersView{Members: views, Height: proofs[0].Height, Proof: proofs[0]}
			}
			return printResult(cmd, view, func(out io.Writer) {
				for _, v := range views {
					v.print(out)
				}
				if prove {
					fmt.Fprintf(out, "complete at height %d: the member index and each member above are proven\n", proofs[0].Height)
					printProof(out, proofs[0])
				}
			})
		},
	}
	queryFlags(members)
	member := &cobra.Command{
		Use: "member ID", Short: "One member", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			var m *consortiumv1.Member
			var p *client.Proven
			if prove {
				m, p, err = consortiumclient.New(c).VerifiedMember(cmd.Context(), args[0], height)
			} else {
				m = new(consortiumv1.Member)
				err = c.Record(cmd.Context(), consortium.StoreName, consortium.MemberKey(args[0]), height, "member "+args[0], m)
			}
			if err != nil {
				return err
			}
			v := newMemberView(m)
			v.Proof = p
			return printResult(cmd, v, func(out io.Writer) {
				v.print(out)
				printProof(out, p)
			})
		},
	}
	queryFlags(member)
	params := &cobra.Command{
		Use: "params", Short: "Chain id and the EIP-712 signing domain", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := newClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			d, err := c.Domain(cmd.Context())
			if err != nil {
				return err
			}
			vc := common.Address(auth.VerifyingContract(d.ChainID))
			view := map[string]string{"chain_id": d.ChainID, "chain_numeric_id": fmt.Sprint(d.NumericID),
				"eip712_verifying_contract": vc.Hex()}
			return printResult(cmd, view, func(out io.Writer) {
				fmt.Fprintf(out, "chain id %s, EIP-712 chainId %d, verifyingContract %s\n", d.ChainID, d.NumericID, vc.Hex())
			})
		},
	}
	cmd.AddCommand(members, member, params)
	return cmd
}

// newQueryKeyCmd is `query wallet key KEY`: the wallet a key signs for.
func newQueryKeyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key KEY",
		Short: "Which wallet a key signs for (current, pending recovery, retired); --prove proves both directions",
		Long: `key tells which wallet KEY signs for. A wallet's own address is its key until a
rotation or a recovery replaces it; any other key is in the key index with its
wallet and standing. Without --prove it prints the node's /auth/account answer
(the account the key signs for, its nonce, or why it is refused); with --prove
it proves, at one height, the wallet record at KEY's address, the key index's
record of KEY and the wallet that record names (each present or absent).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := parseAddress("key", args[0])
			if err != nil {
				return err
			}
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			if !prove {
				if height != 0 {
					return fmt.Errorf("--height needs --prove")
				}
				a, err := c.Account(cmd.Context(), key)
				if err != nil {
					return err
				}
				view := map[string]any{"key": key.Hex(), "kind": a.Kind, "nonce": a.Nonce, "height": a.Height}
				account := key
				if len(a.Account) > 0 {
					account = common.BytesToAddress(a.Account)
				}
				if a.Kind != "" {
					view["account"] = account.Hex()
				}
				if a.Refused != "" {
					view["refused"] = a.Refused
				}
				return printResult(cmd, view, func(out io.Writer) {
					switch {
					case a.Kind != "":
						fmt.Fprintf(out, "key %s signs for %s %s (nonce %d) at height %d\n", key.Hex(), a.Kind, account.Hex(), a.Nonce, a.Height)
					case a.Refused != "":
						fmt.Fprintf(out, "key %s may not sign: %s\n", key.Hex(), a.Refused)
					default:
						fmt.Fprintf(out, "key %s signs for nothing\n", key.Hex())
					}
				})
			}
			k, err := walletclient.New(c).VerifiedKey(cmd.Context(), key, height)
			if err != nil {
				return err
			}
			view := map[string]any{"key": key.Hex(), "state": k.State, "height": k.Height, "proofs": k.Proofs}
			if k.Wallet != nil {
				view["wallet"] = common.BytesToAddress(k.Wallet.Owner).Hex()
			}
			return printResult(cmd, view, func(out io.Writer) {
				if k.Wallet == nil {
					fmt.Fprintf(out, "key %s serves no wallet at height %d (proven absent)\n", key.Hex(), k.Height)
				} else {
					fmt.Fprintf(out, "key %s: %s key of wallet %x at height %d\n", key.Hex(), k.State, k.Wallet.Owner, k.Height)
				}
				printProof(out, k.Proofs[0])
			})
		},
	}
	queryFlags(cmd)
	return cmd
}

// readerKey is the keyring key name that signs reads (--as).
func readerKey(cmd *cobra.Command, name string) (*ecdsa.PrivateKey, error) {
	kr, err := keyring(cmd)
	if err != nil {
		return nil, err
	}
	pass, err := passphrase(cmd, false)
	if err != nil {
		return nil, err
	}
	return kr.Key(name, pass)
}

// printIssuance prints a bank's signed outstanding issuance and what its
// wallets hold.
func printIssuance(out io.Writer, m money, is *walletv1.Issuance) {
	sign := ""
	if is.Negative {
		sign = "-"
	}
	fmt.Fprintf(out, "%s outstanding: %s%s (its wallets hold %s)\n", is.Issuer, sign, m.Text(is.Outstanding, is.Denom), m.Text(is.Held, is.Denom))
}
