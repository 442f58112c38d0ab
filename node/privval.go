package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/cometbft/cometbft/crypto"
	cmtlog "github.com/cometbft/cometbft/libs/log"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	cmttypes "github.com/cometbft/cometbft/types"
)

// SignerListenAddr is where the node listens for its remote signer: c's
// remote_signer.laddr if set, else config.toml's priv_validator_laddr; ""
// when the validator key is a local file.
func SignerListenAddr(cmt *cmtcfg.Config, c Config) string {
	if c.RemoteSigner.Laddr != "" {
		return c.RemoteSigner.Laddr
	}
	return cmt.PrivValidatorListenAddr
}

// openPrivValidator returns what the node signs consensus messages with.
//
// Without a signer listen address, it is the validator key file in the home
// (written by `ledgerd init`) and its last-signed state; both must exist:
// the node never makes up a validator key, which would silently replace a
// key moved to a signer.
//
// With one, it is a remote signer (ledgerd signer, tmkms, an HSM signer)
// that dials in over CometBFT's privval protocol. The home must then hold no
// validator key file, so that a key lives in one place only. The node
// listens and waits up to c.RemoteSigner.StartTimeout (0: until ctx ends)
// for the signer to connect and give its public key.
func openPrivValidator(ctx context.Context, cmt *cmtcfg.Config, c Config, chainID string, nodeKey *p2p.NodeKey, logger cmtlog.Logger) (cmttypes.PrivValidator, error) {
	keyFile, stateFile := cmt.PrivValidatorKeyFile(), cmt.PrivValidatorStateFile()
	laddr := SignerListenAddr(cmt, c)
	_, keyErr := os.Stat(keyFile)
	if laddr == "" {
		if keyErr != nil {
			return nil, fmt.Errorf("validator key: %w. Run `ledgerd init` to make a home, or, if the key was moved to a remote signer, "+
				"set remote_signer.laddr in ledgerd.toml (or priv_validator_laddr in config.toml) for the signer to dial (docs/operations.md, Remote signing)", keyErr)
		}
		if _, err := os.Stat(stateFile); err != nil {
			return nil, fmt.Errorf("validator key %s has no last-signed state: %w. Signing without it could sign twice at a height: "+
				"bring the state file that belongs to the key", keyFile, err)
		}
		return privval.LoadFilePV(keyFile, stateFile), nil
	}
	if keyErr == nil {
		return nil, fmt.Errorf("remote signing is on (signer listen address %s), but this home still holds a validator key, %s: "+
			"a validator key must live in one place only, or it may sign twice. Move it to the signer's home "+
			"(`ledgerd signer init --home SIGNER_HOME --from-node-home %s`, with this node stopped), "+
			"or delete it if it is not a validator's key (docs/operations.md, Remote signing)", laddr, keyFile, cmt.RootDir)
	}
	return listenForSigner(ctx, laddr, chainID, nodeKey, c.RemoteSigner.StartTimeout, quietClosing{logger.With("module", "privval")})
}

// listenForSigner listens on laddr and waits for a signer to connect and
// give its public key for chainID.
func listenForSigner(ctx context.Context, laddr, chainID string, nodeKey *p2p.NodeKey, wait time.Duration, logger cmtlog.Logger) (*remoteSigner, error) {
	ep, err := privval.NewSignerListenerFromAddr(laddr, nodeKey.PrivKey, logger)
	if err != nil {
		return nil, fmt.Errorf("remote signer: listen on %s: %w", laddr, err)
	}
	client, err := privval.NewSignerClient(ep, chainID) // starts ep
	if err != nil {
		return nil, fmt.Errorf("remote signer: %w", err)
	}
	logger.Info("Waiting for the remote signer to connect", "laddr", laddr, "timeout", wait)
	start := time.Now()
	for lastLog := start; ; {
		// An attempt waits up to 3 s (the listener's accept timeout) for a
		// connection; one that fails sooner is not repeated at once.
		attempt := time.Now()
		pub, err := client.GetPubKey()
		if err == nil {
			logger.Info("Remote signer connected", "laddr", laddr, "validator", pub.Address(), "waited", time.Since(start).Round(time.Millisecond))
			return &remoteSigner{laddr: laddr, endpoint: ep, client: client, pub: pub, logger: logger,
				retry: privval.NewRetrySignerClient(client, 0, 100*time.Millisecond)}, nil
		}
		var refused *privval.RemoteSignerError
		switch {
		case errors.As(err, &refused):
			_ = ep.Stop()
			return nil, fmt.Errorf("remote signer at %s refused its public key for chain %s (%s): is it set up for this chain?", laddr, chainID, refused.Description)
		case ctx.Err() != nil:
			_ = ep.Stop()
			return nil, fmt.Errorf("stopped while waiting for the remote signer at %s: %w", laddr, ctx.Err())
		case wait > 0 && time.Since(start) >= wait:
			_ = ep.Stop()
			return nil, fmt.Errorf("no remote signer connected to %s within %s (remote_signer.start_timeout): start the signer "+
				"(`ledgerd signer`, tmkms) and check that it dials this address (last error: %v)", laddr, wait, err)
		case time.Since(lastLog) >= 10*time.Second:
			logger.Info("Still waiting for the remote signer", "laddr", laddr, "waited", time.Since(start).Round(time.Second))
			lastLog = time.Now()
		}
		if d := time.Since(attempt); d < time.Second {
			time.Sleep(time.Second - d)
		}
	}
}

