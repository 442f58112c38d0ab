package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/protobuf/proto"

	historyv1 "github.com/ledgerd/ledgerd/proto/ledgerd/history/v1"
	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/exec"
)

// SnapshotFormat is the format of the state-sync snapshots this app takes
// and restores (see snapshotWriter for the stream).
const SnapshotFormat uint32 = 1

// DefaultSnapshotChunkBytes is a snapshot chunk's size: under CometBFT's
// 16 MB chunk message.
const DefaultSnapshotChunkBytes = 8 << 20

// SnapshotConfig is where and how often the node takes state-sync
// snapshots. Node-local: snapshots are off consensus.
type SnapshotConfig struct {
	// Dir holds the snapshots, and a restore's chunks while state sync
	// runs; empty, the node neither takes nor restores snapshots.
	Dir string
	// Interval: a snapshot of every height that is a multiple of it; 0
	// takes none (a node can still restore one).
	Interval int64
	// KeepRecent is how many snapshots are kept (the newest); at least 1.
	KeepRecent int
	// ChunkBytes is the chunk size; 0 means DefaultSnapshotChunkBytes.
	ChunkBytes int
	// Log reports snapshots taken and failed; nil logs nothing.
	Log func(msg string, keyvals ...any)
	// History, set when the node keeps a history index, puts the index's
	// entries into the snapshots it takes and restores them, verified
	// against the restored state's accumulators, on a state-synced node.
	History HistorySnapshots
}

// HistorySnapshots is the node's history index (package node/history)
// as snapshots need it: off consensus, safe for concurrent use.
type HistorySnapshots interface {
	// Watermark is the last height whose entries are all indexed.
	Watermark() int64
	// ExportEntries calls fn with every entry of a height at or below
	// height, ordered by (subject, id, seq).
	ExportEntries(height int64, fn func(*historyv1.Entry) error) error
	// RestoreEntries starts filling an empty index with the entries of the
	// heights up to height.
	RestoreEntries(height int64) (HistoryRestore, error)
}

// HistoryRestore fills an empty history index; Commit sets its watermark,
// Abort empties it again.
type HistoryRestore interface {
	Add(*historyv1.Entry) error
	Commit() error
	Abort() error
}

// snapshotMeta is a snapshot's metadata (abci.Snapshot.Metadata, JSON):
// the SHA-256 of each chunk, so that a restoring node checks each chunk as
// it arrives, and the block time of the height (the state does not hold
// it). The snapshot's hash is the SHA-256 of the chunk hashes.
type snapshotMeta struct {
	ChunkHashes [][]byte `json:"chunk_hashes"`
	BlockTime   int64    `json:"block_time_unix_nano"`
	History     bool     `json:"history"`
}

func (m snapshotMeta) hash() []byte {
	h := sha256.New()
	for _, c := range m.ChunkHashes {
		h.Write(c)
	}
	return h.Sum(nil)
}

// snapshots takes, keeps, serves and restores the app's snapshots.
type snapshots struct {
	cfg   SnapshotConfig
	store *store.Store

	mu      sync.Mutex
	taking  bool
	wg      sync.WaitGroup
	restore *restoring
	// stopping makes a snapshot being written give up (node shutdown).
	stopping atomic.Bool
}

func newSnapshots(cfg SnapshotConfig, st *store.Store) *snapshots {
	if cfg.ChunkBytes <= 0 {
		cfg.ChunkBytes = DefaultSnapshotChunkBytes
	}
	if cfg.KeepRecent < 1 {
		cfg.KeepRecent = 1
	}
	return &snapshots{cfg: cfg, store: st}
}

func (s *snapshots) log(msg string, kv ...any) {
	if s.cfg.Log != nil {
		s.cfg.Log(msg, kv...)
	}
}

