package verifier

// SetAMLPageSize makes the AML lookup's pages n records long until the
// returned func restores them.
func SetAMLPageSize(n int) (restore func()) {
	amlPageSize = n
	return func() { amlPageSize = AMLPageSize }
}
