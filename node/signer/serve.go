// Package signer is ledgerd's remote signer: a process that holds a
// validator key, away from the node, and signs the node's votes and
// proposals over CometBFT's privval protocol (the one tmkms and HSM signers
// speak). The node listens on its signer listen address; the signer dials
// it, and dials again whenever the connection is lost, for as long as it
// runs.
//
// Double-sign protection is CometBFT's FilePV: before a signature leaves
// the signer, the height, round and step it signed (and the signature) are
// written to the home's state file, and FilePV refuses to sign anything at
// a lower height, round or step, or different data at the same one; the
// signer also syncs that file to disk before it answers. A signer home is
// served by one process at a time (Open locks it).
//
// The protocol code is CometBFT's (privval.DefaultValidationRequestHandler,
// its message framing and SecretConnection); the connection loop is ours:
// CometBFT v0.40.0's SignerServer spins on a closed connection instead of
// dialling again after a node restart, and stops serving for good once its
// dial retries run out.
package signer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/cometbft/cometbft/crypto/ed25519"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	cmtnet "github.com/cometbft/cometbft/libs/net"
	"github.com/cometbft/cometbft/libs/protoio"
	p2pconn "github.com/cometbft/cometbft/p2p/conn"
	"github.com/cometbft/cometbft/privval"
	privvalproto "github.com/cometbft/cometbft/proto/tendermint/privval"
	cmttypes "github.com/cometbft/cometbft/types"
)

// ServeOptions says what Serve serves, and to which node.
type ServeOptions struct {
	// Addr is the node's signer listen address: tcp://host:port or
	// unix:///path.
	Addr string
	// ChainID is the only chain signed for.
	ChainID string
	// PV is the key and its last-signed state (Open), and StateFile the
	// file its state is saved to, which Serve syncs before each answer to a
	// signing request.
	PV        *privval.FilePV
	StateFile string
	Logger    cmtlog.Logger
	// RetryWait is the pause between dials while the node is unreachable
	// (default 1 s).
	RetryWait time.Duration
	// Timeout bounds dialling, the handshake, and each write; a connection
	// on which the node sends nothing (not even its pings, every 3-4 s) for
	// IdleTimeout is dropped and dialled again. Defaults 5 s and 15 s.
	Timeout, IdleTimeout time.Duration
}

// maxMsgSize bounds a request, as CometBFT's own endpoints do: a precommit
// with a maximal vote extension and two maximal signatures.
var maxMsgSize = cmttypes.MaxVoteExtensionSize + 2*cmttypes.MaxSignatureSize + 1024

// Serve dials the node and answers its requests until ctx ends, dialling
// again whenever the node is unreachable or the connection is lost. It
// returns nil when ctx ends, or an error for an address it cannot dial.
func Serve(ctx context.Context, o ServeOptions) error {
	if o.RetryWait <= 0 {
		o.RetryWait = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 15 * time.Second
	}
	protocol, address := cmtnet.ProtocolAndAddress(o.Addr)
	if protocol != "tcp" && protocol != "unix" {
		return fmt.Errorf("signer: address %q: want tcp://host:port or unix:///path (ledgerd signer does not dial %s://)", o.Addr, protocol)
	}
	// The connection's own key: CometBFT's node does not check it (nor
	// does it keep its own across restarts), so a fresh one per run.
	connKey := ed25519.GenPrivKey()
	logger := o.Logger.With("node", o.Addr)
	pub, err := o.PV.GetPubKey()
	if err != nil {
		return err
	}
	logger.Info("Serving validator key", "validator", pub.Address(), "chain_id", o.ChainID)
	for failures := 0; ctx.Err() == nil; {
		conn, err := dial(ctx, protocol, address, connKey, o.Timeout)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			failures++
			if failures == 1 {
				logger.Info("Node unreachable; dialling again until it answers", "every", o.RetryWait, "err", err)
			} else {
				logger.Debug("Node unreachable", "attempts", failures, "err", err)
			}
			select {
			case <-ctx.Done():
			case <-time.After(o.RetryWait):
			}
			continue
		}
		failures = 0
		logger.Info("Connected to node")
		err = o.serveConn(ctx, conn, logger)
		if ctx.Err() != nil {
			break
		}
		logger.Info("Connection to node lost; dialling again", "err", err)
	}
	logger.Info("Signer stopped")
	return nil
}

