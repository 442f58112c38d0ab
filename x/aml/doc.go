// Package aml keeps anti-money-laundering records in consensus: large-value
// transaction reports and velocity alerts. The wallet module tells it every
// growth of a wallet's daily inflow or outflow and of its daily count of
// outgoing payments (wallet.Monitor); Monitor files a record the first time
// a rule is met that day, in the same block, and emits an event.
//
// Rules (parameters amlv1.Params, set at genesis):
//
//   - Large value: when a wallet's aggregate inflow, or its aggregate
//     outflow, of a denom on a day reaches the denom's threshold (>=), one
//     Report for that wallet, day, direction and denom. Inflow and outflow
//     are reported separately, each at most once a day.
//   - Velocity: when a wallet's outgoing payments on a day exceed
//     velocity_limit (>), one Alert for that wallet and day. 0 disables it.
//
// The day is the wallet module's: days since 1970-01-01 in the consortium's
// time zone.
//
// State layout in the "aml" store (values are protobuf unless noted; id and
// counters are 8-byte big-endian; day is 8-byte big-endian with the sign bit
// flipped, so key order is day order; "-> 0x01" is an index entry, whose
// value is one byte because ICS23 proves neither an empty value nor the
// absence of a key next to one):
//
//	0x01 | id                                        -> amlv1.Report
//	0x02 | id                                        -> amlv1.Alert
//	0x03 | day | id                                  -> 0x01: reports by day
//	0x04 | len(bank) (1) | bank | id                 -> 0x01: reports by bank of record
//	0x05 | wallet (20) | id                          -> 0x01: reports by wallet
//	0x06 | day | id                                  -> 0x01: alerts by day
//	0x07 | len(bank) (1) | bank | id                 -> 0x01: alerts by bank of record
//	0x08 | wallet (20) | id                          -> 0x01: alerts by wallet
//	0x09 | wallet (20) | day | direction (1) | denom -> id (8): that side's report of the day is filed
//	0x0a | wallet (20) | day                         -> id (8): the day's alert is raised
//	0x0b                                             -> last report id (8); absent: none yet
//	0x0c                                             -> last alert id (8); absent: none yet
//	0x0d                                             -> amlv1.Params
//
// Ids start at 1 and are allocated in execution order, so id order is the
// order in which the chain filed the records. Records are never changed or
// deleted: a regulator proves any of them with /store/aml/key and
// ReportKey(id) or AlertKey(id).
//
// The filed-markers (0x09, 0x0a) make "once a day" hold even when a
// parameter changes during the day: lowering a threshold reports a wallet
// already above it at its next flow that day; raising it files no second
// report for a day already reported.
//
// Queries (Query) list records by day, by bank or by wallet in id order, a
// page of at most MaxPage at a time. Lists are the answering node's word;
// each record in them is provable.
package aml
