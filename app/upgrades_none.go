//go:build !upgradetest

package app

// testUpgrades is empty in every binary but the test one (-tags
// upgradetest, upgrades_probe.go).
func testUpgrades() []Upgrade { return nil }
