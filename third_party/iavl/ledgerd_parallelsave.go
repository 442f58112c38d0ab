package iavl

// ledgerd's patches 8, 9 and 11: where the batch copies what it is given,
// a version's new nodes are written to it through one encoder and one
// array for all of them (8), while a second goroutine adds them to the
// node cache (9), and a third encodes them a chunk ahead of the writes
// (11). SaveNode gives each node arrays of its own, as the batch may keep
// them, and both halves of it were serial on one core: at 100,000 wallets
// a block's commit left the second core idle.

// parallelSaveMin is the fewest new nodes a version caches on a second
// goroutine: below it a goroutine is not worth starting. A variable so
// that tests can save small versions that way.
var parallelSaveMin = 1024

// writesThroughArrays reports whether a version's nodes are saved by
// saveNodes: when the batch copies what it is given (CopyingBatchOption)
// and the nodes go to the node cache, not the encoded cache, which keeps
// each node's array (patch 6).
func (ndb *nodeDB) writesThroughArrays() bool {
	return ndb.opts.batchCopies && !ndb.savesEncoded
}

// saveNodes saves nodes, a version's new nodes, as SaveNode does each: it
// writes them to the batch on the calling goroutine and caches them in
// the same order, on a second goroutine when there are at least
// parallelSaveMin, so that the cache ends as SaveNode leaves it. The
// caching takes the node database's lock a chunk of nodes at a time, so
// that readers of other versions wait for no more than a chunk. If a
// write fails the nodes are cached all the same, as a failed save leaves
// the tree unusable anyway.
func (ndb *nodeDB) saveNodes(nodes []*Node) error {
	for _, node := range nodes {
		if node.nodeKey == nil {
			return ErrNodeMissingNodeKey
		}
	}
	if len(nodes) < parallelSaveMin {
		err := ndb.writeNodes(nodes)
		ndb.cacheNodes(nodes)
		return err
	}
	cached := make(chan struct{})
	go func() {
		defer close(cached)
		ndb.cacheNodes(nodes)
	}()
	err := ndb.writeNodesBehind(nodes)
	<-cached
	return err
}

// cacheNodes adds nodes to the node cache in order, taking the lock a
// chunk at a time.
func (ndb *nodeDB) cacheNodes(nodes []*Node) {
	const chunk = 256
	for i := 0; i < len(nodes); i += chunk {
		ndb.mtx.Lock()
		for _, node := range nodes[i:min(i+chunk, len(nodes))] {
			ndb.cacheNode(node)
		}
		ndb.mtx.Unlock()
	}
}

// writeNodes encodes each of nodes and sets it in the batch, through an
// encoder and arrays used by nothing else: the batch copies them, and
// guards itself, so no lock of the node database is needed. Only the
// goroutine saving the tree calls it.
func (ndb *nodeDB) writeNodes(nodes []*Node) error {
	w := &ndb.writer
	var key [1 + int64Size + int32Size]byte
	for _, node := range nodes {
		w.b = w.b[:0]
		if err := node.writeBytes(w); err != nil {
			return err
		}
		nk := node.nodeKey.array()
		if err := ndb.batch.Set(nodeKeyFormat.KeyInto(key[:0], nk[:]), w.b); err != nil {
			return err
		}
	}
	return nil
}

// encodeChunkNodes is how many nodes writeNodesBehind's encoder encodes
// into one array before it hands them over; a variable so that tests can
// save versions of a few nodes in several chunks.
var encodeChunkNodes = 512

// encodedInFlight is how many chunks writeNodesBehind's encoder may be
// ahead of the writes by, the one being written included.
const encodedInFlight = 3

// encodedRun is a run of consecutive nodes encoded back to back into b,
// the end of each at ends; err is the encoding error of the node after
// the last one.
type encodedRun struct {
	b    []byte
	ends []int
	err  error
}

// writeNodesBehind is writeNodes with the encoding on a goroutine of its
// own, up to encodedInFlight chunks of encodeChunkNodes nodes ahead of
// the writes to the batch on the calling goroutine (patch 11): it sets
// the same keys to the same values in the same order, and returns once
// the encoder has stopped. The encoder reads fields of the nodes that
// saveNewNodes has set before (their keys, hashes and children's keys),
// and nothing writes while it runs but the node cache, into fields of
// its own.
func (ndb *nodeDB) writeNodesBehind(nodes []*Node) error {
	free := make(chan *encodedRun, encodedInFlight)
	for i := range ndb.encoded {
		free <- &ndb.encoded[i]
	}
	ready := make(chan *encodedRun, encodedInFlight)
	stop := make(chan struct{})
	encoded := make(chan struct{})
	go func() {
		defer close(encoded)
		defer close(ready)
		for start := 0; start < len(nodes); start += encodeChunkNodes {
			var c *encodedRun
			select {
			case c = <-free:
			case <-stop:
				return
			}
			w := appendWriter{b: c.b[:0]}
			c.ends, c.err = c.ends[:0], nil
			for _, node := range nodes[start:min(start+encodeChunkNodes, len(nodes))] {
				if c.err = node.writeBytes(&w); c.err != nil {
					break
				}
				c.ends = append(c.ends, len(w.b))
			}
			c.b = w.b
			select {
			case ready <- c:
			case <-stop:
				return
			}
			if c.err != nil {
				return
			}
		}
	}()
	err := func() error {
		var key [1 + int64Size + int32Size]byte
		next := 0
		for c := range ready {
			start := 0
			for _, end := range c.ends {
				nk := nodes[next].nodeKey.array()
				if err := ndb.batch.Set(nodeKeyFormat.KeyInto(key[:0], nk[:]), c.b[start:end]); err != nil {
					return err
				}
				start = end
				next++
			}
			if c.err != nil {
				return c.err
			}
			free <- c
		}
		return nil
	}()
	close(stop)
	<-encoded
	return err
}
