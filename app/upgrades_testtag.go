//go:build upgradetest

package app

// testUpgrades, in a binary built with -tags upgradetest only, is the
// upgrade the network test (testnet/upgrade_test.go) schedules: it adds
// the probe module's store and writes its marker, and raises the app
// version to 2. A production binary does not have it: a chain that
// scheduled it would halt there.
func testUpgrades() []Upgrade {
	return []Upgrade{ProbeUpgrade()}
}
