package settle_test

import (
	"errors"
	"testing"

	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	settlev1 "github.com/ledgerd/ledgerd/proto/ledgerd/settle/v1"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/settle"
	"github.com/ledgerd/ledgerd/x/wallet"
)

// TestDeadline: business days skip weekends and holidays and count the
// working days; 2025-10-01 to 10-07 is China's National Day week, with
// Sunday 28 September and Saturday 11 October worked.
func TestDeadline(t *testing.T) {
	p := settle.DefaultParams()
	for d := day(2025, 10, 1); d <= day(2025, 10, 7); d++ {
		if wd := (int64(d) + 4) % 7; wd != 0 && wd != 6 {
			p.Holidays = append(p.Holidays, int64(d))
		}
	}
	p.WorkingDays = []int64{int64(day(2025, 9, 28)), int64(day(2025, 10, 11))}
	if _, err := settle.ValidateParams(p, nil); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		closed calendar.Day
		days   uint32
		want   calendar.Day
	}{
		{day(2025, 1, 1), 0, day(2025, 1, 1)},    // Wednesday, same day
		{day(2025, 1, 1), 1, day(2025, 1, 2)},    // Thursday
		{day(2025, 1, 3), 1, day(2025, 1, 6)},    // Friday -> Monday
		{day(2025, 1, 4), 1, day(2025, 1, 6)},    // Saturday -> Monday
		{day(2025, 9, 26), 1, day(2025, 9, 28)},  // Friday -> the Sunday worked
		{day(2025, 9, 30), 1, day(2025, 10, 8)},  // past the holidays
		{day(2025, 10, 9), 2, day(2025, 10, 11)}, // Thursday -> Friday -> the Saturday worked
	} {
		p.DeadlineDays = c.days
		if got := settle.Deadline(p, c.closed); got != c.want {
			t.Errorf("closed %s, %d business days: %s, want %s", c.closed, c.days, got, c.want)
		}
	}
	if !settle.BusinessDay(p, day(2025, 9, 28)) || settle.BusinessDay(p, day(2025, 10, 3)) || settle.BusinessDay(p, day(2025, 10, 4)) {
		t.Error("business days")
	}
}

// TestValidateParams: every refusal is settle/4, saying why.
func TestValidateParams(t *testing.T) {
	members := wallet.MemberList{
		{Id: "bank-a", Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER}},
		{Id: "cnaps", Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_SETTLEMENT_AGENT}},
		{Id: "both", Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_ISSUER, consortiumv1.Role_ROLE_SETTLEMENT_AGENT}},
	}
	ok := func() *settlev1.Params { p := settle.DefaultParams(); p.Agent = "cnaps"; return p }
	if _, err := settle.ValidateParams(ok(), members); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(p *settlev1.Params){
		"agent without the role": func(p *settlev1.Params) { p.Agent = "bank-a" },
		"agent an issuer":        func(p *settlev1.Params) { p.Agent = "both" },
		"no sweep":               func(p *settlev1.Params) { p.SweepPerBlock = 0 },
		"deadline too far":       func(p *settlev1.Params) { p.DeadlineDays = 31 },
		"holiday on a Saturday":  func(p *settlev1.Params) { p.Holidays = []int64{int64(day(2025, 1, 4))} },
		"working day a weekday":  func(p *settlev1.Params) { p.WorkingDays = []int64{int64(day(2025, 1, 3))} },
		"holiday twice":          func(p *settlev1.Params) { p.Holidays = []int64{int64(day(2025, 1, 3)), int64(day(2025, 1, 3))} },
		"cap of a non-issuer":    func(p *settlev1.Params) { p.Caps = []*settlev1.NetDebitCap{{Bank: "cnaps", Denom: "CNY", Cap: 1}} },
		"cap twice": func(p *settlev1.Params) {
			p.Caps = []*settlev1.NetDebitCap{{Bank: "bank-a", Denom: "CNY", Cap: 1}, {Bank: "bank-a", Denom: "CNY", Cap: 2}}
		},
	} {
		p := ok()
		edit(p)
		if _, err := settle.ValidateParams(p, members); !errors.Is(err, settle.ErrInvalidParams) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
