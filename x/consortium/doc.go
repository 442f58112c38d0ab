// Package consortium keeps the consortium's members (banks, auditors,
// regulators), their operator accounts and roles, their nodes and
// validators, and the chain-wide parameters.
//
// State layout in the "consortium" store (values are protobuf):
//
//	0x01 | member id        -> consortiumv1.Member
//	0x02 | address (20)     -> consortiumv1.Operator (member id, nonce)
//	0x03                    -> consortiumv1.Params
//	0x04 | node id          -> consortiumv1.NodeOwner (the peer filter's index)
//
// Genesis sets the members; afterwards only governance (x/gov) changes
// them. An operator taken off a member keeps its record and nonce with an
// empty member id, so its signed transactions cannot be replayed.
package consortium
