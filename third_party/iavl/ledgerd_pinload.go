package iavl

// LoadPinnedLevels reads the nodes of the last saved version's upper
// levels, those a saved node keeps by pointer (see pinnedLevels), and links
// each to its parent (ledgerd's patch 3). A tree that saved its versions
// itself has them linked already; a tree just loaded has only its root,
// and until a write copies them every walk reads those levels through the
// node and encoded caches, a lookup per level. It must be called before the
// tree is read from another goroutine, as it writes the loaded nodes'
// child pointers.
func (tree *MutableTree) LoadPinnedLevels() error {
	root := tree.root
	if root == nil || root.nodeKey == nil || tree.lastSaved == nil || root != tree.lastSaved.root {
		return nil
	}
	floor := root.subtreeHeight - pinnedLevels
	var link func(n *Node) error
	link = func(n *Node) error {
		if n.subtreeHeight <= floor || n.isLeaf() {
			return nil
		}
		var err error
		if n.leftNode == nil {
			if n.leftNode, err = tree.ndb.GetNode(n.leftNodeKey); err != nil {
				return err
			}
		}
		if n.rightNode == nil {
			if n.rightNode, err = tree.ndb.GetNode(n.rightNodeKey); err != nil {
				return err
			}
		}
		if err := link(n.leftNode); err != nil {
			return err
		}
		return link(n.rightNode)
	}
	return link(root)
}
