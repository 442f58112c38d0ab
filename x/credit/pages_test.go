package credit_test

import (
	"fmt"
	"testing"

	"google.golang.org/protobuf/proto"

	creditv1 "github.com/ledgerd/ledgerd/proto/ledgerd/credit/v1"
	"github.com/ledgerd/ledgerd/x/credit"
)

// TestSubjectListsPaged: a person's enquiries and disputes are answered a
// page (credit.PageSize) at a time, from the start or after a sequence
// number or id, however many lenders' enquiries pile up.
func TestSubjectListsPaged(t *testing.T) {
	c := newChain(t, 0)
	t0 := at(2025, 1, 10)
	line := c.openLine(t0, c.product(), 2_000_000, false)
	c.draw(t0, line, 1_200_000)
	enq := &creditv1.MsgEnquire{Subject: subject[:], Purpose: creditv1.Purpose_PURPOSE_POST_LOAN}
	var txs [][]byte
	for range credit.PageSize + 1 {
		txs = append(txs, c.tx(c.maker, enq))
	}
	for i, r := range c.block(at(2025, 1, 11), txs...) {
		if r.Code != 0 {
			t.Fatalf("enquiry %d: %s", i, r.Log)
		}
	}
	page := func(path string, m proto.Message) {
		t.Helper()
		res := c.query(c.borrower, path, nil, false)
		if res.Code != 0 {
			t.Fatalf("%s: %s/%d %s", path, res.Codespace, res.Code, res.Log)
		}
		if err := proto.Unmarshal(res.Value, m); err != nil {
			t.Fatal(err)
		}
	}
	seqs := func(path string) string {
		t.Helper()
		out := new(creditv1.Enquiries)
		page(path, out)
		if len(out.Enquiries) == 0 {
			return "none"
		}
		return fmt.Sprintf("%d: %d..%d", len(out.Enquiries), out.Enquiries[0].Seq, out.Enquiries[len(out.Enquiries)-1].Seq)
	}
	base := "/credit/enquiries/" + subjectHex
	for path, want := range map[string]string{
		base:                                 "100: 1..100",
		base + "/after/100":                  "1: 101..101",
		base + "/after/50":                   "51: 51..101",
		base + "/after/101":                  "none",
		base + "/after/18446744073709551615": "none",
	} {
		if got := seqs(path); got != want {
			t.Errorf("%s: %s, want %s", path, got, want)
		}
	}
	ds := new(creditv1.Disputes)
	page("/credit/disputes/"+subjectHex+"/after/0", ds)
	if len(ds.Disputes) != 0 {
		t.Fatalf("disputes: %v", ds.Disputes)
	}
	if res := c.query(c.borrower, base+"/before/3", nil, false); res.Code != credit.ErrInvalidQuery.Code {
		t.Fatalf("a malformed page: %s/%d %s", res.Codespace, res.Code, res.Log)
	}
}
