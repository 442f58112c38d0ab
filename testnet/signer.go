package testnet

import (
	"path/filepath"
	"syscall"
	"time"
)

// SignerProcess is a `ledgerd signer` process serving a validator's key to
// its node (GenOptions.RemoteSigners).
type SignerProcess struct {
	Bin, Home string
	// Args are added to `ledgerd signer --home Home`.
	Args []string

	proc
}

// Start runs `ledgerd signer`, appending its output to <home>/signer.log.
func (s *SignerProcess) Start() error {
	return s.start(s.Bin, append([]string{"signer", "--home", s.Home}, s.Args...), filepath.Join(s.Home, "signer.log"))
}

// Kill sends SIGKILL and waits for the process to exit.
func (s *SignerProcess) Kill() error {
	return s.signal(syscall.SIGKILL, 10*time.Second, "signer "+s.Home)
}

// Stop sends SIGTERM and waits up to 10 s for a clean exit.
func (s *SignerProcess) Stop() error {
	return s.signal(syscall.SIGTERM, 10*time.Second, "signer "+s.Home)
}

// Exited reports whether the process has exited, and how.
func (s *SignerProcess) Exited() (bool, error) { return s.exited() }
