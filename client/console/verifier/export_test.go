package verifier

import "context"

// SetAMLPageSize makes the AML lookup's pages n records long until the
// returned func restores them.
func SetAMLPageSize(n int) (restore func()) {
	amlPageSize = n
	return func() { amlPageSize = AMLPageSize }
}

// QueryLog asks the node at base (a JSON-RPC URL) path's query as the
// verifier does, and returns the answer's log.
func QueryLog(ctx context.Context, base, path string) (string, error) {
	v := &Verifier{rpc: &RPC{Base: base}}
	q, err := v.abciQuery(ctx, path, nil, 0, false)
	if err != nil {
		return "", err
	}
	return q.Log, nil
}
