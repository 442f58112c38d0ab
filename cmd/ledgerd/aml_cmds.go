package main

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/ledgerd/ledgerd/client"
	amlv1 "github.com/ledgerd/ledgerd/proto/ledgerd/aml/v1"
	"github.com/ledgerd/ledgerd/x/aml"
	"github.com/ledgerd/ledgerd/x/aml/amlclient"
)

// newQueryAMLCmd is `ledgerd query aml`: large-value reports, velocity
// alerts and the AML parameters.
func newQueryAMLCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "aml",
		Short: "Anti-money-laundering records: large-value reports and velocity alerts, by day, bank or wallet",
	}
	params := &cobra.Command{
		Use: "params", Short: "Large-value thresholds per denom and the velocity limit", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			ac := amlclient.New(c)
			var p *amlv1.Params
			var proof *client.Proven
			if prove {
				p, proof, err = ac.VerifiedParams(cmd.Context(), height)
			} else {
				p, err = ac.Params(cmd.Context())
			}
			if err != nil {
				return err
			}
			view := amlParamsView{LargeValue: []*coinView{}, VelocityLimit: p.VelocityLimit, Proof: proof}
			for _, t := range p.LargeValue {
				view.LargeValue = append(view.LargeValue, &coinView{t.Denom, t.Amount})
			}
			m := moneyOf(cmd, c)
			return printResult(cmd, view, func(out io.Writer) {
				if len(view.LargeValue) == 0 {
					fmt.Fprintln(out, "large-value reports: none (no thresholds)")
				}
				for _, t := range view.LargeValue {
					fmt.Fprintf(out, "large-value report when a wallet's inflow or outflow of %s in a day reaches %s\n", t.Denom, m.Text(t.Amount, t.Denom))
				}
				if view.VelocityLimit == 0 {
					fmt.Fprintln(out, "velocity alerts: off")
				} else {
					fmt.Fprintf(out, "velocity alert when a wallet makes more than %d payments in a day\n", view.VelocityLimit)
				}
				printProof(out, proof)
			})
		},
	}
	queryFlags(params)
	cmd.AddCommand(newAMLListCmd(aml.KindReports), newAMLListCmd(aml.KindAlerts), params)
	return cmd
}

