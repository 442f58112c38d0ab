// Package history is the generic history chain: a record (a wallet, a
// loan, a collection case) keeps an accumulator (count, head) of its
// history, head_n = keccak256(head_{n-1} || entry_n) from 32 zero bytes,
// and every entry goes out in an event that every node writes to its
// off-consensus history index (package node/history). Anyone fetches the
// entries from any node and checks them against the proven accumulator
// (Verify): all of them, in order, none altered, while consensus state
// stays the size of the records, not of their histories.
//
// A subject is a kind of record ("wallet") and its id (the owner's
// address); a module owns its subjects, their entry types (protobuf
// messages, hashed in their canonical encoding) and where the accumulator
// lives (module.HistorySubject).
//
// Everything here is deterministic consensus code, but Verify and
// FromEvent, which clients and the index use.
package history

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/crypto"
	"google.golang.org/protobuf/proto"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/store"
)

// Event is the event that carries one entry to the history indexes.
// Attributes: subject, id (0x-hex), seq (decimal), time (Unix seconds),
// tx (hex hash; absent for an entry of the block's own work), entry
// (standard base64 of the entry's canonical bytes). subject and id are
// indexed, so a subject's entries can be subscribed to.
const Event = "history"

// Chain is a record's accumulator: how many entries its history has and
// the hash of them all.
type Chain struct {
	Count uint64
	Head  []byte
}

// Next is the accumulator step: keccak256(head || entry), with an empty
// head standing for 32 zero bytes.
func Next(head, entry []byte) []byte {
	if len(head) == 0 {
		head = make([]byte, 32)
	}
	return crypto.Keccak256(head, entry)
}

// Encode is m's canonical encoding: the bytes an accumulator hashes, the
// deterministic encoding state's records have (store.Marshal).
func Encode(m proto.Message) []byte {
	b, err := store.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("history: encode %T: %v", m, err))
	}
	return b
}

// Verify checks that entries, seq 1 to n in order, are exactly the
// history a proven accumulator c commits to: as many, none altered. It
// names the first entry that does not fit.
func Verify(c Chain, entries []*historyv1.Entry) error {
	if uint64(len(entries)) != c.Count {
		return fmt.Errorf("%d entries, the proven accumulator counts %d", len(entries), c.Count)
	}
	var h []byte
	for i, e := range entries {
		if e.Seq != uint64(i+1) {
			return fmt.Errorf("entry %d has seq %d: missing or out of order", i+1, e.Seq)
		}
		h = Next(h, e.Data)
	}
	if c.Count == 0 && len(c.Head) == 0 {
		return nil
	}
	if !bytes.Equal(h, c.Head) {
		return fmt.Errorf("the %d entries hash to %x, the proven head is %x: an entry was altered", c.Count, h, c.Head)
	}
	return nil
}

// FromEvent decodes a history event, at height, into the entry the index
// keeps. It fails on an event of another type or a malformed one.
func FromEvent(ev abci.Event, height int64) (*historyv1.Entry, error) {
	if ev.Type != Event {
		return nil, fmt.Errorf("event %q is not %q", ev.Type, Event)
	}
	attrs := make(map[string]string, len(ev.Attributes))
	for _, a := range ev.Attributes {
		attrs[a.Key] = a.Value
	}
	e := &historyv1.Entry{Subject: attrs["subject"], Height: height}
	var err error
	if e.Subject == "" || len(e.Subject) > 255 {
		return nil, fmt.Errorf("history event: subject %q", e.Subject)
	}
	if len(attrs["id"]) < 2 || attrs["id"][:2] != "0x" {
		return nil, fmt.Errorf("history event: id %q is not 0x-hex", attrs["id"])
	}
	if e.Id, err = hex.DecodeString(attrs["id"][2:]); err != nil || len(e.Id) == 0 || len(e.Id) > 255 {
		return nil, fmt.Errorf("history event: id %q: want 1 to 255 bytes of 0x-hex", attrs["id"])
	}
	if e.Seq, err = strconv.ParseUint(attrs["seq"], 10, 64); err != nil || e.Seq == 0 {
		return nil, fmt.Errorf("history event: seq %q", attrs["seq"])
	}
	if e.Time, err = strconv.ParseInt(attrs["time"], 10, 64); err != nil {
		return nil, fmt.Errorf("history event: time %q", attrs["time"])
	}
	if tx, ok := attrs["tx"]; ok {
		if e.TxHash, err = hex.DecodeString(tx); err != nil || len(e.TxHash) != 32 {
			return nil, fmt.Errorf("history event: tx %q: want a 32-byte hex hash", tx)
		}
	}
	if e.Data, err = base64.StdEncoding.DecodeString(attrs["entry"]); err != nil {
		return nil, fmt.Errorf("history event: entry: %w", err)
	}
	return e, nil
}

// SerialID is the history id of a record numbered from 1 (a loan, a case,
// a cycle): the number, 8 bytes big-endian.
func SerialID(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// ParseSerialID returns a module.HistorySubject's ParseID for records
// numbered from 1: it reads the decimal number people write ("7") and
// names what in its error ("loan id \"x\": want a positive decimal number").
func ParseSerialID(what string) func(string) ([]byte, error) {
	return func(s string) ([]byte, error) {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil || n == 0 {
			return nil, fmt.Errorf("%s id %q: want a positive decimal number", what, s)
		}
		return SerialID(n), nil
	}
}
