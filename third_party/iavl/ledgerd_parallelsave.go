package iavl

import "sync"

// ledgerd's patches 8, 9 and 11: where the batch copies what it is given,
// a version's new nodes are written to it through one encoder and one
// array for all of them (8), while a second goroutine adds them to the
// node cache (9), and two more encode them chunks ahead of the writes
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

// encodeChunkNodes is how many nodes writeNodesBehind's encoders encode
// into one array before they hand them over; a variable so that tests can
// save versions of a few nodes in several chunks.
var encodeChunkNodes = 512

// nodeEncoders is how many goroutines encode a version's nodes in
// writeNodesBehind, and encodedPerEncoder how many chunks each may have
// encoded and not yet written, the one being written included.
const (
	nodeEncoders      = 2
	encodedPerEncoder = 2
)

// encodedRun is a run of consecutive nodes encoded back to back into b,
// the end of each at ends; err is the encoding error of the node after
// the last one.
type encodedRun struct {
	b    []byte
	ends []int
	err  error
}

// writeNodesBehind is writeNodes with the encoding on nodeEncoders
// goroutines of its own (patch 11), which take the chunks of
// encodeChunkNodes nodes in turn and run up to encodedPerEncoder chunks
// ahead of the writes to the batch, made on the calling goroutine: it
// sets the same keys to the same values in the same order, and returns
// once the encoders have stopped. Each encoder has arrays of its own, so
// that one running ahead cannot take the arrays the chunk the writes wait
// for needs. The encoders read fields of the nodes that saveNewNodes has
// set before (their keys, hashes and children's keys), and nothing
// writes while they run but the node cache, into fields of its own.
func (ndb *nodeDB) writeNodesBehind(nodes []*Node) error {
	chunks := (len(nodes) + encodeChunkNodes - 1) / encodeChunkNodes
	var free, ready [nodeEncoders]chan *encodedRun
	stop := make(chan struct{})
	var encoders sync.WaitGroup
	for e := range free {
		e := e // the module's Go (1.21) shares a loop's variable among its iterations
		free[e] = make(chan *encodedRun, encodedPerEncoder)
		for i := 0; i < encodedPerEncoder; i++ {
			free[e] <- &ndb.encoded[e*encodedPerEncoder+i]
		}
		ready[e] = make(chan *encodedRun, encodedPerEncoder)
		encoders.Add(1)
		go func() {
			defer encoders.Done()
			for k := e; k < chunks; k += nodeEncoders {
				var c *encodedRun
				select {
				case c = <-free[e]:
				case <-stop:
					return
				}
				w := appendWriter{b: c.b[:0]}
				c.ends, c.err = c.ends[:0], nil
				for _, node := range nodes[k*encodeChunkNodes : min((k+1)*encodeChunkNodes, len(nodes))] {
					if c.err = node.writeBytes(&w); c.err != nil {
						break
					}
					c.ends = append(c.ends, len(w.b))
				}
				c.b = w.b
				select {
				case ready[e] <- c:
				case <-stop:
					return
				}
				if c.err != nil {
					return
				}
			}
		}()
	}
	err := func() error {
		var key [1 + int64Size + int32Size]byte
		next := 0
		for k := 0; k < chunks; k++ {
			e := k % nodeEncoders
			c := <-ready[e]
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
			free[e] <- c
		}
		return nil
	}()
	close(stop)
	encoders.Wait()
	return err
}