// committed starts a snapshot of height in the background if height is
// one to take and none is being written. It never blocks the caller:
// a snapshot reads an immutable version of the state.
func (s *snapshots) committed(height int64, blockTime time.Time) {
	if s.cfg.Dir == "" || s.cfg.Interval <= 0 || height%s.cfg.Interval != 0 || s.stopping.Load() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taking {
		s.log("snapshot skipped: the previous one is still being written", "height", height)
		return
	}
	release, err := s.store.Hold(height)
	if err != nil {
		s.log("snapshot failed", "height", height, "err", err)
		return
	}
	s.taking = true
	s.wg.Add(1)
	// nolint:determinism: off consensus; writes files, changes no state.
	go func() {
		defer s.wg.Done()
		defer release()
		start := time.Now() // nolint:determinism: a log line's duration.
		snap, err := s.take(height, blockTime)
		s.mu.Lock()
		s.taking = false
		s.mu.Unlock()
		if err != nil {
			s.log("snapshot failed", "height", height, "err", err)
			return
		}
		s.log("snapshot taken", "height", height, "chunks", snap.Chunks, "took", time.Since(start).Round(time.Millisecond)) // nolint:determinism: as above.
		if err := s.prune(); err != nil {
			s.log("snapshot pruning failed", "err", err)
		}
	}()
}

// Wait waits for the snapshot being written, if any.
func (s *snapshots) Wait() { s.wg.Wait() }

// errStopping ends a snapshot being written when the node stops.
var errStopping = errors.New("the node is stopping")

func snapshotDirName(height int64) string { return fmt.Sprintf("%020d-%d", height, SnapshotFormat) }