func newAMLListCmd(kind string) *cobra.Command {
	short := "Large-value transaction reports of a day, a bank of record or a wallet"
	if kind == aml.KindAlerts {
		short = "Velocity alerts of a day, a bank of record or a wallet"
	}
	cmd := &cobra.Command{
		Use:   kind + " (--day YYYY-MM-DD | --bank ID | --wallet ADDR)",
		Short: short,
		Long: short + `.

Records are listed in the order the chain filed them, up to ` + strconv.Itoa(aml.MaxPage) + ` at a time;
--after ID continues a list. With --prove, every record listed is proven at one
height; the list itself is the node's word: a node could leave records out.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			by, value, err := amlFilterFlags(cmd)
			if err != nil {
				return err
			}
			after, _ := cmd.Flags().GetUint64("after")
			c, prove, height, err := queryClient(cmd)
			if err != nil {
				return err
			}
			defer c.Close()
			ac := amlclient.New(c)
			view := &amlListView{}
			var proofs []*client.Proven
			var last uint64
			if kind == aml.KindReports {
				var rs []*amlv1.Report
				if prove {
					rs, proofs, err = ac.VerifiedReports(cmd.Context(), by, value, after, height)
				} else {
					rs, err = ac.Reports(cmd.Context(), by, value, after)
				}
				if err != nil {
					return err
				}
				view.Reports = []*amlReportView{}
				for i, r := range rs {
					view.Reports = append(view.Reports, newAMLReportView(r, proofAt(proofs, i)))
					last = r.Id
				}
				view.NextAfter = amlclient.NextAfter(len(rs), last)
			} else {
				var as []*amlv1.Alert
				if prove {
					as, proofs, err = ac.VerifiedAlerts(cmd.Context(), by, value, after, height)
				} else {
					as, err = ac.Alerts(cmd.Context(), by, value, after)
				}
				if err != nil {
					return err
				}
				view.Alerts = []*amlAlertView{}
				for i, a := range as {
					view.Alerts = append(view.Alerts, newAMLAlertView(a, proofAt(proofs, i)))
					last = a.Id
				}
				view.NextAfter = amlclient.NextAfter(len(as), last)
			}
			m := moneyOf(cmd, c)
			return printResult(cmd, view, func(out io.Writer) {
				if len(view.Reports)+len(view.Alerts) == 0 {
					fmt.Fprintf(out, "no %s\n", kind)
				}
				for _, r := range view.Reports {
					fmt.Fprintf(out, "report %d  %s  %s  bank %s  %s %s  tx %s  height %d  %s\n", r.ID, r.Date, r.Wallet,
						r.Bank, r.Direction, m.Text(r.Amount, r.Denom), r.TxHash, r.Height, r.Time.Format(time.RFC3339))
				}
				for _, a := range view.Alerts {
					fmt.Fprintf(out, "alert %d  %s  %s  bank %s  %d payments  tx %s  height %d  %s\n", a.ID, a.Date, a.Wallet,
						a.Bank, a.Payments, a.TxHash, a.Height, a.Time.Format(time.RFC3339))
				}
				if len(proofs) > 0 {
					fmt.Fprintf(out, "each record above is proven at height %d (the list may be incomplete)\n", proofs[0].Height)
					printProof(out, proofs[0])
				}
				if view.NextAfter > 0 {
					fmt.Fprintf(out, "more: --after %d\n", view.NextAfter)
				}
			})
		},
	}
	f := cmd.Flags()
	f.String("day", "", "the calendar day, YYYY-MM-DD, in the consortium's time zone")
	f.String("bank", "", "member id of the bank of record")
	f.String("wallet", "", "0x address of the wallet")
	f.Uint64("after", 0, "list records with ids greater than this (the previous page's last id)")
	queryFlags(cmd)
	return cmd
}

// amlFilterFlags returns the list's by and value from exactly one of
// --day, --bank and --wallet; the day as a day number.
func amlFilterFlags(cmd *cobra.Command) (by, value string, err error) {
	n := 0
	for _, name := range []string{aml.ByDay, aml.ByBank, aml.ByWallet} {
		if v := stringFlag(cmd, name); v != "" {
			by, value = name, v
			n++
		}
	}
	if n != 1 {
		return "", "", fmt.Errorf("give exactly one of --day YYYY-MM-DD, --bank ID or --wallet ADDR")
	}
	switch by {
	case aml.ByDay:
		day, err := aml.ParseDay(value)
		if err != nil {
			return "", "", fmt.Errorf("--day: %w", err)
		}
		value = strconv.FormatInt(day, 10)
	case aml.ByWallet:
		addr, err := parseAddress("--wallet", value)
		if err != nil {
			return "", "", err
		}
		value = addr.Hex()
	}
	return by, value, nil
}

func proofAt(proofs []*client.Proven, i int) *client.Proven {
	if i < len(proofs) {
		return proofs[i]
	}
	return nil
}

type amlParamsView struct {
	LargeValue    []*coinView    `json:"large_value"`
	VelocityLimit uint32         `json:"velocity_limit"`
	Proof         *client.Proven `json:"proof,omitempty"`
}

type amlListView struct {
	Reports []*amlReportView `json:"reports,omitempty"`
	Alerts  []*amlAlertView  `json:"alerts,omitempty"`
	// NextAfter is the --after of the next page; absent on the last page.
	NextAfter uint64 `json:"next_after,omitempty"`
}

// amlReportView is a report as the CLI prints it.
type amlReportView struct {
	ID        uint64         `json:"id"`
	Wallet    string         `json:"wallet"`
	Bank      string         `json:"bank"`
	Day       int64          `json:"day"`
	Date      string         `json:"date"`
	Direction string         `json:"direction"`
	Denom     string         `json:"denom"`
	Amount    uint64         `json:"amount,string"`
	TxHash    string         `json:"tx_hash"`
	Height    int64          `json:"height"`
	Time      time.Time      `json:"time"`
	Proof     *client.Proven `json:"proof,omitempty"`
}

func newAMLReportView(r *amlv1.Report, p *client.Proven) *amlReportView {
	return &amlReportView{
		ID: r.Id, Wallet: common.BytesToAddress(r.Wallet).Hex(), Bank: r.Bank, Day: r.Day, Date: aml.FormatDay(r.Day),
		Direction: aml.DirectionName(r.Direction), Denom: r.Denom, Amount: r.Amount, TxHash: fmt.Sprintf("%X", r.TxHash),
		Height: r.Height, Time: time.Unix(r.Time, 0).UTC(), Proof: p,
	}
}

// amlAlertView is an alert as the CLI prints it.
type amlAlertView struct {
	ID       uint64         `json:"id"`
	Wallet   string         `json:"wallet"`
	Bank     string         `json:"bank"`
	Day      int64          `json:"day"`
	Date     string         `json:"date"`
	Payments uint32         `json:"payments"`
	TxHash   string         `json:"tx_hash"`
	Height   int64          `json:"height"`
	Time     time.Time      `json:"time"`
	Proof    *client.Proven `json:"proof,omitempty"`
}

func newAMLAlertView(a *amlv1.Alert, p *client.Proven) *amlAlertView {
	return &amlAlertView{
		ID: a.Id, Wallet: common.BytesToAddress(a.Wallet).Hex(), Bank: a.Bank, Day: a.Day, Date: aml.FormatDay(a.Day),
		Payments: a.Payments, TxHash: fmt.Sprintf("%X", a.TxHash), Height: a.Height, Time: time.Unix(a.Time, 0).UTC(), Proof: p,
	}
}
