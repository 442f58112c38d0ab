package benchrpc

import (
	"fmt"
	"os/exec"
)

// setupKVStore writes a CometBFT home for the stock kvstore into home
// with `cometbft init`, then config.toml per s.
func setupKVStore(cometbft, home string, s Settings, p ports) error {
	if out, err := exec.Command(cometbft, "init", "--home", home).CombinedOutput(); err != nil {
		return fmt.Errorf("%s init: %v\n%s", cometbft, err, out)
	}
	return s.writeConfig(home, "kvstore", false, p)
}
