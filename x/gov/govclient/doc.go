// Package govclient reads governance's state (package x/gov) through a
// ledgerd node (package client): proposals, the members' votes on them,
// their tallies and governance's parameters, and why a failed proposal
// failed.
//
// # Trust model
//
// The plain reads are the node's word. The Verified variants prove every
// record they return at one height against a header the light client
// verified (package client's trust model), and prove more than a list of
// records can: a proposal record names its voters, and proposal ids run
// from 1 to the stored last id without gaps, so VerifiedVotes and
// VerifiedProposals prove that their lists are complete; VerifiedTally
// recounts a proposal's votes on the client, with the chain's own rule
// (gov.TallyOf) over proven records (the member index, each member, each
// vote, the parameters), instead of taking the node's tally. A failure's
// text (ProposalFailure) is the node's word; its code is in proven state.
package govclient
