package iavl

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"

	dbm "github.com/cosmos/iavl/db"
)

// BenchmarkBlockUpdate is a block's work on a tree of 300,000 records, as
// ledgerd's wallet tree sees it: 2,000 updates of random records, then
// SaveVersion. It measures the node cache's share: each update's path
// copies replace cached nodes (nodeDB.uncache), and the save caches the
// new ones.
func BenchmarkBlockUpdate(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	tree := NewMutableTree(dbm.NewMemDB(), 1_500_000, true, NewNopLogger())
	keys := make([][]byte, 300_000)
	value := bytes.Repeat([]byte("v"), 70)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "wallet/%08d", rng.Intn(1<<30))
		if _, err := tree.Set(keys[i], value); err != nil {
			b.Fatal(err)
		}
	}
	if _, _, err := tree.SaveVersion(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 0; j < 2000; j++ {
			if _, err := tree.Set(keys[rng.Intn(len(keys))], fmt.Appendf(nil, "%d-%d", i, j)); err != nil {
				b.Fatal(err)
			}
		}
		if _, _, err := tree.SaveVersion(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNodeCacheChurn is the node cache's part of a block's writes
// alone: in a cache of a million nodes, a cached node replaced by a node
// of the version being saved (what a write's copy and the save do),
// each a memory miss or more in the cache's map and order.
func BenchmarkNodeCacheChurn(b *testing.B) {
	const size = 1_000_000
	c := newNodeCache(size)
	nodes := make([]*Node, size)
	for i := range nodes {
		nodes[i] = cachedNode(1, uint32(i))
		c.Add(nodes[i])
	}
	version := int64(2)
	c.openVersion(version)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		j := (i * 7919) % size
		c.Remove(nodes[j])
		nodes[j] = cachedNode(version, uint32(i))
		c.Add(nodes[j])
		if i%2000 == 1999 {
			c.closeVersion()
			version++
			c.openVersion(version)
		}
	}
}

func cachedNode(version int64, nonce uint32) *Node {
	return &Node{nodeKey: &NodeKey{version: version, nonce: nonce}}
}

func legacyNode(b byte) *Node {
	return &Node{isLegacy: true, hash: bytes.Repeat([]byte{b}, hashSize)}
}

// order lists the cache's nodes from the most to the least recently used,
// walking the list both ways to check its links.
func order(t *testing.T, c *nodeCache) []*Node {
	t.Helper()
	var fwd []*Node
	for n := c.head; n != nil; n = n.lruNext {
		fwd = append(fwd, n)
	}
	var back []*Node
	for n := c.tail; n != nil; n = n.lruPrev {
		back = append(back, n)
	}
	if len(fwd) != len(back) || len(fwd) != c.Len() {
		t.Fatalf("list forward %d, backward %d, maps %d nodes", len(fwd), len(back), c.Len())
	}
	for i := range fwd {
		if fwd[i] != back[len(back)-1-i] {
			t.Fatalf("list position %d differs forward and backward", i)
		}
	}
	return fwd
}

func wantOrder(t *testing.T, c *nodeCache, want ...*Node) {
	t.Helper()
	got := order(t, c)
	if len(got) != len(want) {
		t.Fatalf("cache holds %d nodes, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("position %d: node %v, want %v", i, got[i].nodeKey, want[i].nodeKey)
		}
	}
}

func TestNodeCacheLRU(t *testing.T) {
	c := newNodeCache(3)
	a, b, d, e := cachedNode(1, 1), cachedNode(1, 2), cachedNode(2, 1), cachedNode(2, 2)
	c.Add(a)
	c.Add(b)
	c.Add(d)
	wantOrder(t, c, d, b, a)

	// Adding a node the cache holds only makes it the most recent.
	c.Add(b)
	wantOrder(t, c, b, d, a)
	c.Add(a)
	wantOrder(t, c, a, b, d)
	c.Add(d)
	wantOrder(t, c, d, a, b)

	// A hit makes the node the most recent; a full cache evicts the least.
	if got := c.Get(a.GetKey()); got != a {
		t.Fatalf("Get(1,1) = %v", got)
	}
	wantOrder(t, c, a, d, b)
	c.Add(e)
	wantOrder(t, c, e, a, d)
	if c.Get(b.GetKey()) != nil {
		t.Fatal("the least recently used node was not evicted")
	}
	if b.lruPrev != nil || b.lruNext != nil {
		t.Fatal("an evicted node keeps its links")
	}

	// A node saved again under a cached key (a version deleted and written
	// again) replaces the cached one.
	d2 := cachedNode(2, 1)
	c.Add(d2)
	wantOrder(t, c, d2, e, a)
	if c.Get(d.GetKey()) != d2 {
		t.Fatal("Get returns the replaced node")
	}

	// Remove takes any node with the key, cached or a copy; a key not
	// cached is a no-op.
	c.Remove(cachedNode(1, 1))
	wantOrder(t, c, d2, e)
	c.Remove(cachedNode(9, 9))
	wantOrder(t, c, d2, e)
	c.Remove(e)
	c.Remove(d2)
	wantOrder(t, c)
	if c.head != nil || c.tail != nil {
		t.Fatal("an empty cache keeps list ends")
	}
	if c.Get([]byte("short")) != nil {
		t.Fatal("a key of neither length found a node")
	}
}

// TestNodeCacheOpenVersion checks the saves whose nodes Add caches without
// looking their keys up: only a version later than any cached or opened,
// and only until closeVersion.
func TestNodeCacheOpenVersion(t *testing.T) {
	c := newNodeCache(10)
	a := cachedNode(1, 1)
	c.Add(a)
	c.openVersion(2)
	n1, n2 := cachedNode(2, 1), cachedNode(2, 2)
	c.Add(n1)
	c.Add(n2)
	c.closeVersion()
	wantOrder(t, c, n2, n1, a)

	// Version 2 saved again (after DeleteVersionsFrom): its keys may be
	// cached, so each new node replaces the one cached under its key.
	c.openVersion(2)
	m1 := cachedNode(2, 1)
	c.Add(m1)
	c.closeVersion()
	wantOrder(t, c, m1, n2, a)
	if c.Get(m1.GetKey()) != m1 {
		t.Fatal("a node saved again under a cached key does not replace it")
	}

	// After closeVersion, a node of the version last opened is looked up
	// like any other (a node read from disk again, say).
	c.openVersion(3)
	p1 := cachedNode(3, 1)
	c.Add(p1)
	c.closeVersion()
	p1again := cachedNode(3, 1)
	c.Add(p1again)
	wantOrder(t, c, p1again, m1, n2, a)

	// A version below one added outside a save is not opened either.
	c.Add(cachedNode(9, 1))
	c.openVersion(5)
	q := cachedNode(5, 1)
	c.Add(q)
	c.Add(cachedNode(5, 1))
	c.closeVersion()
	if got := len(order(t, c)); got != 6 {
		t.Fatalf("cache holds %d nodes, want 6", got)
	}
}

func TestNodeCacheLegacyKeys(t *testing.T) {
	c := newNodeCache(2)
	l1, l2, n := legacyNode(1), legacyNode(2), cachedNode(1, 1)
	c.Add(l1)
	c.Add(n)
	if c.Get(l1.hash) != l1 || c.Get(n.GetKey()) != n {
		t.Fatal("a legacy and a current node are not both found by their keys")
	}
	// One order spans both kinds: l2 evicts the least recent, l1.
	c.Add(l2)
	wantOrder(t, c, l2, n)
	if c.Get(l1.hash) != nil {
		t.Fatal("the least recently used legacy node was not evicted")
	}
	c.Remove(legacyNode(2))
	wantOrder(t, c, n)
}

// TestNodeKeysShareOneAllocation checks what patch 5 changed in making
// nodes: an inner node decoded or saved has its children's keys right, and
// an append to one key does not write over the other, which shares its
// allocation.
func TestNodeKeysShareOneAllocation(t *testing.T) {
	inner := &Node{
		key: []byte("k"), subtreeHeight: 1, size: 2, hash: bytes.Repeat([]byte{7}, hashSize),
		nodeKey:      &NodeKey{version: 5, nonce: 3},
		leftNodeKey:  (&NodeKey{version: 4, nonce: 1}).GetKey(),
		rightNodeKey: (&NodeKey{version: 5, nonce: 4}).GetKey(),
	}
	var buf bytes.Buffer
	if err := inner.writeBytes(&buf); err != nil {
		t.Fatal(err)
	}
	check := func(what string, n *Node, left, right []byte) {
		t.Helper()
		if !bytes.Equal(n.leftNodeKey, left) || !bytes.Equal(n.rightNodeKey, right) {
			t.Fatalf("%s: children %x, %x; want %x, %x", what, n.leftNodeKey, n.rightNodeKey, left, right)
		}
		_ = append(n.leftNodeKey, 0xff)
		if !bytes.Equal(n.rightNodeKey, right) {
			t.Fatalf("%s: an append to the left key changed the right one to %x", what, n.rightNodeKey)
		}
	}
	decoded, err := MakeNode(inner.nodeKey.GetKey(), buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if *decoded.nodeKey != *inner.nodeKey || !bytes.Equal(decoded.key, inner.key) || decoded.size != 2 {
		t.Fatalf("decoded node %v %q %d", decoded.nodeKey, decoded.key, decoded.size)
	}
	check("decoded", decoded, inner.leftNodeKey, inner.rightNodeKey)

	tree := NewMutableTree(dbm.NewMemDB(), 0, true, NewNopLogger())
	for _, k := range []string{"a", "b", "c"} {
		if _, err := tree.Set([]byte(k), []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := tree.SaveVersion(); err != nil {
		t.Fatal(err)
	}
	root := tree.root
	left, err := root.getLeftNode(tree.ImmutableTree)
	if err != nil {
		t.Fatal(err)
	}
	right, err := root.getRightNode(tree.ImmutableTree)
	if err != nil {
		t.Fatal(err)
	}
	check("saved", root, left.GetKey(), right.GetKey())
}

// makeNodeSink keeps MakeNode's result on the heap, as the node cache does.
var makeNodeSink *Node

// TestMakeNodeOneAllocation checks that a node read from the database is
// one allocation (the node with its key, and its children's keys or its
// hash, a leaf's value hashed into a pooled array), and that a decoded
// leaf's hash is the one computed afresh.
func TestMakeNodeOneAllocation(t *testing.T) {
	leaf := &Node{key: []byte("wallet/1"), value: []byte("balance"), size: 1, nodeKey: &NodeKey{version: 9, nonce: 2}}
	inner := &Node{
		key: []byte("k"), subtreeHeight: 1, size: 2, hash: bytes.Repeat([]byte{7}, hashSize),
		nodeKey:      &NodeKey{version: 5, nonce: 3},
		leftNodeKey:  (&NodeKey{version: 4, nonce: 1}).GetKey(),
		rightNodeKey: (&NodeKey{version: 5, nonce: 4}).GetKey(),
	}
	for _, n := range []*Node{leaf, inner} {
		var buf bytes.Buffer
		if err := n.writeBytes(&buf); err != nil {
			t.Fatal(err)
		}
		nk := n.nodeKey.GetKey()
		allocs := testing.AllocsPerRun(100, func() {
			var err error
			if makeNodeSink, err = MakeNode(nk, buf.Bytes()); err != nil {
				t.Fatal(err)
			}
		})
		const want = 1.0
		if allocs != want {
			t.Errorf("MakeNode of a node of height %d allocates %v times, want %v", n.subtreeHeight, allocs, want)
		}
	}
	decoded, err := MakeNode(leaf.nodeKey.GetKey(), func() []byte {
		var buf bytes.Buffer
		if err := leaf.writeBytes(&buf); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}())
	if err != nil {
		t.Fatal(err)
	}
	if want := leaf._hash(leaf.nodeKey.version); len(want) != hashSize || !bytes.Equal(decoded.hash, want) {
		t.Fatalf("decoded leaf's hash %x, want %x", decoded.hash, want)
	}
	if cap(decoded.hash) != hashSize {
		t.Fatalf("decoded leaf's hash has capacity %d, want %d (an append must copy)", cap(decoded.hash), hashSize)
	}
}

// TestSavedNodesKeepTheirKeysInside checks that a node a write made and
// SaveVersion saved keeps its key, and its children's keys or (a leaf)
// its hash, in its own allocation (Node.ownKey, Node.tail), as a decoded
// node does; and that no hash handed out before is written over by the
// later versions' hashing, which reuses nothing of a node already hashed.
func TestSavedNodesKeepTheirKeysInside(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	tree := NewMutableTree(dbm.NewMemDB(), 10_000, true, NewNopLogger())
	type handedOut struct{ got, want []byte }
	var hashes []handedOut
	keep := func(h []byte) {
		hashes = append(hashes, handedOut{h, bytes.Clone(h)})
	}
	for v := 0; v < 20; v++ {
		for j := 0; j < 50; j++ {
			k := fmt.Appendf(nil, "k%03d", rng.Intn(300))
			if rng.Intn(5) == 0 {
				if _, _, err := tree.Remove(k); err != nil {
					t.Fatal(err)
				}
			} else if _, err := tree.Set(k, fmt.Appendf(nil, "%d/%d", v, j)); err != nil {
				t.Fatal(err)
			}
			if j%10 == 0 {
				keep(tree.WorkingHash())
			}
		}
		h, _, err := tree.SaveVersion()
		if err != nil {
			t.Fatal(err)
		}
		keep(h)
		// The newest leaves' hashes, which live in their nodes' tails.
		for _, n := range newNodesOf(tree.root, tree.version) {
			if n.isLeaf() {
				keep(n.hash)
			}
		}
	}
	for i, h := range hashes {
		if !bytes.Equal(h.got, h.want) {
			t.Fatalf("hash %d handed out as %x is now %x", i, h.want, h.got)
		}
	}

	nodes := newNodesOf(tree.root, tree.version)
	if len(nodes) == 0 {
		t.Fatal("the last version saved no node")
	}
	inside := func(b []byte, n *Node) bool {
		return len(b) > 0 && &b[0] == &n.tail[0]
	}
	for _, n := range nodes {
		if n.nodeKey != &n.ownKey {
			t.Fatalf("saved node %v: its key is not in its own allocation", n.nodeKey)
		}
		if n.isLeaf() {
			if !inside(n.hash, n) {
				t.Fatalf("saved leaf %v: its hash is not in its own allocation", n.nodeKey)
			}
		} else if !n.leftNode.isLegacy && !inside(n.leftNodeKey, n) {
			t.Fatalf("saved inner node %v: its children's keys are not in its own allocation", n.nodeKey)
		}
	}
}

// newNodesOf returns the nodes under n that version saved, found through
// the children's pointers, which the nodes saved last keep.
func newNodesOf(n *Node, version int64) []*Node {
	if n == nil || n.nodeKey == nil || n.nodeKey.version != version {
		return nil
	}
	return append(append(newNodesOf(n.leftNode, version), newNodesOf(n.rightNode, version)...), n)
}

// TestSaveNodeMakesRoomForTheEncoding checks that the room SaveNode makes
// for a node's encoding (saveCap) holds it, for leaves and inner nodes of
// a saved tree: otherwise each save copies its encoding into a second
// array. It fails without saveCap's byte for the mode.
func TestSaveNodeMakesRoomForTheEncoding(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	tree := NewMutableTree(dbm.NewMemDB(), 10_000, true, NewNopLogger())
	for v := 0; v < 5; v++ {
		for j := 0; j < 200; j++ {
			k := fmt.Appendf(nil, "key-%d", rng.Intn(100_000))
			if _, err := tree.Set(k, bytes.Repeat([]byte{'v'}, rng.Intn(300))); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := tree.SaveVersion(); err != nil {
			t.Fatal(err)
		}
	}
	nodes := newNodesOf(tree.root, tree.version)
	var inner int
	for _, n := range nodes {
		var w appendWriter
		if err := n.writeBytes(&w); err != nil {
			t.Fatal(err)
		}
		if len(w.b) > saveCap(n) {
			t.Fatalf("node %v (height %d): encoding of %d bytes, room for %d", n.nodeKey, n.subtreeHeight, len(w.b), saveCap(n))
		}
		if !n.isLeaf() {
			inner++
		}
	}
	if inner == 0 || inner == len(nodes) {
		t.Fatalf("%d inner nodes of %d: the test needs both kinds", inner, len(nodes))
	}
}

// TestNodeCacheWideVersions: keys whose version does not fit in the
// packed word (past 2^32) live beside the packed ones, and none is taken
// for another: (2^32+1, 7) is not (1, 7).
func TestNodeCacheWideVersions(t *testing.T) {
	c := newNodeCache(10)
	narrow, wide, wider := cachedNode(1, 7), cachedNode(1<<32+1, 7), cachedNode(1<<40, 1)
	for _, n := range []*Node{narrow, wide, wider} {
		c.Add(n)
	}
	wantOrder(t, c, wider, wide, narrow)
	for _, n := range []*Node{narrow, wide, wider} {
		if got := c.Get(n.GetKey()); got != n {
			t.Fatalf("Get(%v) = %v", n.nodeKey, got)
		}
	}
	if c.byKey.len() != 1 || len(c.byWide) != 2 || c.Len() != 3 {
		t.Fatalf("%d packed and %d wide keys, Len %d; want 1, 2, 3", c.byKey.len(), len(c.byWide), c.Len())
	}
	c.Remove(cachedNode(1<<32+1, 7))
	if c.Get(wide.GetKey()) != nil || c.Get(narrow.GetKey()) != narrow {
		t.Fatal("removing a wide key removed the wrong node")
	}
	c.Remove(narrow)
	c.Remove(wider)
	if c.Len() != 0 || c.head != nil {
		t.Fatalf("an emptied cache holds %d nodes", c.Len())
	}
}
