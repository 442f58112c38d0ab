package verifier

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cometbft/cometbft/types"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"
	walletv1 "github.com/ledgerd/ledgerd/proto/ledgerd/wallet/v1"
)

const (
	// recentBlocks is how many blocks the network page shows and charts.
	recentBlocks = 30
	// maxMembers bounds the members the network page proves.
	maxMembers = 200
)

// NetworkView is what the network page shows.
type NetworkView struct {
	ChainID string `json:"chain_id"`
	// UTCOffset is the consortium's time zone, seconds east of UTC (from
	// the proven wallet parameters; 0 if they could not be proven).
	UTCOffset int32 `json:"utc_offset"`
	Root      Root  `json:"root"`
	// Header is the latest verified header's mark; Validators are its
	// validator set (their hash is in it).
	Header     Section     `json:"header"`
	Validators []Validator `json:"validators,omitempty"`
	Members    Section     `json:"members_proof"`
	MemberList []Member    `json:"members,omitempty"`
	// Blocks are the latest blocks, newest first, chained by hash from the
	// verified header; their transaction counts are checked against each
	// header's data hash.
	Blocks    Section `json:"blocks_proof"`
	BlockList []Block `json:"blocks,omitempty"`
}

// Validator is one validator of the verified set.
type Validator struct {
	Address string `json:"address"`
	PubKey  string `json:"pub_key"`
	Power   int64  `json:"power"`
	Member  string `json:"member,omitempty"`
}

// Member is a consortium member, proven.
type Member struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Roles   []string `json:"roles"`
	Nodes   []string `json:"nodes"`
	Power   int64    `json:"power"`
	Status  string   `json:"status"`
	Operats []string `json:"operators"`
}

// Block is a block's header facts.
type Block struct {
	Height   int64     `json:"height"`
	Hash     string    `json:"hash"`
	Time     time.Time `json:"time"`
	NumTxs   int       `json:"num_txs"`
	Proposer string    `json:"proposer"`
}

// Network proves the latest header and its validators, the consortium's
// members (a proven range: all of them), and the latest blocks.
func (v *Verifier) Network(ctx context.Context) (*NetworkView, error) {
	out := &NetworkView{ChainID: v.ChainID(), Root: v.Root()}
	latest, err := v.LatestHeight(ctx)
	if err != nil {
		return nil, err
	}
	sh, vals, err := v.light.Header(ctx, latest)
	if err != nil {
		out.Header = failed(err)
		return out, nil
	}
	out.Header = verified(Mark{Height: latest - 1, HeaderHeight: latest, HeaderHash: fmt.Sprintf("%X", sh.Hash()), HeaderTime: sh.Time})
	out.UTCOffset = v.utcOffset(ctx, latest-1)

	members, mark, err := v.members(ctx, latest-1)
	memberOf := map[string]string{}
	if err != nil {
		out.Members = failed(err)
	} else {
		out.Members = verified(mark)
	}
	for _, m := range members {
		x := Member{ID: m.Id, Name: m.Name, Nodes: m.NodeIds, Status: strings.TrimPrefix(m.Status.String(), "MEMBER_STATUS_")}
		for _, r := range m.Roles {
			x.Roles = append(x.Roles, strings.ToLower(strings.TrimPrefix(r.String(), "ROLE_")))
		}
		for _, op := range m.Operators {
			x.Operats = append(x.Operats, fmt.Sprintf("0x%x", op))
		}
		if m.Validator != nil {
			x.Power = m.Validator.Power
			memberOf[string(m.Validator.PubKey)] = m.Id
		}
		out.MemberList = append(out.MemberList, x)
	}
	for _, val := range vals.Validators {
		out.Validators = append(out.Validators, Validator{Address: val.Address.String(), PubKey: fmt.Sprintf("%X", val.PubKey.Bytes()),
			Power: val.VotingPower, Member: memberOf[string(val.PubKey.Bytes())]})
	}

	blocks, err := v.chain(ctx, sh, recentBlocks)
	if err != nil {
		out.Blocks = failed(err)
	} else {
		out.Blocks = *out.Header.clone()
	}
	out.BlockList = blocks
	return out, nil
}

