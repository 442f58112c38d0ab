// Package consortiumclient reads the consortium module's state (package
// x/consortium) through a ledgerd node (package client): the members, their
// roles, operators, nodes and validators, and the operators' records.
//
// # Trust model
//
// The plain reads are the node's word. The Verified variants prove what
// they return at one height against a header the light client verified
// (package client's trust model). VerifiedMember and VerifiedOperator prove
// one record, present or absent. The plain Members list is not provable (a
// node may leave members out), but VerifiedMembers is: it walks the members'
// key range with proofs (client.VerifiedRange), so the list is proven
// complete, not only each member genuine.
package consortiumclient
