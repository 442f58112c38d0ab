// Package amlclient reads the AML module's records (package x/aml) through
// a ledgerd node (package client): large-value reports and velocity
// alerts, listed by day, by bank of record or by wallet, and the AML
// parameters.
//
// A list is one page: by is "day", "bank" or "wallet"; value is a day
// number or a YYYY-MM-DD date (days since 1970-01-01 in the consortium's
// time zone), a member id, or a 0x address; the page holds the records with
// ids greater than after, in id order, at most aml.MaxPage of them. A full
// page may have more after it: ask again with after = the last id
// (NextAfter).
//
// # Trust model
//
// The plain reads are the node's word. The Verified variants prove every
// record they return at one height against a header the light client
// verified (package client's trust model), and check that each listed
// record is the one stored under its id and belongs in the list asked for
// (filter, id order after the cursor). They cannot prove that a list is
// complete: the lists are answered from the module's indexes by the node,
// which may leave records out.
package amlclient