// dial connects to the node; over TCP, with CometBFT's SecretConnection
// (encrypted; neither side authenticated).
func dial(ctx context.Context, protocol, address string, key ed25519.PrivKey, timeout time.Duration) (net.Conn, error) {
	d := net.Dialer{Timeout: timeout}
	conn, err := d.DialContext(ctx, protocol, address)
	if err != nil || protocol != "tcp" {
		return conn, err
	}
	if err := conn.SetDeadline(time.Now().Add(timeout)); err != nil {
		conn.Close()
		return nil, err
	}
	sc, err := p2pconn.MakeSecretConnection(conn, key)
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("handshake: %w", err)
	}
	return sc, nil
}

// serveConn answers requests on conn, one at a time, until it fails or
// ctx ends.
func (o ServeOptions) serveConn(ctx context.Context, conn net.Conn, logger cmtlog.Logger) error {
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	r := protoio.NewDelimitedReader(conn, maxMsgSize)
	w := protoio.NewDelimitedWriter(conn)
	for {
		if err := conn.SetReadDeadline(time.Now().Add(o.IdleTimeout)); err != nil {
			return err
		}
		var req privvalproto.Message
		if _, err := r.ReadMsg(&req); err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("closed by the node")
			}
			return err
		}
		res := o.answer(req, logger)
		if err := conn.SetWriteDeadline(time.Now().Add(o.Timeout)); err != nil {
			return err
		}
		if _, err := w.WriteMsg(&res); err != nil {
			return err
		}
	}
}

// answer signs or refuses one request with CometBFT's handler, and syncs
// the state file to disk before a signature leaves.
func (o ServeOptions) answer(req privvalproto.Message, logger cmtlog.Logger) privvalproto.Message {
	res, err := privval.DefaultValidationRequestHandler(o.PV, req, o.ChainID)
	switch r := req.Sum.(type) {
	case *privvalproto.Message_SignVoteRequest:
		v := r.SignVoteRequest.Vote
		if e := res.GetSignedVoteResponse().GetError(); err != nil || e != nil {
			logger.Error("Refused to sign vote", "height", v.GetHeight(), "round", v.GetRound(), "type", v.GetType(), "err", refusal(err, e))
			return res
		}
		if err := syncFile(o.StateFile); err != nil {
			logger.Error("Signed vote withheld: state not synced to disk", "height", v.Height, "err", err)
			return privvalproto.Message{Sum: &privvalproto.Message_SignedVoteResponse{SignedVoteResponse: &privvalproto.SignedVoteResponse{
				Error: &privvalproto.RemoteSignerError{Description: "state not synced: " + err.Error()}}}}
		}
		logger.Info("Signed vote", "height", v.Height, "round", v.Round, "type", v.Type)
	case *privvalproto.Message_SignProposalRequest:
		p := r.SignProposalRequest.Proposal
		if e := res.GetSignedProposalResponse().GetError(); err != nil || e != nil {
			logger.Error("Refused to sign proposal", "height", p.GetHeight(), "round", p.GetRound(), "err", refusal(err, e))
			return res
		}
		if err := syncFile(o.StateFile); err != nil {
			logger.Error("Signed proposal withheld: state not synced to disk", "height", p.Height, "err", err)
			return privvalproto.Message{Sum: &privvalproto.Message_SignedProposalResponse{SignedProposalResponse: &privvalproto.SignedProposalResponse{
				Error: &privvalproto.RemoteSignerError{Description: "state not synced: " + err.Error()}}}}
		}
		logger.Info("Signed proposal", "height", p.Height, "round", p.Round)
	case *privvalproto.Message_PubKeyRequest:
		if err != nil {
			logger.Error("Refused public key", "err", err)
		}
	default:
		if err != nil {
			logger.Error("Bad request", "err", err)
		}
	}
	return res
}

func refusal(err error, e *privvalproto.RemoteSignerError) string {
	if err != nil {
		return err.Error()
	}
	return e.Description
}
