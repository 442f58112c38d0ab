package app

import (
	"strconv"

	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/module"
)

// ProbeUpgrade is the test upgrade "probe-v2", registered only in a binary
// built with -tags upgradetest (upgrades_testtag.go) and in unit tests: it adds the probe module's
// store and writes ProbeKey there (the decimal height it ran at), and sets
// the app version to 2.
func ProbeUpgrade() Upgrade {
	return Upgrade{
		Name:       "probe-v2",
		AppVersion: 2,
		Modules:    []*module.Module{{Name: ProbeStore, Doc: "test module added by the probe-v2 upgrade"}},
		Migrate: func(ctx exec.Context) error {
			ctx.KV(ProbeStore).Set(ProbeKey, []byte(strconv.FormatInt(ctx.Height, 10)))
			return nil
		},
	}
}

// ProbeStore and ProbeKey are where the probe upgrade writes.
const ProbeStore = "probe"

var ProbeKey = []byte("upgraded-at")