// take writes the snapshot of height into a temporary directory and
// renames it into place when complete: a listed snapshot is always whole.
func (s *snapshots) take(height int64, blockTime time.Time) (*abci.Snapshot, error) {
	if h := s.cfg.History; h != nil {
		// The index follows consensus a few blocks behind.
		deadline := time.Now().Add(5 * time.Minute) // nolint:determinism: off consensus.
		for h.Watermark() < height {
			if s.stopping.Load() {
				return nil, errStopping
			}
			if time.Now().After(deadline) { // nolint:determinism: off consensus.
				return nil, fmt.Errorf("history index still at height %d", h.Watermark())
			}
			time.Sleep(20 * time.Millisecond) // nolint:determinism: off consensus, waiting for the index.
		}
	}
	final := filepath.Join(s.cfg.Dir, snapshotDirName(height))
	if _, err := os.Stat(final); err == nil {
		return nil, fmt.Errorf("%s exists", final)
	}
	tmp := filepath.Join(s.cfg.Dir, "tmp-"+snapshotDirName(height))
	if err := os.RemoveAll(tmp); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	cw := &chunkWriter{dir: tmp, size: s.cfg.ChunkBytes}
	w := &snapshotWriter{w: bufio.NewWriterSize(cw, 1<<20), stop: &s.stopping}
	err := s.store.Export(height, func(name string) error { return w.item(itemTree, []byte(name)) }, w.node)
	if err == nil && s.cfg.History != nil {
		err = s.cfg.History.ExportEntries(height, func(e *historyv1.Entry) error {
			b, err := proto.MarshalOptions{Deterministic: true}.Marshal(e)
			if err != nil {
				return err
			}
			return w.item(itemHistory, b)
		})
	}
	if err == nil {
		err = w.item(itemEnd, nil)
	}
	if err == nil {
		err = w.w.Flush()
	}
	if err == nil {
		err = cw.Close()
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	meta := snapshotMeta{ChunkHashes: cw.hashes, BlockTime: blockTime.UnixNano(), History: s.cfg.History != nil}
	raw, err := json.Marshal(meta)
	if err == nil {
		err = os.WriteFile(filepath.Join(tmp, "metadata.json"), raw, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, final)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return &abci.Snapshot{Height: uint64(height), Format: SnapshotFormat, Chunks: uint32(len(cw.hashes)), Hash: meta.hash(), Metadata: raw}, nil
}

// list returns the complete snapshots on disk, newest first.
func (s *snapshots) list() ([]*abci.Snapshot, error) {
	if s.cfg.Dir == "" {
		return nil, nil
	}
	ents, err := os.ReadDir(s.cfg.Dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []*abci.Snapshot
	for _, e := range ents {
		hs, fs, ok := strings.Cut(e.Name(), "-")
		if !ok || !e.IsDir() || fs != strconv.FormatUint(uint64(SnapshotFormat), 10) {
			continue
		}
		height, err := strconv.ParseUint(hs, 10, 64)
		if err != nil {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(s.cfg.Dir, e.Name(), "metadata.json"))
		if err != nil {
			return nil, err
		}
		var meta snapshotMeta
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, fmt.Errorf("snapshot %s: %w", e.Name(), err)
		}
		out = append(out, &abci.Snapshot{Height: height, Format: SnapshotFormat, Chunks: uint32(len(meta.ChunkHashes)),
			Hash: meta.hash(), Metadata: raw})
	}
	slices.SortFunc(out, func(a, b *abci.Snapshot) int { return -cmpUint(a.Height, b.Height) })
	return out, nil
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// prune deletes all but the KeepRecent newest snapshots.
func (s *snapshots) prune() error {
	all, err := s.list()
	if err != nil || len(all) <= s.cfg.KeepRecent {
		return err
	}
	for _, snap := range all[s.cfg.KeepRecent:] {
		if err := os.RemoveAll(filepath.Join(s.cfg.Dir, snapshotDirName(int64(snap.Height)))); err != nil {
			return err
		}
	}
	return nil
}

// ListSnapshots offers the snapshots on disk to state-syncing peers.
func (a *App) ListSnapshots(context.Context, *abci.RequestListSnapshots) (*abci.ResponseListSnapshots, error) {
	list, err := a.snapshots.list()
	if err != nil {
		return nil, err
	}
	return &abci.ResponseListSnapshots{Snapshots: list}, nil
}

// LoadSnapshotChunk serves one chunk of a snapshot on disk; an unknown one
// answers no bytes, which the peer treats as missing.
func (a *App) LoadSnapshotChunk(_ context.Context, req *abci.RequestLoadSnapshotChunk) (*abci.ResponseLoadSnapshotChunk, error) {
	if a.snapshots.cfg.Dir == "" || req.Format != SnapshotFormat {
		return &abci.ResponseLoadSnapshotChunk{}, nil
	}
	b, err := os.ReadFile(filepath.Join(a.snapshots.cfg.Dir, snapshotDirName(int64(req.Height)), chunkName(req.Chunk)))
	if errors.Is(err, os.ErrNotExist) {
		return &abci.ResponseLoadSnapshotChunk{}, nil
	}
	if err != nil {
		return nil, err
	}
	return &abci.ResponseLoadSnapshotChunk{Chunk: b}, nil
}

// restoring is a snapshot being restored: its chunks are checked against
// the metadata's hashes as they arrive and kept on disk, and the state is
// rebuilt from them when the last one is in.
type restoring struct {
	snap    *abci.Snapshot
	meta    snapshotMeta
	appHash []byte // trusted: from the light client's verified header
	dir     string
	next    uint32
}

// OfferSnapshot accepts a snapshot of this app's format for an empty
// node. CometBFT gives the app hash its light client verified for the
// snapshot's height; the restored state must have it.
func (a *App) OfferSnapshot(_ context.Context, req *abci.RequestOfferSnapshot) (*abci.ResponseOfferSnapshot, error) {
	s := a.snapshots
	reject := func(why string, kv ...any) (*abci.ResponseOfferSnapshot, error) {
		s.log("snapshot refused: "+why, append([]any{"height", req.Snapshot.GetHeight()}, kv...)...)
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_REJECT}, nil
	}
	switch {
	case req.Snapshot == nil:
		return reject("no snapshot")
	case s.cfg.Dir == "":
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ABORT}, nil
	case a.store.LastCommit().Height != 0:
		s.log("snapshot offered to a node that has state: state sync needs an empty node", "height", a.store.LastCommit().Height)
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ABORT}, nil
	case req.Snapshot.Format != SnapshotFormat:
		return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_REJECT_FORMAT}, nil
	}
	var meta snapshotMeta
	if err := json.Unmarshal(req.Snapshot.Metadata, &meta); err != nil {
		return reject("metadata unreadable", "err", err)
	}
	if uint64(len(meta.ChunkHashes)) != uint64(req.Snapshot.Chunks) || !bytes.Equal(meta.hash(), req.Snapshot.Hash) {
		return reject("metadata does not match the snapshot's chunk count and hash")
	}
	if s.cfg.History != nil && !meta.History {
		return reject("snapshot has no history entries, and this node keeps a history index")
	}
	dir := filepath.Join(s.cfg.Dir, "restore")
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.restore = &restoring{snap: req.Snapshot, meta: meta, appHash: req.AppHash, dir: dir}
	s.mu.Unlock()
	s.log("restoring snapshot", "height", req.Snapshot.Height, "chunks", req.Snapshot.Chunks)
	return &abci.ResponseOfferSnapshot{Result: abci.ResponseOfferSnapshot_ACCEPT}, nil
}

