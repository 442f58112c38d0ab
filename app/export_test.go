package app

import authv1 "github.com/ledgerd/ledgerd/proto/ledgerd/auth/v1"

// DecodeTx exposes decodeTx to the external test package (fuzzing).
func (a *App) DecodeTx(raw []byte) (*authv1.Tx, error) {
	var c checkedTx
	if err := a.decodeTx(raw, a.params.Load().MaxTxBytes, &c); err != nil {
		return nil, err
	}
	return c.tx, nil
}

// SigCacheLen exposes the signature cache's size to the external tests.
func (a *App) SigCacheLen() int { return a.sigs.len() }
