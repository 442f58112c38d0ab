// Package exec is what a message handler sees of the block and transaction
// it runs in: height, block time, the signer, the transaction hash, the
// module stores, and an event sink. Handlers are pure functions of this
// context and their message.
package exec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgerd/ledgerd/store"
)

// Stores gives a module its store by name.
type Stores interface {
	KV(name string) store.KV
}

// Context is one transaction's (or genesis's) execution context. It is
// passed by value; its stores and events are shared by the copies.
type Context struct {
	// Height and Time come from the block header; Time is the only clock
	// state-machine code may read.
	Height int64
	Time   time.Time
	// ChainID is the CometBFT chain id.
	ChainID string
	// TxHash is the SHA-256 of the transaction bytes (nil at genesis).
	TxHash []byte
	// Signer is the transaction's verified signer, Account the kind of its
	// nonce account ("operator", "wallet": see module.Accounts) and
	// AccountID that account's address: the signer's own, or the wallet
	// whose current key the signer is (its id outlives key rotations).
	Signer    common.Address
	Account   string
	AccountID common.Address
	// Cosigner is the key that made the transaction's second signature,
	// over the same digest; the zero address when it has none. Only
	// accounts that accept one (module.Accounts.SecondSignature) see it.
	Cosigner common.Address

	stores Stores
	rec    *record
	// txHex is txHexOf (TxHash when WithTx set it) in lowercase hex, and
	// unixText is unixOf (Time when New set it) in decimal: what events
	// carry, made once per transaction and per block instead of per event.
	txHex    string
	txHexOf  []byte
	unixText string
	unixOf   int64
	// quiet contexts record no events (Quiet).
	quiet bool
	// files are genesis's files (WithGenesisFiles).
	files GenesisFiles
}

// GenesisFiles are the files beside the genesis document that a genesis
// section may name, each with its SHA-256 (module.OpenGenesisFile): a
// genesis too large for the document itself, which CometBFT keeps in
// memory and parses at every start, keeps the bulk of its records there.
// They exist at genesis only; the zero value has none.
type GenesisFiles struct {
	// FS holds them (the genesis file's directory); nil: none, and a
	// section that names a file fails.
	FS fs.FS
	// Skip loads a genesis for the peer filter of a node joining by state
	// sync, which needs the members: a section that names a file loads
	// without it, and the sections of the modules after the last one with
	// a peer filter are not loaded (they may check records a skipped file
	// holds). Never for InitChain.
	Skip bool
}

// WithGenesisFiles returns a copy of c that reads genesis's files from f.
func (c Context) WithGenesisFiles(f GenesisFiles) Context {
	c.files = f
	return c
}

// GenesisFiles returns the files set by WithGenesisFiles.
func (c Context) GenesisFiles() GenesisFiles { return c.files }

// New returns a context over stores that collects events into a fresh list.
func New(stores Stores, height int64, t time.Time) Context {
	return Context{Height: height, Time: t, stores: stores, rec: new(record),
		unixText: strconv.FormatInt(t.Unix(), 10), unixOf: t.Unix()}
}

// WithTx returns a copy of c for the transaction whose SHA-256 is hash.
func (c Context) WithTx(hash []byte) Context {
	c.TxHash = hash
	if !c.quiet && len(hash) <= sha256.Size {
		var buf [2 * sha256.Size]byte
		n := hex.Encode(buf[:], hash)
		c.txHex, c.txHexOf = string(buf[:n]), hash
	}
	return c
}

// TxHashHex is TxHash in lowercase hex, as events carry it ("" when
// there is none).
func (c Context) TxHashHex() string {
	if c.txHex != "" && bytes.Equal(c.txHexOf, c.TxHash) {
		return c.txHex
	}
	return hex.EncodeToString(c.TxHash)
}

// UnixText is Time in decimal Unix seconds, as events carry it.
func (c Context) UnixText() string {
	if u := c.Time.Unix(); u != c.unixOf || c.unixText == "" {
		return strconv.FormatInt(u, 10)
	}
	return c.unixText
}

// KV returns the named module store.
func (c Context) KV(name string) store.KV { return c.stores.KV(name) }

// WithStores returns a copy of c over other stores with its own event list:
// a branch for one transaction.
func (c Context) WithStores(s Stores) Context {
	c.stores = s
	if c.quiet {
		c.rec = &quietRecord
		return c
	}
	c.rec = new(record)
	c.rec.events = c.rec.room[:0]
	c.rec.attrs = c.rec.attrRoom[:0]
	return c
}

// quietRecord is the record of every quiet context over a branch of its
// own (WithStores): nothing writes to it, as a quiet context records no
// event and remembers no address.
var quietRecord record

