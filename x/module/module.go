// Package module is the contract between ledgerd's state-machine modules
// and the app. A module describes itself once, in a Module value: its
// store, its genesis section, its messages (each registered once with its
// validation, signer rule, execution and CLI command), its begin- and
// end-block work, its query paths, its parameters and the governance
// actions it executes, its invariants and its events. The app holds an
// ordered list of modules and drives them through these descriptions
// only; it has no code for any module or message.
//
// Everything a module registers that runs in a block or at genesis is
// consensus code: a deterministic function of its context and its input
// (package exec), bounded in work, with no I/O, clock or randomness. Query
// handlers read committed state only. CLI specifications are data, turned
// into commands by the ledgerd binary.
//
// docs/modules.md walks through writing a module.
package module

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/errcode"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/history"
)

// Module is one business domain plugged into the app. Only Name is
// required; every other part is optional.
type Module struct {
	// Name names the module's store (and its proof op key), its genesis
	// section, its query paths (/<Name>/...) and its CLI group
	// (ledgerd tx <Name> ..., ledgerd query <Name> ...): lowercase letters.
	Name string
	// Doc is one line on what the module keeps, for help texts.
	Doc string

	// Genesis reads, checks and writes the module's section of the genesis
	// file.
	Genesis *Genesis
	// Msgs are the messages the module executes, one registration each.
	Msgs []Msg
	// Accounts, if set, resolves transaction signers to the accounts whose
	// nonces they use.
	Accounts *Accounts

	// BeginBlock runs at the start of every block, before its
	// transactions; EndBlock after them. Both must bound their work per
	// block (carrying what is left to the next block) and may not fail
	// but for corrupted state: an error stops the node.
	BeginBlock func(ctx exec.Context) error
	EndBlock   func(ctx exec.Context) ([]abci.ValidatorUpdate, error)

	// Queries answer the module's query paths from committed state.
	Queries []Query
	// Params is the module's parameter record, which governance replaces.
	Params *Params
	// GovActions are the governance actions whose effect is on this
	// module's state.
	GovActions []GovAction
	// Invariants are checks over the module's whole state, for tests and
	// auditors (their cost is linear in the state: never run in a block).
	Invariants []Invariant
	// Events documents the events the module emits and says which
	// attributes CometBFT indexes.
	Events []Event
	// PeerFilter, if set, decides whether this node accepts P2P node
	// nodeID as a peer, from committed state (nil: accepted).
	PeerFilter func(r store.Reader, nodeID string) error
	// ChainParams, set by exactly one module, reads the chain-wide limits
	// the app's pipeline applies from the module's state.
	ChainParams func(r store.Reader) ChainParams
	// Histories are the kinds of record whose history chains (package
	// history) the module keeps.
	Histories []HistorySubject
	// Private, if set, makes the module's store private: the app answers
	// a query of its paths, a raw read of its store (with the keys a proof
	// of absence reveals), and a history query of its subjects only when
	// Private allows the request's reader (ErrReadRefused otherwise).
	// Readers sign their requests (auth.Read). An operator of a node
	// still sees the raw state on disk.
	Private func(a ReadAccess) error
}

// ReadAccess is a read of a private module's state for Module.Private to
// decide.
type ReadAccess struct {
	// Stores are the committed stores of the height read.
	Stores Stores
	// Reader is the address that signed the request; nil if unsigned.
	Reader *common.Address
	// Now is the time of the node's last block (requests are judged as
	// of now, whatever height they read).
	Now time.Time
	// Path is the query path after "/<module>/", with its Data; empty for
	// a raw read of Key in the module's store.
	Path string
	Data []byte
	Key  []byte
}

// HistorySubject is a kind of record with a history chain: where its
// accumulator is proven, and how its entries read.
type HistorySubject struct {
	// Name is the subject's name in history events and requests
	// ("wallet").
	Name string
	Doc  string
	// Key returns the store key (in the module's store) of the record of
	// id, which holds the accumulator; Chain reads the accumulator from
	// that record's value.
	Key   func(id []byte) []byte
	Chain func(value []byte) (history.Chain, error)
	// Decode reads an entry's data as the module's entry message, refusing
	// bytes that are not its canonical encoding.
	Decode func(data []byte) (proto.Message, error)
	// ParseID reads an id as people write it (a 0x address, a loan number).
	ParseID func(s string) ([]byte, error)
}

// ChainParams are the chain-wide limits of the transaction pipeline and
// the numeric chain id of the signing domain: consensus parameters, in
// state, never node configuration.
type ChainParams struct {
	// NumericID is the EIP-712 domain's chainId.
	NumericID uint64
	// MaxTxBytes caps a transaction's size, MaxBlockTxs a block's
	// transactions, MaxTxValidityBlocks how far ahead a transaction's
	// valid_until_height may be.
	MaxTxBytes, MaxBlockTxs, MaxTxValidityBlocks uint64
}

