package verifier_test

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"

	"github.com/ledgerd/ledgerd/client"
	"github.com/ledgerd/ledgerd/client/console/consoletest"
	"github.com/ledgerd/ledgerd/client/console/verifier"
	"github.com/ledgerd/ledgerd/x/calendar"
	"github.com/ledgerd/ledgerd/x/credit/creditclient"
)

// TestCreditAgainstDevnet proves a borrower's credit report with signed
// reads: as the borrower and as the demo's auditor it is verified and its
// score is the one the CLI's proven score computes; unsigned, or signed
// by someone the credit module does not allow, the node refuses. The
// loan is then written off, which opens a collection case: its record,
// timeline and complaints are verified with the auditor's key, refused
// unsigned, and a dropped timeline entry is caught; so is a relay that
// changes a month code.
func TestCreditAgainstDevnet(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a devnet")
	}
	d := consoletest.NewDevnet(t)
	d.Loan(t)
	relay := consoletest.NewTamper(t, d.RPC)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	v, err := verifier.New(ctx, relay.URL, 0, nil, time.Now)
	if err != nil {
		t.Fatal(err)
	}

	// No key: the node refuses the private store's read.
	c, err := v.Credit(ctx, d.Alice.Hex())
	if err != nil {
		t.Fatal(err)
	}
	if c.Report.Verified || !strings.Contains(c.Report.Error, "code 8") || c.Found {
		t.Fatalf("unsigned: %+v", c)
	}
	// Bob may not read Alice's report.
	bob, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if addr, err := v.SetReader(hex.EncodeToString(crypto.FromECDSA(bob)), ""); err != nil || addr != crypto.PubkeyToAddress(bob.PublicKey).Hex() {
		t.Fatalf("load a key: %s, %v", addr, err)
	}
	if c, err = v.Credit(ctx, d.Alice.Hex()); err != nil || c.Report.Verified || !strings.Contains(c.Report.Error, "code 8") {
		t.Fatalf("signed by a stranger: %+v, %v", c, err)
	}
	if _, err := v.SetReader("0x1234", ""); err == nil {
		t.Fatal("a short key was loaded")
	}

	// The auditor's key as a keystore file, then Alice's in hex.
	ks, err := keystore.EncryptKey(&keystore.Key{Id: uuid.New(), Address: crypto.PubkeyToAddress(d.Auditor.PublicKey), PrivateKey: d.Auditor},
		"pass", keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.SetReader(string(ks), "wrong"); err == nil {
		t.Fatal("a keystore file opened with the wrong passphrase")
	}
	for _, name := range []string{"auditor", "borrower"} {
		var err error
		if name == "auditor" {
			_, err = v.SetReader(string(ks), "pass")
		} else {
			_, err = v.SetReader("0x"+hex.EncodeToString(crypto.FromECDSA(d.AliceKey)), "")
		}
		if err != nil {
			t.Fatal(err)
		}
		c, err := v.Credit(ctx, d.Alice.Hex())
		if err != nil {
			t.Fatal(err)
		}
		if !c.Report.Verified || !c.Found || len(c.Loans) != 1 || len(c.Months) != 24 || len(c.Loans[0].Cells) != 24 || c.Score == nil || c.Score.Max != 1000 {
			t.Fatalf("%s: %+v", name, c)
		}
		l := c.Loans[0]
		if l.ID != 1 || l.Lender != "demo-bank" || l.Product != "instant-12m" || l.Limit.Text != "6000.00" || l.Balance.Text != "6000.00" ||
			l.Class != "normal" || l.Status != "current" || len(c.Totals) != 1 || c.Totals[0].Open != 1 {
			t.Fatalf("%s: loan %+v, totals %+v", name, l, c.Totals)
		}
		// The score the CLI's `query credit score --prove` computes.
		cl, err := client.New(d.RPC, client.WithReader(d.AliceKey))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := hex.DecodeString(c.Subject)
		day, err := calendar.ParseDay(c.Day)
		if err != nil {
			t.Fatal(err)
		}
		s, _, _, err := creditclient.New(cl).VerifiedScore(ctx, subject, day, c.Report.Mark.Height)
		cl.Close()
		if err != nil {
			t.Fatal(err)
		}
		if s.Points != c.Score.Points || len(s.Parts) != len(c.Score.Parts) {
			t.Fatalf("%s: score %d in the browser, %d by the CLI's code", name, c.Score.Points, s.Points)
		}
	}

	// The written-off loan's collection case: refused unsigned; its record
	// and timeline verified with the auditor's key.
	d.WriteOff(t, 1)
	if _, err := v.SetReader("", ""); err != nil {
		t.Fatal(err)
	}
	cv, err := v.Case(ctx, "1")
	if err != nil || cv.Record.Verified || !strings.Contains(cv.Record.Error, "code 8") {
		t.Fatalf("unsigned case: %+v, %v", cv, err)
	}
	if _, err := v.SetReader(hex.EncodeToString(crypto.FromECDSA(d.Auditor)), ""); err != nil {
		t.Fatal(err)
	}
	if cv, err = v.Case(ctx, "1"); err != nil || !cv.Record.Verified || !cv.Found || !cv.Timeline.Verified || !cv.Complaints.Verified {
		t.Fatalf("case: %+v, %v", cv, err)
	}
	if cv.Lender != "demo-bank" || cv.Loan != 1 || cv.Borrower != d.Alice.Hex() || cv.Status != "open" || cv.Count == 0 || uint64(len(cv.Events)) != cv.Count || cv.Events[0].Kind != "opened" {
		t.Fatalf("case: %+v", cv)
	}
	// The borrower may read her case, its timeline and her complaints.
	if _, err := v.SetReader(hex.EncodeToString(crypto.FromECDSA(d.AliceKey)), ""); err != nil {
		t.Fatal(err)
	}
	if cv, err = v.Case(ctx, "1"); err != nil || !cv.Record.Verified || !cv.Timeline.Verified || !cv.Complaints.Verified {
		t.Fatalf("case as the borrower: %+v, %v", cv, err)
	}
	if _, err := v.SetReader(hex.EncodeToString(crypto.FromECDSA(d.Auditor)), ""); err != nil {
		t.Fatal(err)
	}
	if cv, err = v.Case(ctx, "2"); err != nil || !cv.Record.Verified || cv.Found {
		t.Fatalf("no case 2: %+v, %v", cv, err)
	}
	relay.Set(consoletest.DropHistory)
	if cv, err = v.Case(ctx, "1"); err != nil || !cv.Record.Verified || cv.Timeline.Verified || len(cv.Events) != 0 {
		t.Fatalf("a dropped case entry: %+v, %v", cv, err)
	}
	relay.Set(consoletest.ChangeMonthCode)
	if c, err = v.Credit(ctx, d.Alice.Hex()); err != nil || c.Report.Verified || !strings.Contains(c.Report.Error, "does not match the app hash") || len(c.Loans) != 0 || c.Score != nil {
		t.Fatalf("changed month code: %+v, %v", c, err)
	}
}