// remoteSigner is the node's end of a remote signer connection: CometBFT's
// SignerClient on a SignerListenerEndpoint, which accepts the signer again
// whenever it reconnects.
//
// A signing request waits for the signer as long as it takes (until Close):
// consensus never re-signs a vote it failed to sign, so a vote given up on
// could stall a round that needs it for good, while a vote signed late only
// costs this node time (it follows the chain again once its signer is back).
// CometBFT's own construction gives up after 50 attempts of up to 3 s each.
//
// It returns the public key the signer gave at start (without asking the
// signer each block), and checks every answer: a signature must verify
// under that key and sign what was asked.
type remoteSigner struct {
	laddr    string
	endpoint *privval.SignerListenerEndpoint
	client   *privval.SignerClient
	retry    *privval.RetrySignerClient // client, retried until it answers or Close
	pub      crypto.PubKey
	logger   cmtlog.Logger
}

// GetPubKey implements types.PrivValidator.
func (r *remoteSigner) GetPubKey() (crypto.PubKey, error) { return r.pub, nil }

// SignVote implements types.PrivValidator.
func (r *remoteSigner) SignVote(chainID string, vote *cmtproto.Vote) error {
	if !r.client.IsConnected() {
		r.logger.Error("Remote signer not connected: waiting for it to sign", "height", vote.Height, "round", vote.Round, "type", vote.Type, "laddr", r.laddr)
	}
	asked := *vote
	if err := r.retry.SignVote(chainID, vote); err != nil {
		return err
	}
	switch {
	case vote.Height != asked.Height || vote.Round != asked.Round || vote.Type != asked.Type ||
		!sameBlockID(vote.BlockID, asked.BlockID) || !bytes.Equal(vote.ValidatorAddress, asked.ValidatorAddress):
		return fmt.Errorf("remote signer signed another vote than asked (%v/%v/%v)", vote.Height, vote.Round, vote.Type)
	case !r.pub.VerifySignature(cmttypes.VoteSignBytes(chainID, vote), vote.Signature):
		return fmt.Errorf("remote signer's vote signature does not verify under validator key %X", r.pub.Address())
	case len(vote.ExtensionSignature) > 0 && !r.pub.VerifySignature(cmttypes.VoteExtensionSignBytes(chainID, vote), vote.ExtensionSignature):
		return fmt.Errorf("remote signer's vote extension signature does not verify under validator key %X", r.pub.Address())
	}
	return nil
}

// SignProposal implements types.PrivValidator.
func (r *remoteSigner) SignProposal(chainID string, proposal *cmtproto.Proposal) error {
	if !r.client.IsConnected() {
		r.logger.Error("Remote signer not connected: waiting for it to sign", "height", proposal.Height, "round", proposal.Round, "type", "proposal", "laddr", r.laddr)
	}
	asked := *proposal
	if err := r.retry.SignProposal(chainID, proposal); err != nil {
		return err
	}
	switch {
	case proposal.Height != asked.Height || proposal.Round != asked.Round || proposal.PolRound != asked.PolRound ||
		!sameBlockID(proposal.BlockID, asked.BlockID):
		return fmt.Errorf("remote signer signed another proposal than asked (%v/%v)", proposal.Height, proposal.Round)
	case !r.pub.VerifySignature(cmttypes.ProposalSignBytes(chainID, proposal), proposal.Signature):
		return fmt.Errorf("remote signer's proposal signature does not verify under validator key %X", r.pub.Address())
	}
	return nil
}

// Close aborts a request waiting for the signer and stops listening: the
// endpoint's service, its connection and its listener. CometBFT's
// Node.OnStop calls it before it waits for consensus to stop.
func (r *remoteSigner) Close() error {
	_ = r.retry.Close()
	return r.endpoint.Stop()
}

// quietClosing drops the "endpoint is closing" errors of a stopping
// SignerListenerEndpoint: CometBFT v0.40.0's accept loop repeats it without
// pause until a request in flight returns (up to 3 s), which made 150,000
// log lines in one shutdown.
type quietClosing struct{ cmtlog.Logger }

func (l quietClosing) Error(msg string, keyvals ...any) {
	for i := 1; i < len(keyvals); i += 2 {
		if err, ok := keyvals[i].(error); ok && err.Error() == "endpoint is closing" {
			return
		}
	}
	l.Logger.Error(msg, keyvals...)
}

func (l quietClosing) With(keyvals ...any) cmtlog.Logger {
	return quietClosing{l.Logger.With(keyvals...)}
}

func sameBlockID(a, b cmtproto.BlockID) bool {
	return bytes.Equal(a.Hash, b.Hash) && a.PartSetHeader.Total == b.PartSetHeader.Total &&
		bytes.Equal(a.PartSetHeader.Hash, b.PartSetHeader.Hash)
}

// Running reports whether a node process has home open: its state store
// is locked (Badger holds an exclusive flock on its directory while open).
// A home whose node was killed is not running: the lock went with the
// process.
func Running(home string) (bool, error) {
	d, err := os.Open(StoreDir(home))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer d.Close()
	switch err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); {
	case errors.Is(err, syscall.EWOULDBLOCK):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("probe %s: %w", d.Name(), err)
	}
	return false, syscall.Flock(int(d.Fd()), syscall.LOCK_UN)
}
