package history_test

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
)

// emit is the event Append writes for e.
func emit(e *historyv1.Entry) abci.Event {
	ctx := exec.New(nil, e.Height, time.Unix(e.Time, 0))
	ctx.TxHash = e.TxHash
	history.Append(ctx, e.Subject, e.Id, history.Chain{Count: e.Seq - 1}, e.Data)
	return ctx.Events()[0]
}

// FuzzFromEvent feeds history events of any attributes to FromEvent, as a
// node's index meets them in blocks. It must not panic, and what it
// accepts must be an entry Append writes back as an event that decodes to
// the same entry: the index keeps exactly what the chain emitted.
func FuzzFromEvent(f *testing.F) {
	good := &historyv1.Entry{Subject: "wallet", Id: bytes.Repeat([]byte{0xab}, 20), Seq: 7, Time: 1_767_225_600,
		TxHash: bytes.Repeat([]byte{1}, 32), Data: []byte{0x0a, 0x02, 0x08, 0x01}, Height: 12}
	attr := func(ev abci.Event, key string) string {
		for _, a := range ev.Attributes {
			if a.Key == key {
				return a.Value
			}
		}
		return ""
	}
	ev := emit(good)
	f.Add(history.Event, attr(ev, "subject"), attr(ev, "id"), attr(ev, "seq"), attr(ev, "time"), attr(ev, "tx"), true, attr(ev, "entry"), "", "")
	f.Add(history.Event, "loan", "0x0000000000000001", "1", "0", "", false, "", "seq", "2")
	f.Add(history.Event, "case", "0X01", "18446744073709551615", "-1", "zz", true, "!!", "entry", "AAEC")
	f.Add("transfer", "wallet", "0x01", "1", "1", "", false, "", "", "")

	f.Fuzz(func(t *testing.T, typ, subject, id, seq, tm, tx string, hasTx bool, entry, extraKey, extraValue string) {
		in := abci.Event{Type: typ}
		add := func(k, v string) {
			in.Attributes = append(in.Attributes, abci.EventAttribute{Key: k, Value: v, Index: true})
		}
		add("subject", subject)
		add("id", id)
		add("seq", seq)
		add("time", tm)
		if hasTx {
			add("tx", tx)
		}
		add("entry", entry)
		if extraKey != "" {
			add(extraKey, extraValue)
		}
		e, err := history.FromEvent(in, 12)
		if err != nil {
			return
		}
		if e.Subject == "" || len(e.Id) == 0 || e.Seq == 0 || (len(e.TxHash) != 0 && len(e.TxHash) != 32) || e.Height != 12 {
			t.Fatalf("accepted an entry no chain emits: %v", e)
		}
		again, err := history.FromEvent(emit(e), 12)
		if err != nil {
			t.Fatalf("the event Append writes for %v does not decode: %v", e, err)
		}
		if !proto.Equal(again, e) {
			t.Fatalf("decoded %v, which Append writes back as %v", e, again)
		}
	})
}

// TestVerify: Verify accepts a chain's entries exactly, and names what is
// wrong with any other list: one dropped, altered, reordered or added.
func TestVerify(t *testing.T) {
	ctx := exec.New(nil, 3, time.Unix(1_767_225_600, 0))
	var c history.Chain
	var entries []*historyv1.Entry
	for i := range 4 {
		c = history.Append(ctx, "wallet", []byte{1}, c, []byte{byte(i), 0xee})
	}
	for _, ev := range ctx.Events() {
		e, err := history.FromEvent(ev, 3)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, e)
	}
	if err := history.Verify(c, entries); err != nil {
		t.Fatalf("the chain's own entries: %v", err)
	}
	altered := make([]*historyv1.Entry, len(entries))
	for i, e := range entries {
		altered[i] = proto.Clone(e).(*historyv1.Entry)
	}
	altered[2].Data = []byte{9}
	swapped := []*historyv1.Entry{entries[1], entries[0], entries[2], entries[3]}
	for name, list := range map[string][]*historyv1.Entry{
		"dropped":   entries[:3],
		"added":     append(append([]*historyv1.Entry{}, entries...), entries[3]),
		"altered":   altered,
		"reordered": swapped,
	} {
		if err := history.Verify(c, list); err == nil {
			t.Errorf("%s: verified", name)
		}
	}
	if err := history.Verify(history.Chain{}, nil); err != nil {
		t.Errorf("an empty history: %v", err)
	}
}

// TestAppendQuiet: in a quiet context (a mempool check) Append emits
// nothing but moves the chain exactly as it does when it emits.
func TestAppendQuiet(t *testing.T) {
	at := time.Unix(1_767_225_600, 0)
	loud, quiet := exec.New(nil, 5, at), exec.New(nil, 5, at).Quiet()
	if !loud.Recording() || quiet.Recording() || quiet.WithStores(nil).Recording() {
		t.Fatal("Recording: want true for New, false for Quiet and the contexts derived from it")
	}
	c := history.Chain{Count: 2, Head: bytes.Repeat([]byte{7}, 32)}
	entry := []byte{0x0a, 0x02, 0x08, 0x01}
	a := history.Append(loud, "wallet", []byte{1}, c, entry)
	b := history.Append(quiet, "wallet", []byte{1}, c, entry)
	if a.Count != 3 || b.Count != a.Count || !bytes.Equal(a.Head, b.Head) {
		t.Fatalf("quiet chain %d %x, emitting chain %d %x", b.Count, b.Head, a.Count, a.Head)
	}
	if len(loud.Events()) != 1 || len(quiet.Events()) != 0 {
		t.Fatalf("events: emitting context %d, quiet %d; want 1 and 0", len(loud.Events()), len(quiet.Events()))
	}
}

// TestAppendMessage: appending a message is appending its canonical
// encoding, chain and event alike, entry after entry of different sizes
// (the encodings share an array).
func TestAppendMessage(t *testing.T) {
	at := time.Unix(1_767_225_600, 0)
	byBytes, byMessage := exec.New(nil, 5, at), exec.New(nil, 5, at)
	var a, b history.Chain
	for i := range 6 {
		m := &historyv1.Entry{Subject: "wallet", Seq: uint64(i + 1), Data: bytes.Repeat([]byte{byte(i)}, 40*(6-i))}
		a = history.Append(byBytes, "wallet", []byte{1}, a, history.Encode(m))
		b = history.AppendMessage(byMessage, "wallet", []byte{1}, b, m)
		if a.Count != b.Count || !bytes.Equal(a.Head, b.Head) {
			t.Fatalf("entry %d: chain %d %x, want %d %x", i, b.Count, b.Head, a.Count, a.Head)
		}
	}
	for i, want := range byBytes.Events() {
		if got := byMessage.Events()[i]; !reflect.DeepEqual(got, want) {
			t.Fatalf("event %d: %v, want %v", i, got, want)
		}
	}
}
