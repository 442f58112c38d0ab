package iavl

// ledgerd's patch 9: a version's new nodes are written to the batch on the
// saving goroutine while a second one adds them to the node cache. Both
// halves of SaveNode were serial on one core, and at 100,000 wallets a
// block's commit left the second core idle.

// parallelSaveMin is the fewest new nodes a version saves on two
// goroutines: below it a goroutine is not worth starting. A variable so
// that tests can save small versions that way.
var parallelSaveMin = 1024

// savesInParallel reports whether n new nodes are saved by saveNodes: only
// when the batch copies what it is given (the writing then needs no array
// of the node database's; CopyingBatchOption) and the nodes go to the node
// cache, not the encoded cache (patch 6).
func (ndb *nodeDB) savesInParallel(n int) bool {
	return ndb.opts.batchCopies && !ndb.savesEncoded && n >= parallelSaveMin
}

// saveNodes saves nodes, a version's new nodes, as SaveNode does each: it
// writes them to the batch on the calling goroutine while another caches
// them, in the same order, so that the cache ends as SaveNode leaves it.
// The caching takes the node database's lock a chunk of nodes at a time,
// so that readers of other versions wait for no more than a chunk. If a
// write fails the nodes are cached all the same, as a failed save leaves
// the tree unusable anyway.
func (ndb *nodeDB) saveNodes(nodes []*Node) error {
	for _, node := range nodes {
		if node.nodeKey == nil {
			return ErrNodeMissingNodeKey
		}
	}
	cached := make(chan struct{})
	go func() {
		defer close(cached)
		const chunk = 256
		for i := 0; i < len(nodes); i += chunk {
			ndb.mtx.Lock()
			for _, node := range nodes[i:min(i+chunk, len(nodes))] {
				ndb.cacheNode(node)
			}
			ndb.mtx.Unlock()
		}
	}()
	err := ndb.writeNodes(nodes)
	<-cached
	return err
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