// record is what the copies of a context share: the events recorded, and
// the text of the two addresses last put in them (Context.Hex).
type record struct {
	events []abci.Event
	// room holds a transaction's first events (a payment's: the
	// transaction, the transfer, each side's history entry), which
	// appending regrew three times.
	room [txEvents]abci.Event
	// attrs is where Emit takes its events' attributes from while
	// attrRoom lasts.
	attrs    []abci.EventAttribute
	attrRoom [txAttributes]abci.EventAttribute
	hexes    [2]addressText
	next     int // the entry of hexes to replace
}

type addressText struct {
	a    common.Address
	text string
}

// txEvents and txAttributes are the room WithStores makes for a
// transaction's events and their attributes: a payment's four events and
// nineteen attributes fit, with room for two more events, and the record
// stays in the allocator's 1,152-byte class.
const (
	txEvents     = 6
	txAttributes = 19
)

// Quiet returns a copy of c, and of every context derived from it, that
// records no events: for a mempool check, whose events nobody reads, so
// that it does not pay for building them. Execution is otherwise the same.
func (c Context) Quiet() Context {
	c.quiet = true
	return c
}

// Recording reports whether Emit records events: false in a Quiet context,
// where a handler may skip preparing costly attribute values.
func (c Context) Recording() bool { return !c.quiet }

// Emit records an event (nothing in a Quiet context). attrs are key, value
// pairs.
func (c Context) Emit(kind string, attrs ...string) {
	if c.quiet {
		return
	}
	ev := abci.Event{Type: kind}
	if n := len(attrs) / 2; n > 0 {
		if r := c.rec; cap(r.attrs)-len(r.attrs) >= n {
			// Capped, so that an append to one event's attributes
			// cannot write over the next event's.
			start := len(r.attrs)
			r.attrs = r.attrs[:start+n]
			ev.Attributes = r.attrs[start : start : start+n]
		} else {
			ev.Attributes = make([]abci.EventAttribute, 0, n)
		}
	}
	for i := 0; i+1 < len(attrs); i += 2 {
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: attrs[i], Value: attrs[i+1], Index: true})
	}
	c.rec.events = append(c.rec.events, ev)
}

// Events returns the events recorded so far.
func (c Context) Events() []abci.Event { return c.rec.events }

// Hex is Hex(a), remembered for the two addresses last asked for: a
// payment names its two sides five times in its events.
func (c Context) Hex(a common.Address) string {
	if c.quiet || c.rec == nil {
		return Hex(a)
	}
	for _, h := range c.rec.hexes {
		if h.text != "" && h.a == a {
			return h.text
		}
	}
	text := Hex(a)
	c.rec.hexes[c.rec.next] = addressText{a, text}
	c.rec.next = (c.rec.next + 1) % len(c.rec.hexes)
	return text
}

// Hex is an address as event attributes carry it: 0x and lowercase hex,
// as in Ethereum's JSON. (EIP-55 checksumming costs a keccak per address,
// and events are read by machines.)
func Hex(a common.Address) string {
	var buf [2 + 2*common.AddressLength]byte
	copy(buf[:], "0x")
	hex.Encode(buf[2:], a[:])
	return string(buf[:])
}

// ReadOnly returns a context over committed state, for queries that read
// through views built from a context: reader gives each store's state at
// height. Writing to its stores panics.
func ReadOnly(height int64, reader func(name string) store.Reader) Context {
	return Context{Height: height, stores: readOnly(reader), rec: new(record)}
}

type readOnly func(name string) store.Reader

func (r readOnly) KV(name string) store.KV { return readOnlyKV{r(name)} }

type readOnlyKV struct{ store.Reader }

func (readOnlyKV) Set([]byte, []byte) { panic("exec: write to a read-only context") }
func (readOnlyKV) Delete([]byte)      { panic("exec: write to a read-only context") }

// Scratch returns a context over overlays of ctx's stores, with its own
// events, and commit, which writes the overlays' writes into ctx's stores
// (in store order of first use, each in key order) and appends its events
// to ctx's. Dropping the scratch context without commit discards both: the
// way to try something that may fail half-way and keep nothing of it.
func Scratch(ctx Context) (Context, func()) {
	s := &scratchStores{base: ctx, overlays: map[string]*store.Overlay{}}
	sc := ctx.WithStores(s)
	return sc, func() {
		for _, name := range s.order {
			s.overlays[name].WriteTo(ctx.KV(name))
		}
		if events := sc.Events(); len(events) > 0 {
			ctx.rec.events = append(ctx.rec.events, events...)
		}
	}
}

// scratchStores buffers writes over a context's stores.
type scratchStores struct {
	base     Context
	overlays map[string]*store.Overlay
	order    []string // names in first-use order, for a deterministic commit
}

func (s *scratchStores) KV(name string) store.KV {
	o, ok := s.overlays[name]
	if !ok {
		o = store.NewOverlay(s.base.KV(name))
		s.overlays[name] = o
		s.order = append(s.order, name)
	}
	return o
}
