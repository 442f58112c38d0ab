package collect

import (
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// Delegation of a portfolio: a lender delegates its cases of one loan
// class to a collector until a time, as a bank outsources "all its
// substandard debts this quarter" to an agency. It covers
//   - the lender's open cases whose loan has the class when the sweep
//     reaches them (a few a block, in case order, from sweep_per_block:
//     one message never walks an unbounded book), unless a case is
//     delegated to another collector on its own: a case's own delegation
//     wins;
//   - every case of the lender that opens in the class until then.
// A case keeps its delegation until its end even if its loan's class
// changes; a case whose loan enters the class after opening is not
// picked up (the lender delegates it on its own). A new delegation of
// the portfolio, or its end, takes the class's cases from the collector
// it replaces, by the same sweep.

// ClassName is a loan class's short name ("substandard").
func ClassName(c creditv1.Class) string { return lowerTrim(c.String(), "CLASS_") }

// ValidateDelegatePortfolio applies the stateless checks.
func ValidateDelegatePortfolio(m *collectv1.MsgDelegatePortfolio) error {
	if m.Class < creditv1.Class_CLASS_NORMAL || m.Class > creditv1.Class_CLASS_LOSS {
		return wrapf(ErrInvalidMsg, "class %v: normal, special_mention, substandard, doubtful or loss", m.Class)
	}
	return ValidateDelegateCase(&collectv1.MsgDelegateCase{Collector: m.Collector, Until: m.Until})
}

// DelegatePortfolio records the signer's lender's delegation of its cases
// of a class to a collector until a time, or its end; the sweep applies
// it to the open cases.
func (mod *Module) DelegatePortfolio(ctx exec.Context, m *collectv1.MsgDelegatePortfolio) error {
	k := NewKeeper(ctx.KV(StoreName))
	lender, err := mod.members(ctx).ActingMember(ctx.Signer, consortiumv1.Role_ROLE_LENDER)
	if err != nil {
		return wrapf(ErrNotLender, "%s: %v", ctx.Signer.Hex(), err)
	}
	old, had := k.Portfolio(lender.Id, m.Class)
	if m.Collector == "" {
		if !had || old.Collector == "" {
			return wrapf(ErrInvalidMsg, "%q's %s cases are not delegated", lender.Id, ClassName(m.Class))
		}
	} else if err := mod.checkDelegation(ctx, k, m.Collector, m.Until); err != nil {
		return err
	}
	p := &collectv1.Portfolio{Lender: lender.Id, Class: m.Class, Collector: m.Collector, Until: m.Until, By: ctx.Signer.Bytes(),
		Previous: old.GetCollector()}
	if p.Previous == p.Collector {
		p.Previous = "" // a new period for the same collector
	}
	k.setProto(PortfolioKey(lender.Id, m.Class), p)
	k.mark(portfolioSweepKey(lender.Id, m.Class))
	until := "ended"
	if p.Collector != "" {
		until = unixString(p.Until)
	}
	ctx.Emit(EventPortfolio, "lender", p.Lender, "class", ClassName(p.Class), "collector", p.Collector, "until", until)
	return nil
}

// Portfolio returns lender's delegation of its cases of class, if any.
func (v View) Portfolio(lender string, class creditv1.Class) (*collectv1.Portfolio, bool) {
	p := new(collectv1.Portfolio)
	if !store.GetProto(v.r, PortfolioKey(lender, class), p) {
		return nil, false
	}
	return p, true
}

// portfolioDelegate delegates a case opening today to the collector its
// lender delegated the loan's class to, if the delegation lasts and the
// collector may still act.
func (mod *Module) portfolioDelegate(ctx exec.Context, k Keeper, c *collectv1.Case, class creditv1.Class, today calendar.Day) {
	p, ok := k.Portfolio(c.Lender, class)
	if !ok || !mod.portfolioActive(ctx, k, p) {
		return
	}
	mod.delegate(ctx, k, c, today, p.Collector, p.Until, "portfolio "+ClassName(class))
}

// portfolioActive reports whether p delegates now: its period lasts and
// its collector is active and unsuspended.
func (mod *Module) portfolioActive(ctx exec.Context, k Keeper, p *collectv1.Portfolio) bool {
	if p.Collector == "" || p.Until <= ctx.Time.Unix() {
		return false
	}
	return mod.checkDelegation(ctx, k, p.Collector, p.Until) == nil
}

// sweepPortfolios applies the first portfolio delegation with cases left
// to go through to at most budget of the lender's cases after its cursor,
// and returns the budget left.
func (mod *Module) sweepPortfolios(ctx exec.Context, k Keeper, today calendar.Day, budget int) (int, error) {
	key, _, ok := store.First(k.kv, []byte{prefixPortSweep}, store.PrefixEnd([]byte{prefixPortSweep}))
	if !ok || budget <= 0 {
		return budget, nil
	}
	rest := key[1:]
	lender, class := string(rest[1:1+int(rest[0])]), creditv1.Class(rest[1+int(rest[0])])
	p, ok := k.Portfolio(lender, class)
	if !ok {
		k.unmark(key)
		return budget, nil
	}
	active := mod.portfolioActive(ctx, k, p)
	ids := k.ids(LenderCasesPrefix(lender), p.Cursor, budget)
	end := len(ids) < budget // fewer cases than asked for: the last of the lender's
	for _, id := range ids {
		budget--
		p.Cursor = id
		c, err := k.Case(id)
		if err != nil {
			return 0, err
		}
		if c.Status != collectv1.CaseStatus_CASE_STATUS_OPEN || (c.Delegate != "" && c.Delegate != p.Previous && c.Delegate != p.Collector) {
			continue
		}
		l, err := mod.loans.Loan(ctx, c.Loan)
		if err != nil {
			return 0, err
		}
		if l.Class != class {
			continue
		}
		before := shareOf(c)
		switch {
		case active && (c.Delegate != p.Collector || c.DelegateUntil != p.Until):
			mod.catchUp(ctx, k, c)
			mod.delegate(ctx, k, c, today, p.Collector, p.Until, "portfolio "+ClassName(class))
		case !active && c.Delegate != "" && c.Delegate == p.Previous:
			mod.catchUp(ctx, k, c)
			mod.endDelegation(ctx, k, c, today, "the portfolio's delegation ended")
		default:
			continue
		}
		if err := mod.saveCase(ctx, k, before, c); err != nil {
			return 0, err
		}
	}
	if end {
		p.Done = true
		k.unmark(key)
		if p.Collector == "" {
			k.unmark(PortfolioKey(lender, class))
			return budget, nil
		}
	}
	k.setProto(PortfolioKey(lender, class), p)
	return budget, nil
}

// portfolioSweepKey marks lender's portfolio of class as having cases for
// the sweep to go through.
func portfolioSweepKey(lender string, class creditv1.Class) []byte {
	return append(memberPrefix(prefixPortSweep, lender), byte(class))
}

// PortfolioKey is the store key of lender's delegation of its cases of
// class.
func PortfolioKey(lender string, class creditv1.Class) []byte {
	return append(memberPrefix(prefixPortfolio, lender), byte(class))
}
