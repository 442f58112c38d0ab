package settle

import (
	"strconv"

	"google.golang.org/protobuf/proto"

	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/module"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// Query paths, answered from committed state (see the module's Queries).
const (
	// QueryInvariant: empty if the settle invariants hold; query/5
	// otherwise.
	QueryInvariant = "/" + StoreName + "/invariant"
)

func badQuery(format string, args ...any) error {
	return errcode.Wrap(ErrInvalidQuery, format, args...)
}

// queries are the module's query paths. Each answer is computed from the
// stores of one height by code the client can run over proven reads.
func queries() []module.Query {
	return []module.Query{
		{Path: "params", Doc: "the parameters (settlev1.Params)", Handle: func(s module.Stores, _ string, _ []byte) (proto.Message, error) {
			return NewView(s.Reader(StoreName)).Params(), nil
		}, CLI: &module.QueryCLI{Use: "params", Short: "The settlement parameters: the agent, net debit caps, deadline, holidays", Answer: (*settlev1.Params)(nil)}},
		{Path: "positions/", Doc: "<denom>: every bank's position and open legs' sums (settlev1.Positions)", Handle: QueryPositions,
			CLI: &module.QueryCLI{Use: "positions DENOM", Short: "Every bank's interbank position in DENOM: issuance, what its customers hold, owes or owed, and what open legs settle",
				Args: 1, Answer: (*settlev1.Positions)(nil)}},
		{Path: "cycle/", Doc: "<id>: a settlement cycle (settlev1.Cycle)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			id, err := parseID(rest)
			if err != nil {
				return nil, err
			}
			return NewView(s.Reader(StoreName)).Cycle(id)
		}, CLI: &module.QueryCLI{Use: "cycle ID", Short: "A settlement cycle: its nets, deadline, status, the agent's sums, history head", Args: 1, Answer: (*settlev1.Cycle)(nil)}},
		{Path: "legs/", Doc: "<id>: a cycle's legs (settlev1.Legs)", Handle: func(s module.Stores, rest string, _ []byte) (proto.Message, error) {
			id, err := parseID(rest)
			if err != nil {
				return nil, err
			}
			v := NewView(s.Reader(StoreName))
			if _, err := v.Cycle(id); err != nil {
				return nil, err
			}
			return &settlev1.Legs{Legs: v.Legs(id)}, nil
		}, CLI: &module.QueryCLI{Use: "legs ID", Short: "A cycle's legs: payer, payee, amount, status, reference", Args: 1, Answer: (*settlev1.Legs)(nil)}},
		{Path: "breaches", Doc: "every breach standing (settlev1.Breaches); breaches/<bank>: the bank's", Handle: queryBreaches,
			CLI: &module.QueryCLI{Use: "breaches [BANK]", Short: "The banks reported to the regulators: past their cap, late, or disputed, until they settle",
				Path: func(in module.Input) (string, error) {
					if b := in.Arg(0); b != "" {
						return "/" + b, nil
					}
					return "", nil
				}, Answer: (*settlev1.Breaches)(nil)}},
		{Path: "breaches/", Doc: "<bank>: the breaches standing against bank (settlev1.Breaches)", Handle: queryBreaches},
		{Path: "invariant", Doc: "empty if every settled leg matches a confirmed payment and the cycles' sums match their legs at the last height, an error otherwise; computed once per height",
			Handle: func(s module.Stores, _ string, _ []byte) (proto.Message, error) {
				if err := Invariant(s.Reader(StoreName)); err != nil {
					return nil, errcode.Wrap(module.ErrInvariant, "%v", err)
				}
				return nil, nil
			}, WholeState: true},
	}
}

// QueryPositions answers positions/<denom> from the wallet store's
// issuance records and the settle store's inflight sums.
func QueryPositions(s module.Stores, denom string, _ []byte) (proto.Message, error) {
	if !denomPattern.MatchString(denom) {
		return nil, badQuery("positions/%s: want a denom", denom)
	}
	v := NewView(s.Reader(StoreName))
	out := &settlev1.Positions{Denom: denom}
	for _, is := range wallet.NewView(s.Reader(wallet.StoreName)).IssuancesOf(denom) {
		p, err := wallet.Position(is)
		if err != nil {
			return nil, err
		}
		owes, owed := p.Split()
		in := v.Inflight(is.Issuer, denom)
		out.Positions = append(out.Positions, &settlev1.Position{Bank: is.Issuer, Denom: denom, Outstanding: is.Outstanding,
			OutstandingNegative: is.Negative, Held: is.Held, Owes: owes, Owed: owed, ToPay: in.ToPay, ToReceive: in.ToReceive})
	}
	return out, nil
}

func queryBreaches(s module.Stores, rest string, _ []byte) (proto.Message, error) {
	if len(rest) > 32 {
		return nil, badQuery("breaches/%s: not a member id", rest)
	}
	return &settlev1.Breaches{Breaches: NewView(s.Reader(StoreName)).Breaches(rest)}, nil
}

func parseID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, badQuery("%q: want a positive decimal id", s)
	}
	return id, nil
}