// ApplySnapshotChunk checks a chunk against its hash in the metadata (a
// corrupt one is fetched again, from another peer) and keeps it; with the
// last one it rebuilds the state and checks its app hash against the
// trusted one, rejecting the snapshot if it differs.
func (a *App) ApplySnapshotChunk(_ context.Context, req *abci.RequestApplySnapshotChunk) (*abci.ResponseApplySnapshotChunk, error) {
	s := a.snapshots
	s.mu.Lock()
	r := s.restore
	s.mu.Unlock()
	if r == nil {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ABORT}, nil
	}
	if req.Index != r.next {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY_SNAPSHOT}, nil
	}
	if sum := sha256.Sum256(req.Chunk); !bytes.Equal(sum[:], r.meta.ChunkHashes[req.Index]) {
		s.log("snapshot chunk corrupt: fetching it again from another peer", "height", r.snap.Height, "chunk", req.Index, "sender", req.Sender)
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_RETRY,
			RefetchChunks: []uint32{req.Index}, RejectSenders: []string{req.Sender}}, nil
	}
	if err := os.WriteFile(filepath.Join(r.dir, chunkName(req.Index)), req.Chunk, 0o644); err != nil {
		return nil, err
	}
	r.next++
	if r.next < r.snap.Chunks {
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}, nil
	}
	s.mu.Lock()
	s.restore = nil
	s.mu.Unlock()
	defer os.RemoveAll(r.dir)
	if err := a.restoreFrom(r); err != nil {
		s.log("snapshot rejected", "height", r.snap.Height, "err", err)
		return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_REJECT_SNAPSHOT}, nil
	}
	s.log("snapshot restored", "height", r.snap.Height)
	return &abci.ResponseApplySnapshotChunk{Result: abci.ResponseApplySnapshotChunk_ACCEPT}, nil
}

// restoreFrom rebuilds the state (and history index) from r's chunks,
// undoing everything on any failure.
func (a *App) restoreFrom(r *restoring) (err error) {
	height := int64(r.snap.Height)
	rs, err := a.store.Restore(height)
	if err != nil {
		return err
	}
	var hr HistoryRestore
	defer func() {
		if err != nil {
			if aerr := rs.Abort(); aerr != nil {
				err = fmt.Errorf("%w (undoing it: %v)", err, aerr)
			}
			if hr != nil {
				if aerr := hr.Abort(); aerr != nil {
					err = fmt.Errorf("%w (emptying the history index: %v)", err, aerr)
				}
			}
		}
	}()
	if h := a.snapshots.cfg.History; h != nil {
		if hr, err = h.RestoreEntries(height); err != nil {
			return err
		}
	}
	rd := &snapshotReader{r: bufio.NewReaderSize(&chunkReader{dir: r.dir, n: r.snap.Chunks}, 1<<20)}
	var (
		id       store.CommitID
		verifier *historyVerifier
	)
	for {
		kind, payload, err := rd.item()
		if err != nil {
			return err
		}
		if kind != itemNode && kind != itemTree && id.Height == 0 {
			// The trees are complete: check the state before anything
			// is read from it.
			if id, err = rs.Commit(time.Unix(0, r.meta.BlockTime).UTC()); err != nil {
				return err
			}
			if !bytes.Equal(id.AppHash, r.appHash) {
				return fmt.Errorf("restored state has app hash %X, the light client verified %X", id.AppHash, r.appHash)
			}
			if hr != nil {
				v, err := a.store.Version(height)
				if err != nil {
					return err
				}
				verifier = newHistoryVerifier(a.reg, height, v.Reader)
			}
		}
		switch kind {
		case itemTree:
			if id.Height != 0 {
				return errors.New("snapshot: a tree after the history entries")
			}
			if err := rs.Tree(string(payload)); err != nil {
				return err
			}
		case itemNode:
			if id.Height != 0 {
				return errors.New("snapshot: a tree node after the history entries")
			}
			n, err := decodeNode(payload)
			if err != nil {
				return err
			}
			if err := rs.Node(n); err != nil {
				return err
			}
		case itemHistory:
			if hr == nil {
				continue // this node keeps no index
			}
			e := new(historyv1.Entry)
			if err := proto.Unmarshal(payload, e); err != nil {
				return fmt.Errorf("snapshot: history entry: %w", err)
			}
			if err := verifier.add(e); err != nil {
				return err
			}
			if err := hr.Add(e); err != nil {
				return err
			}
		case itemEnd:
			if _, _, err := rd.item(); err != io.EOF {
				return fmt.Errorf("snapshot: data after its end (%v)", err)
			}
			if verifier != nil {
				if err := verifier.finish(); err != nil {
					return err
				}
				if err := hr.Commit(); err != nil {
					return err
				}
			}
			if err := a.loadParams(mustVersion(a.store)); err != nil {
				return err
			}
			a.resetCheckState()
			return nil
		default:
			return fmt.Errorf("snapshot: unknown item kind %q", kind)
		}
	}
}