var namePattern = regexp.MustCompile(`^[a-z]{2,16}$`)

// Check reports the first inconsistency in m's description: a bad name, a
// message without a type, execution or signer rule, a query without a
// path. The app checks every module when it starts.
func (m *Module) Check() error {
	if !namePattern.MatchString(m.Name) {
		return fmt.Errorf("module name %q: want 2-16 lowercase letters", m.Name)
	}
	for i, msg := range m.Msgs {
		switch {
		case msg.Type == nil:
			return fmt.Errorf("module %s: message %d has no Type", m.Name, i)
		case msg.Execute == nil || msg.Signer == nil:
			return fmt.Errorf("module %s: message %s has no Execute or no Signer", m.Name, msg.Name())
		}
	}
	for _, q := range m.Queries {
		if q.Path == "" || q.Handle == nil {
			return fmt.Errorf("module %s: a query without a path or handler", m.Name)
		}
	}
	if p := m.Params; p != nil && (len(p.Key) == 0 || p.New == nil || p.Validate == nil) {
		return fmt.Errorf("module %s: Params needs Key, New and Validate", m.Name)
	}
	for _, a := range m.GovActions {
		if a.Field == "" || a.Apply == nil {
			return fmt.Errorf("module %s: a governance action without a field or Apply", m.Name)
		}
	}
	return nil
}

// Genesis is a module's section of the genesis file (app_state.<Name>).
type Genesis struct {
	// Default is the section a genesis without one gets; nil makes the
	// section required.
	Default func() json.RawMessage
	// Init checks the section against the state the modules before this
	// one wrote (readable through ctx, which is at height 0 and the genesis
	// time) and writes the module's initial state. It returns the
	// validators the chain starts with, if the module keeps them. A
	// malformed or inconsistent section fails with the module's registered
	// genesis error, saying what is wrong.
	Init func(ctx exec.Context, section json.RawMessage) ([]abci.ValidatorUpdate, error)
}

// Accounts resolves signers to nonce accounts: a transaction's signer must
// have an account in one module, whose nonce orders its transactions.
type Accounts struct {
	// Kind names the accounts ("operator", "wallet"): exec.Context.Account
	// carries it to handlers and signer rules.
	Kind string
	// Lookup returns the account signer signs for, read from ctx's stores
	// at ctx's time: found is false when this module has none for it, and
	// a registered error refuses signer outright (a wallet key replaced by
	// a rotation or a recovery). An account's id is the signer's own
	// address unless the module maps keys to accounts (a wallet whose key
	// was rotated keeps its address as its id).
	Lookup func(ctx exec.Context, signer common.Address) (acct Account, found bool, err error)
	// IncrementNonce adds one to the nonce of the account id, which exists.
	IncrementNonce func(kv store.KV, id common.Address)
	// SecondSignature says whether these accounts' transactions may carry
	// a second signature (exec.Context.Cosigner), which the module's rules
	// then check; the app refuses one otherwise (auth/20).
	SecondSignature bool
}

// Account is a nonce account a signer signs for.
type Account struct {
	// ID is the account's address: the signer's own, or the wallet whose
	// current key the signer is.
	ID    common.Address
	Nonce uint64
}

// Signer is the rule of who may sign a message. The app checks it after the
// nonce and before Execute, so that a handler never runs for a signer the
// rule refuses; a handler may check more (the bank of record of the
// wallet it acts on).
type Signer interface {
	// Authorize fails, with a registered error, unless ctx.Signer (whose
	// account kind is ctx.Account) may sign the message.
	Authorize(ctx exec.Context) error
	// Describe says who may sign, for docs and help ("an operator of an
	// issuer").
	Describe() string
}

// AnySigner lets every account sign; the handler decides.
type AnySigner string

// Authorize implements Signer.
func (AnySigner) Authorize(exec.Context) error { return nil }

// Describe implements Signer.
func (s AnySigner) Describe() string { return string(s) }

// Query is one of a module's query paths: /<module>/<Path>, or a family of
// paths /<module>/<Path>/... when Path ends in '/'.
type Query struct {
	Path string
	// Doc says what the path answers, in which protobuf message.
	Doc string
	// Handle answers from the committed state at one height. rest is the
	// part of the path after Path (empty for an exact path); data is the
	// request's data. Errors are registered errors. It reads through s
	// only, so that a client can run it over proven reads to prove its
	// answer (client.ProvenReads is a Stores).
	Handle func(s Stores, rest string, data []byte) (proto.Message, error)
	// CLI, if set, is the query's command, `ledgerd query <module> ...`.
	CLI *QueryCLI
	// WholeState marks a query whose cost grows with the whole state (an
	// invariant over every wallet): the app answers it at the last
	// committed height only, computing it at most once per height and
	// answering later callers from that result, so that callers cannot
	// make a node repeat the scan.
	WholeState bool
}

