// Package consortium keeps the consortium's members (banks, auditors,
// regulators), their operator accounts and roles, their nodes and
// validators, and the chain-wide parameters.
//
// State layout in the "consortium" store (values are protobuf):
//
//	0x01 | member id        -> consortiumv1.Member
//	0x02 | address (20)     -> consortiumv1.Operator (member id, nonce)
//	0x03                    -> consortiumv1.Params
//
// This part is genesis and queries; proposals and votes that change
// members come with governance.
package consortium