func (s Section) clone() *Section { return &s }

// chain fetches the n blocks up to the verified header top, newest first,
// and checks each: its header hashes to the next one's LastBlockID (top's
// to top's own hash), and its transactions to its data hash.
func (v *Verifier) chain(ctx context.Context, top *types.SignedHeader, n int) ([]Block, error) {
	var out []Block
	want := top.Hash()
	for h := top.Height; h >= 1 && h > top.Height-int64(n); h-- {
		b, err := v.block(ctx, h)
		if err != nil {
			return out, err
		}
		if !bytes.Equal(b.Hash(), want) {
			return out, fmt.Errorf("block %d does not hash to the last block id of verified block %d: %w", h, h+1, ErrNotVerified)
		}
		if !bytes.Equal(b.Data.Hash(), b.DataHash) {
			return out, fmt.Errorf("block %d: its transactions do not hash to its header's data hash: %w", h, ErrNotVerified)
		}
		out = append(out, Block{Height: h, Hash: fmt.Sprintf("%X", b.Hash()), Time: b.Time, NumTxs: len(b.Data.Txs), Proposer: b.ProposerAddress.String()})
		want = b.LastBlockID.Hash
	}
	return out, nil
}

// block fetches the block at height, unverified.
func (v *Verifier) block(ctx context.Context, height int64) (*types.Block, error) {
	var r struct {
		Block *types.Block `json:"block"`
	}
	if err := v.rpc.call(ctx, "block", map[string]any{"height": itoa(height)}, &r); err != nil {
		return nil, err
	}
	if r.Block == nil || r.Block.Height != height {
		return nil, fmt.Errorf("block %d: the node answered without it or with another: %w", height, ErrNotVerified)
	}
	return r.Block, nil
}

// BlockView is what the block page shows.
type BlockView struct {
	UTCOffset int32   `json:"utc_offset"`
	Block     Section `json:"block"`
	Info      *Block  `json:"info,omitempty"`
	Txs       []Tx    `json:"txs,omitempty"`
	// Results is the verification of the transactions' result codes
	// against the next header's last-results hash.
	Results Section `json:"results"`
}

// Tx is a decoded transaction of a verified block.
type Tx struct {
	Hash    string `json:"hash"`
	Signer  string `json:"signer"`
	Nonce   uint64 `json:"nonce"`
	Message string `json:"message"`
	Body    string `json:"body"`
	Code    uint32 `json:"code"`
	Log     string `json:"log,omitempty"`
	// Events are the node's word: the results hash covers only the code,
	// data and gas of each transaction.
	Events []Event `json:"events,omitempty"`
}

// Event is an ABCI event.
type Event struct {
	Type  string     `json:"type"`
	Attrs [][]string `json:"attrs"`
}

// Block proves the block at height (its header verified from the root,
// its transactions by the data hash) and its transactions' result codes
// (the next header's last-results hash), and decodes its transactions.
func (v *Verifier) Block(ctx context.Context, height int64) (*BlockView, error) {
	out := &BlockView{}
	sh, _, err := v.light.Header(ctx, height)
	if err != nil {
		out.Block, out.Results = failed(err), failed(err)
		return out, nil
	}
	bs, err := v.chain(ctx, sh, 1)
	if err != nil {
		out.Block, out.Results = failed(err), failed(err)
		return out, nil
	}
	mark := Mark{Height: height, HeaderHeight: height, HeaderHash: fmt.Sprintf("%X", sh.Hash()), HeaderTime: sh.Time}
	out.Block, out.Info = verified(mark), &bs[0]
	out.UTCOffset = v.utcOffset(ctx, 0)
	b, err := v.block(ctx, height)
	if err != nil {
		return nil, err
	}
	for _, raw := range b.Data.Txs {
		tx := Tx{Hash: fmt.Sprintf("%X", raw.Hash())}
		m := new(authv1.Tx)
		if err := proto.Unmarshal(raw, m); err != nil || m.Body == nil {
			tx.Message = "undecodable"
		} else {
			tx.Signer, tx.Nonce = fmt.Sprintf("0x%x", m.Body.Signer), m.Body.Nonce
			if od := m.Body.ProtoReflect().Descriptor().Oneofs().ByName("msg"); od != nil {
				if f := m.Body.ProtoReflect().WhichOneof(od); f != nil {
					tx.Message = string(f.Name())
					tx.Body = messageText(m.Body.ProtoReflect().Get(f).Message())
				}
			}
		}
		out.Txs = append(out.Txs, tx)
	}
	out.Results = v.results(ctx, height, out.Txs)
	return out, nil
}