// QueryCLI specifies a query's command. The binary builds the path from
// the input, asks the node (or, with --prove, runs Handle itself over
// reads proven against a light-client-verified header), and prints the
// answer: protobuf JSON with -o json; else each field for people, amounts
// in major units of their denomination, days and times as dates.
type QueryCLI struct {
	// Use is the command and its arguments: "loan ID".
	Use   string
	Short string
	Long  string
	// Args is how many positional arguments it takes (at least, when
	// Path reads optional ones).
	Args int
	// Flags it reads in Path.
	Flags []Flag
	// Path returns the part of the path after Query.Path (nil: the
	// arguments joined by '/').
	Path func(in Input) (string, error)
	// Answer is a value of the answer's type, e.g. (*creditv1.Loan)(nil).
	Answer proto.Message
}

// Stores gives a query the module stores of one committed height.
type Stores interface {
	// Reader returns the named store's state at the height.
	Reader(name string) store.Reader
	// Height is the height of the state.
	Height() int64
}

// Params is a module's parameter record: one protobuf message under one
// key of the module's store, replaced by governance's set-params action.
type Params struct {
	// Key is the record's key in the module's store.
	Key []byte
	// New returns an empty parameters message.
	New func() proto.Message
	// Validate checks next against the current state (read through ctx) and
	// returns it as it is to be stored (normalised: lists sorted, defaults
	// filled). It fails with a registered error saying what is wrong.
	Validate func(ctx exec.Context, next proto.Message) (proto.Message, error)
	// Doc says what the parameters set, for help texts.
	Doc string
}

// GovAction is a governance action executed on a module's state: the
// module owns its meaning, governance its voting.
type GovAction struct {
	// Field is the name of the govv1.Action oneof field carrying it
	// ("add_member").
	Field string
	// Name is the action's CLI and event name ("add-member").
	Name string
	// Doc says what the action does.
	Doc string
	// Apply validates the action against ctx's state and, if valid,
	// applies it; it returns the validator updates it causes. On error
	// the caller discards every write.
	Apply func(ctx exec.Context, action proto.Message) ([]abci.ValidatorUpdate, error)
	// Describe summarises an action for people ("set the roles of bank-a
	// to issuer, lender").
	Describe func(action proto.Message) string
	// Commands are the `ledgerd tx gov propose ...` commands building it
	// (one action may be offered as several commands: suspend-member,
	// remove-member).
	Commands []CLI
}

// Invariant is a check over a module's whole state at one height.
type Invariant struct {
	Name string
	// Check fails, saying what is broken, unless the invariant holds.
	Check func(s Stores) error
}

// Event documents an event type a module emits.
type Event struct {
	Type string
	Doc  string
	// Attrs are the attributes it carries, in order.
	Attrs []string
	// Indexed are the attributes CometBFT's indexer keeps, so that clients
	// can search by them (/tx_search); the others are not indexed. Every
	// attribute, indexed or not, can be subscribed to (CometBFT's event
	// bus matches them all).
	Indexed []string
}

// Route returns the query of m that answers path (the part after
// "/<m.Name>/") and the rest of the path after its Path, or false.
func (m *Module) Route(path string) (q Query, rest string, ok bool) {
	for _, q := range m.Queries {
		switch {
		case path == q.Path:
			return q, "", true
		case strings.HasSuffix(q.Path, "/") && strings.HasPrefix(path, q.Path):
			return q, path[len(q.Path):], true
		}
	}
	return Query{}, "", false
}

// Answer routes a query path of m, the part after "/<m.Name>/", to its
// handler: a Query whose Path equals it, or one whose Path ends in '/' and
// prefixes it. It fails with ErrUnknownQuery naming m's paths.
func (m *Module) Answer(s Stores, path string, data []byte) (proto.Message, error) {
	if q, rest, ok := m.Route(path); ok {
		return q.Handle(s, rest, data)
	}
	paths := make([]string, len(m.Queries))
	for i, q := range m.Queries {
		paths[i] = "/" + m.Name + "/" + q.Path
		if strings.HasSuffix(q.Path, "/") {
			paths[i] += "..."
		}
	}
	return nil, errcode.Wrap(ErrUnknownQuery, "%q: module %s answers %s", "/"+m.Name+"/"+path, m.Name, strings.Join(paths, ", "))
}
