package settle

import "github.com/ledgerd/ledgerd/x/module"

// events are the settle module's events. Indexed are what treasury and
// regulators' systems search and subscribe by: cycles, banks, statuses and
// kinds; amounts, references and reasons are not.
var events = []module.Event{
	{Type: "settle_cycle_closed", Doc: "a settlement cycle closed: the banks' net positions fixed, its legs due",
		Attrs: []string{"cycle", "denom", "kind", "agent", "called_by", "legs", "deadline"}, Indexed: []string{"cycle", "denom", "kind"}},
	{Type: "settle_leg", Doc: "a leg of a cycle was created (due), paid, confirmed (issuance moved from payer to payee) or disputed",
		Attrs:   []string{"cycle", "leg", "payer", "payee", "denom", "amount", "status", "reference", "reason"},
		Indexed: []string{"cycle", "payer", "payee", "status"}},
	{Type: "settle_breach", Doc: "a bank is reported to the regulators: past its cap at a close, late past the deadline, or its payment disputed",
		Attrs: []string{"bank", "cycle", "kind", "denom", "amount"}, Indexed: []string{"bank", "cycle", "kind"}},
	{Type: "settle_breach_cleared", Doc: "a bank's legs of a cycle are confirmed: its breaches in the cycle are lifted",
		Attrs: []string{"bank", "cycle"}, Indexed: []string{"bank", "cycle"}},
	{Type: "settle_cycle_settled", Doc: "every leg of a cycle is confirmed", Attrs: []string{"cycle", "denom"}, Indexed: []string{"cycle", "denom"}},
}