func mustVersion(st *store.Store) *store.Version {
	v, err := st.Version(0)
	if err != nil {
		panic(fmt.Sprintf("app: restored state unreadable: %v", err))
	}
	return v
}

// The snapshot stream (format 1), cut into chunks: items, each a kind byte,
// a uvarint length and the payload:
//
//	'T' tree name                   the trees, in the store's order,
//	'N' node                        each followed by its IAVL export nodes
//	'H' historyv1.Entry             the history index's entries up to the height
//	'Z' (empty)                     the end
//
// A node is: subtree height (1 byte), version (uvarint), key (uvarint
// length, bytes), value (uvarint length+1, bytes; 0 for an inner node's
// none).
const (
	itemTree    = 'T'
	itemNode    = 'N'
	itemHistory = 'H'
	itemEnd     = 'Z'
)

// maxItemBytes bounds an item a restoring node reads.
const maxItemBytes = 64 << 20

type snapshotWriter struct {
	w    *bufio.Writer
	buf  []byte
	stop *atomic.Bool
}

func (w *snapshotWriter) item(kind byte, payload []byte) error {
	if w.stop.Load() {
		return errStopping
	}
	w.buf = append(binary.AppendUvarint(append(w.buf[:0], kind), uint64(len(payload))), payload...)
	_, err := w.w.Write(w.buf)
	return err
}

func (w *snapshotWriter) node(n *store.ExportNode) error {
	p := binary.AppendUvarint([]byte{byte(n.Height)}, uint64(n.Version))
	p = append(binary.AppendUvarint(p, uint64(len(n.Key))), n.Key...)
	if n.Value == nil {
		p = binary.AppendUvarint(p, 0)
	} else {
		p = append(binary.AppendUvarint(p, uint64(len(n.Value))+1), n.Value...)
	}
	return w.item(itemNode, p)
}

type snapshotReader struct{ r *bufio.Reader }

