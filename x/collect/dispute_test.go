package collect

import (
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	collectv1 "github.com/ledgerd/ledgerd/proto/ledgerd/collect/v1"
	consortiumv1 "github.com/ledgerd/ledgerd/proto/ledgerd/consortium/v1"
	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/exec"
)

// stubMembers: every signer operates for "bank", a lender.
type stubMembers struct{}

func (stubMembers) Member(id string) (*consortiumv1.Member, error) {
	return &consortiumv1.Member{Id: id, Status: consortiumv1.MemberStatus_MEMBER_STATUS_ACTIVE,
		Roles: []consortiumv1.Role{consortiumv1.Role_ROLE_LENDER}}, nil
}
func (s stubMembers) Acting(common.Address) (*consortiumv1.Member, error) { return s.Member("bank") }
func (s stubMembers) ActingMember(common.Address, consortiumv1.Role) (*consortiumv1.Member, error) {
	return s.Member("bank")
}

// stubLoans: loan 1 is overdue since 2025-02-10, in UTC+8.
type stubLoans struct{ Loans } // the plan methods are not used

func (stubLoans) loan() *creditv1.Loan {
	os, _ := calendar.Date(2025, 2, 10)
	return &creditv1.Loan{Id: 1, Lender: "bank", Borrower: make([]byte, 20), Terms: &creditv1.Terms{Denom: "CNY"},
		OverdueSince: int64(os), Status: creditv1.LoanStatus_LOAN_STATUS_OVERDUE}
}
func (s stubLoans) Loan(exec.Context, uint64) (*creditv1.Loan, error)      { return s.loan(), nil }
func (s stubLoans) TouchLoan(exec.Context, uint64) (*creditv1.Loan, error) { return s.loan(), nil }
func (stubLoans) Zone(exec.Context) calendar.Zone                          { return calendar.Zone{UTCOffset: 8 * 3600} }

// TestDisputePausesContact: while the dispute source says the loan's
// dispute is open, a permit that keeps every other rule is refused with
// collect/16; once it is answered, the same request is granted.
func TestDisputePausesContact(t *testing.T) {
	mod := New(func(exec.Context) Members { return stubMembers{} }, stubLoans{})
	open := true
	mod.SetDisputes(func(_ exec.Context, loan uint64) bool { return open && loan == 1 })
	b := store.NewBranch([]string{StoreName}, []store.Reader{store.Empty})
	at := time.Date(2025, 2, 14, 2, 0, 0, 0, time.UTC) // 10:00 in UTC+8
	ctx := exec.New(b, 1, at)
	NewKeeper(ctx.KV(StoreName)).setProto(ParamsKey(), DefaultParams())
	if err := mod.LoanSaved(ctx, stubLoans{}.loan()); err != nil {
		t.Fatal(err)
	}
	c, err := NewView(ctx.KV(StoreName)).Case(1)
	if err != nil {
		t.Fatal(err)
	}
	req := &collectv1.MsgRequestPermit{Case: c.Id, Channel: collectv1.Channel_CHANNEL_CALL}
	tx := b.Branch()
	if err := mod.RequestPermit(ctx.WithStores(tx), req); !errors.Is(err, ErrDisputeOpen) {
		t.Fatalf("permit during a dispute: %v, want %v", err, ErrDisputeOpen)
	}
	open = false
	if err := mod.RequestPermit(ctx.WithStores(b.Branch()), req); err != nil {
		t.Fatalf("permit after the dispute was answered: %v", err)
	}
}
