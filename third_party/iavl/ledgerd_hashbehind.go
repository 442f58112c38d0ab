package iavl

import (
	"bytes"

	ics23 "github.com/cosmos/ics23/go"
)

// ledgerd's patch 10: hashing behind a block's writes.
//
// The store writes a block's changes into the working tree in key order on
// one goroutine, and hashes the tree after; the other core idles through
// the writes. Once the writes have passed a key, a subtree that holds only
// keys below it takes no more insertions or updates, and an insertion's
// rebalancing does not change it either (the rotations change the nodes
// on the inserted key's path, and move the subtrees beside it whole): its
// hashes are final, and a goroutine of its own computes them while the
// writes go on. A removal's rebalancing can rotate a subtree behind the
// path (its sibling's), so a removal, like a write below the frontier,
// first waits for the hashing to finish.

// hashBehindMinHeight is the least height of a subtree HashBehind hands to
// its goroutine: smaller ones are left to WorkingHash.
const hashBehindMinHeight = 4

// behindHasher is the goroutine hashing the subtrees behind the writes,
// with what it was given.
type behindHasher struct {
	version  int64
	frontier []byte
	tasks    chan *Node
	done     chan struct{}
	// claimed are the subtrees sent, never read by the goroutine: a later
	// walk skips them without reading the hash the goroutine writes.
	claimed map[*Node]struct{}
}

// HashBehind starts hashing, on a goroutine of its own, the unhashed
// subtrees of the working tree whose keys are all below frontier. The
// caller means to write only keys at or above frontier until the next
// WorkingHash or SaveVersion. Whatever else it does to the tree waits for
// the goroutine first: a write below the frontier, a removal, a smaller
// frontier; the hashes' readers (WorkingHash, SaveVersion, the working
// tree's proofs); and what replaces or discards the working tree
// (Rollback, LoadVersion, LoadVersionForOverwriting, SetInitialVersion,
// Import, Close). A broken promise costs time, never a wrong hash. A tree
// dropped without any of these keeps the goroutine, and the nodes it was
// given, for good.
func (tree *MutableTree) HashBehind(frontier []byte) {
	b := tree.behind
	if b != nil && (bytes.Compare(frontier, b.frontier) < 0 || b.version != tree.WorkingVersion()) {
		tree.waitBehind()
		b = nil
	}
	node := tree.root
	for node != nil && node.subtreeHeight > 0 {
		if bytes.Compare(frontier, node.key) < 0 {
			node = node.leftNode
			continue
		}
		// Every key of the left subtree is below node.key, so below
		// frontier.
		if left := node.leftNode; left != nil && left.subtreeHeight >= hashBehindMinHeight {
			if b == nil {
				b = &behindHasher{version: tree.WorkingVersion(), tasks: make(chan *Node, 64),
					done: make(chan struct{}), claimed: make(map[*Node]struct{})}
				tree.behind = b
				go b.run()
			}
			if _, ok := b.claimed[left]; !ok && left.hash == nil {
				b.claimed[left] = struct{}{}
				b.tasks <- left
			}
		}
		node = node.rightNode
	}
	if b != nil {
		b.frontier = append(b.frontier[:0], frontier...)
	}
}

// run hashes the subtrees sent, in the order sent: a subtree sent later may
// hold one sent before, whose hashes it then finds done.
func (b *behindHasher) run() {
	defer close(b.done)
	for node := range b.tasks {
		node.hashWithCount(b.version)
	}
}

// waitBehind waits for the hashing HashBehind started, if any, to finish.
func (tree *MutableTree) waitBehind() {
	if b := tree.behind; b != nil {
		tree.behind = nil
		close(b.tasks)
		<-b.done
	}
}

// waitBehindBelow waits for the hashing HashBehind started if key is below
// its frontier.
func (tree *MutableTree) waitBehindBelow(key []byte) {
	if b := tree.behind; b != nil && bytes.Compare(key, b.frontier) < 0 {
		tree.waitBehind()
	}
}

// The working tree's proofs read the hashes HashBehind's goroutine writes:
// they wait for it first (ledgerd). The store proves saved versions only.

// GetProof is ImmutableTree.GetProof, after the hashing behind the writes.
func (tree *MutableTree) GetProof(key []byte) (*ics23.CommitmentProof, error) {
	tree.waitBehind()
	return tree.ImmutableTree.GetProof(key)
}

// GetMembershipProof is ImmutableTree.GetMembershipProof, after the
// hashing behind the writes.
func (tree *MutableTree) GetMembershipProof(key []byte) (*ics23.CommitmentProof, error) {
	tree.waitBehind()
	return tree.ImmutableTree.GetMembershipProof(key)
}

// GetNonMembershipProof is ImmutableTree.GetNonMembershipProof, after the
// hashing behind the writes.
func (tree *MutableTree) GetNonMembershipProof(key []byte) (*ics23.CommitmentProof, error) {
	tree.waitBehind()
	return tree.ImmutableTree.GetNonMembershipProof(key)
}

// VerifyMembership is ImmutableTree.VerifyMembership, after the hashing
// behind the writes.
func (tree *MutableTree) VerifyMembership(proof *ics23.CommitmentProof, key []byte) (bool, error) {
	tree.waitBehind()
	return tree.ImmutableTree.VerifyMembership(proof, key)
}

// VerifyNonMembership is ImmutableTree.VerifyNonMembership, after the
// hashing behind the writes.
func (tree *MutableTree) VerifyNonMembership(proof *ics23.CommitmentProof, key []byte) (bool, error) {
	tree.waitBehind()
	return tree.ImmutableTree.VerifyNonMembership(proof, key)
}