// item reads the next item; io.EOF only at a clean end of the stream.
func (r *snapshotReader) item() (byte, []byte, error) {
	kind, err := r.r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	n, err := binary.ReadUvarint(r.r)
	if err != nil || n > maxItemBytes {
		return 0, nil, fmt.Errorf("snapshot: item length unreadable or too large (%d): %v", n, err)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(r.r, p); err != nil {
		return 0, nil, fmt.Errorf("snapshot: truncated item: %w", err)
	}
	return kind, p, nil
}

func decodeNode(p []byte) (*store.ExportNode, error) {
	bad := errors.New("snapshot: malformed tree node")
	if len(p) < 1 {
		return nil, bad
	}
	n := &store.ExportNode{Height: int8(p[0])}
	p = p[1:]
	version, k := uvarint(p)
	if k <= 0 || version > 1<<62 {
		return nil, bad
	}
	n.Version, p = int64(version), p[k:]
	klen, k := uvarint(p)
	if k <= 0 || uint64(len(p)-k) < klen {
		return nil, bad
	}
	n.Key, p = p[k:k+int(klen)], p[k+int(klen):]
	vlen, k := uvarint(p)
	if k <= 0 || uint64(len(p)-k) != max(vlen, 1)-1 {
		return nil, bad
	}
	if vlen > 0 {
		n.Value = p[k:]
	}
	return n, nil
}

// uvarint is binary.Uvarint refusing (k = 0) a non-minimal encoding, so
// that a node has one encoding.
func uvarint(p []byte) (uint64, int) {
	v, k := binary.Uvarint(p)
	if k > 0 && k != len(binary.AppendUvarint(nil, v)) {
		return 0, 0
	}
	return v, k
}

func chunkName(i uint32) string { return fmt.Sprintf("%06d", i) }

// chunkWriter cuts a stream into chunk files of size bytes (the last one
// shorter), recording each one's SHA-256.
type chunkWriter struct {
	dir    string
	size   int
	f      *os.File
	n      int
	hashes [][]byte
	h      hashWriter
}

type hashWriter interface {
	io.Writer
	Sum([]byte) []byte
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if c.f == nil {
			f, err := os.Create(filepath.Join(c.dir, chunkName(uint32(len(c.hashes)))))
			if err != nil {
				return written, err
			}
			c.f, c.n, c.h = f, 0, sha256.New()
		}
		k := min(len(p), c.size-c.n)
		if _, err := c.f.Write(p[:k]); err != nil {
			return written, err
		}
		c.h.Write(p[:k])
		c.n += k
		written += k
		p = p[k:]
		if c.n == c.size {
			if err := c.closeChunk(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

func (c *chunkWriter) closeChunk() error {
	if err := c.f.Sync(); err != nil {
		c.f.Close()
		return err
	}
	if err := c.f.Close(); err != nil {
		return err
	}
	c.hashes = append(c.hashes, c.h.Sum(nil))
	c.f = nil
	return nil
}

// Close ends the last chunk.
func (c *chunkWriter) Close() error {
	if c.f == nil {
		return nil
	}
	return c.closeChunk()
}

// chunkReader reads chunk files 0..n-1 of dir as one stream.
type chunkReader struct {
	dir  string
	n    uint32
	next uint32
	f    *os.File
}

func (c *chunkReader) Read(p []byte) (int, error) {
	for {
		if c.f == nil {
			if c.next == c.n {
				return 0, io.EOF
			}
			f, err := os.Open(filepath.Join(c.dir, chunkName(c.next)))
			if err != nil {
				return 0, err
			}
			c.f = f
			c.next++
		}
		k, err := c.f.Read(p)
		if err == io.EOF {
			c.f.Close()
			c.f = nil
			if k > 0 {
				return k, nil
			}
			continue
		}
		return k, err
	}
}

// bootstrapGenesis is the genesis state (Config.GenesisAppState) for the
// peer filter of a node that has neither run InitChain nor restored a
// snapshot yet: one joining by state sync, which must admit the members'
// nodes to fetch the snapshot from them. Built on first use; nil without a
// genesis or if it does not load. The files a genesis names are skipped:
// the filter needs the members, which the document holds.
func (a *App) bootstrapGenesis() *store.Branch {
	a.bootstrap.once.Do(func() {
		if len(a.cfg.GenesisAppState) == 0 {
			return
		}
		names := a.reg.StoreNames()
		b := store.NewBranch(names, store.EmptyReaders(len(names)))
		if _, err := initGenesis(a.reg, b, a.cfg.GenesisTime, a.cfg.GenesisAppState, exec.GenesisFiles{Skip: true}); err != nil {
			a.snapshots.log("genesis unreadable: the peer filter admits no one until the state is restored", "err", err)
			return
		}
		a.bootstrap.genesis = b
	})
	return a.bootstrap.genesis
}