// results fills the transactions' codes, logs and events from
// /block_results and checks the codes against the last-results hash of
// the verified header at height+1.
func (v *Verifier) results(ctx context.Context, height int64, txs []Tx) Section {
	var r struct {
		TxsResults []*abciResult `json:"txs_results"`
	}
	if err := v.rpc.call(ctx, "block_results", map[string]any{"height": itoa(height)}, &r); err != nil {
		return failed(err)
	}
	if len(r.TxsResults) != len(txs) {
		return failed(fmt.Errorf("%d results for %d transactions: %w", len(r.TxsResults), len(txs), ErrNotVerified))
	}
	if err := v.waitFor(ctx, height+1); err != nil {
		return failed(err)
	}
	next, _, err := v.light.Header(ctx, height+1)
	if err != nil {
		return failed(err)
	}
	res := make([]*abciExec, len(r.TxsResults))
	for i, x := range r.TxsResults {
		res[i] = x.exec()
		txs[i].Code, txs[i].Log = x.Code, x.Log
		for _, e := range x.Events {
			ev := Event{Type: e.Type}
			for _, a := range e.Attributes {
				ev.Attrs = append(ev.Attrs, []string{a.Key, a.Value})
			}
			txs[i].Events = append(txs[i].Events, ev)
		}
	}
	if got := resultsHash(res); !bytes.Equal(got, next.LastResultsHash) {
		return failed(fmt.Errorf("the results the node sent hash to %X, verified header %d says %X: %w", got, height+1, next.LastResultsHash, ErrNotVerified))
	}
	return verified(Mark{Height: height, HeaderHeight: next.Height, HeaderHash: fmt.Sprintf("%X", next.Hash()), HeaderTime: next.Time})
}

// utcOffset is the consortium's time zone from the wallet parameters
// proven at height (0: the latest), for showing times; 0 (UTC) if they
// cannot be proven.
func (v *Verifier) utcOffset(ctx context.Context, height int64) int32 {
	p := new(walletv1.Params)
	if _, _, err := v.ReadProto(ctx, walletStore, walletParamsKey(), height, p); err != nil {
		return 0
	}
	return p.UtcOffsetSeconds
}

// messageText is a message's fields as JSON for the page, with byte
// fields of address length as 0x addresses and other bytes as hex (the
// protobuf JSON mapping writes base64, which nobody reads).
func messageText(m protoreflect.Message) string {
	out := map[string]any{}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := string(fd.Name())
		switch {
		case fd.IsList() || fd.IsMap():
			if j, err := protojson.Marshal(m.Interface()); err == nil {
				var all map[string]any
				if json.Unmarshal(j, &all) == nil {
					out[name] = all[fd.JSONName()]
				}
			}
		case fd.Kind() == protoreflect.BytesKind:
			out[name] = "0x" + hex.EncodeToString(v.Bytes())
		case fd.Kind() == protoreflect.MessageKind:
			var sub any
			if json.Unmarshal([]byte(messageText(v.Message())), &sub) == nil {
				out[name] = sub
			}
		case fd.Kind() == protoreflect.EnumKind:
			if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
				out[name] = string(ev.Name())
			} else {
				out[name] = int32(v.Enum())
			}
		default:
			out[name] = v.Interface()
		}
		return true
	})
	b, err := json.Marshal(out)
	if err != nil {
		return ""
	}
	return string(b)
}
