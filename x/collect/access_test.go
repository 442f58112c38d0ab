package collect_test

import (
	"crypto/ecdsa"
	"testing"
	"time"

	"github.com/ledgerd/ledgerd/app/apptest"
	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	"github.com/ledgerd/ledgerd/x/collect"
	"github.com/ledgerd/ledgerd/x/module"
)

// TestPrivateReads: the collection store answers a case, its permits, the
// borrower's lists and raw reads of their keys only to the borrower, the
// case's lender, its delegate while the delegation lasts (and a permit
// to the collector it was granted to), and a regulator; the parameters
// and statistics to anyone.
func TestPrivateReads(t *testing.T) {
	c := newChain(t)
	loan := c.openLoan()
	c.block(noon(2025, 2, 14))
	k := c.caseOf(loan)
	c.ok(noon(2025, 2, 14).Add(time.Minute), c.lender, &collectv1.MsgDelegateCase{Case: k.Id, Collector: agencyID, Until: noon(2025, 2, 20).Unix()})
	c.ok(noon(2025, 2, 14).Add(2*time.Minute), c.agency, &collectv1.MsgRequestPermit{Case: k.Id, Channel: call})
	borrower := addr(c.borrower).Hex()
	paths := []string{
		"/collect/case/" + itoa(int64(k.Id)),
		"/collect/permit/1",
		"/collect/cases/borrower/" + borrower,
		"/collect/permits/" + borrower + "/call/0/9999999999",
		"/store/collect/key",
	}
	data := func(p string) []byte {
		if p == "/store/collect/key" {
			return collect.CaseKey(k.Id)
		}
		return nil
	}
	check := func(who string, key *ecdsa.PrivateKey, allowed bool) {
		t.Helper()
		for _, p := range paths {
			var code uint32
			if key == nil {
				code = c.h.Query(p, data(p), 0, false).Code
			} else {
				code = c.h.SignedQuery(key, p, data(p), 0, false).Code
			}
			if allowed && code != 0 || !allowed && code != module.ErrReadRefused.Code {
				t.Errorf("%s reads %s: code %d, allowed %v", who, p, code, allowed)
			}
		}
	}
	check("unsigned", nil, false)
	check("the borrower", c.borrower, true)
	check("the lender", c.lender, true)
	check("the delegate", c.agency, true)
	check("the regulator", c.regulator, true)
	check("another lender", c.h.OtherIssuerKey(), false)
	check("another wallet", c.h.WalletKey(2), false)
	for _, p := range []string{"/collect/params", "/collect/stats/" + apptest.Issuer} {
		if res := c.h.Query(p, nil, 0, false); res.Code != 0 {
			t.Errorf("unsigned %s: %s", p, res.Log)
		}
	}
	// The delegation ends: the agency reads no more of the case or the
	// borrower, only the permit it was granted (its own record).
	c.block(noon(2025, 2, 21))
	paths = append(paths[:1], paths[2:]...)
	check("the delegate after its delegation", c.agency, false)
	if res := c.h.SignedQuery(c.agency, "/collect/permit/1", nil, 0, false); res.Code != 0 {
		t.Errorf("the agency reads its permit: %s", res.Log)
	}
}
