// Package settle is interbank settlement (docs/settlement.md). Each member
// bank issues e-money against fiat it receives, and customers pay across
// banks freely, so a bank's customers come to hold money whose fiat sits
// at another bank. The wallet module keeps every bank's position
// incrementally (its signed outstanding issuance less what its wallets
// hold: wallet.Position); this module settles the positions:
//
//   - a cycle fixes every bank's net position in a denomination (daily, at
//     the first block of a business day, or when a bank calls one), less
//     what open legs of earlier cycles already settle;
//   - each net debtor pays the settlement agent off the ledger (the
//     large-value payment system) and records the payment's reference; the
//     agent confirms receipt, pays the net creditors and records it, and
//     each creditor confirms. A bilateral cycle has one leg between two
//     banks and no agent;
//   - a confirmation moves the leg's amount of issuance from payer to payee
//     (wallet.SettlementKeeper.Reattribute), so that money is backed where
//     it is held;
//   - a bank whose net debit at a close is past its cap, or whose leg is not
//     confirmed by the deadline (business days after the close, holiday
//     calendar in the parameters), or whose payment is disputed, is
//     reported to the regulators (a breach record and event) until its legs
//     of the cycle are confirmed; a cap or late breach stops its issuance
//     in the denomination (an issue guard on the wallet module);
//   - every step is an entry in the cycle's history chain.
//
// State layout in the "settle" store (values are protobuf; member ids are
// one-byte length-prefixed, ids and days 8-byte big-endian):
//
//	0x01                                -> settlev1.Params
//	0x02 | cycle                        -> settlev1.Cycle
//	0x03 | cycle | leg (4)              -> settlev1.Leg
//	0x04                                -> next cycle id (8)
//	0x05 | bank* | cycle | kind (1)     -> settlev1.Breach
//	0x06 | deadline day | cycle         -> 0x01: open cycle, checked after its deadline
//	0x07 | bank* | denom                -> settlev1.Inflight: open legs' amounts
//	0x08                                -> last daily close day (8)
//
// Invariants (Invariant): every confirmed leg has a recorded payment; a
// cycle's counts and the agent's sums match its legs; through an agent,
// what debtors pay equals what creditors receive; the inflight records are
// the sums of the open legs.
package settle
