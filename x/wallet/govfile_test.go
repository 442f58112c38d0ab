package wallet

import (
	"errors"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/x/module"
)

// fileInput is a CLI input whose only content is the file of --file.
type fileInput struct {
	module.Input // unused methods panic
	content      string
}

func (f fileInput) File(name string) ([]byte, error) {
	if name != "file" {
		return nil, errors.New("no such flag: " + name)
	}
	return []byte(f.content), nil
}

// TestSetWalletParamsRefusesWallets: `propose set-wallet-params --file`
// takes the genesis section's format without its wallets, and says so
// rather than ignoring wallets or a wallets file in it.
func TestSetWalletParamsRefusesWallets(t *testing.T) {
	build := New(nil, nil).Module().GovActions[0].Commands[0].Build
	const digest = "0000000000000000000000000000000000000000000000000000000000000000"
	for name, content := range map[string]string{
		"wallets":      `{"denoms":["CNY"],"wallets":[{"owner":"0x0000000000000000000000000000000000000001"}]}`,
		"wallets file": `{"denoms":["CNY"],"wallets_file":{"path":"w.jsonl","sha256":"` + digest + `"}}`,
	} {
		_, err := build(fileInput{content: content})
		if err == nil || !strings.Contains(err.Error(), "cannot be set by governance") {
			t.Errorf("%s: %v, want a refusal", name, err)
		}
	}
	msg, err := build(fileInput{content: `{"denoms":["CNY"]}`})
	if err != nil {
		t.Fatalf("parameters only: %v", err)
	}
	if msg == nil || proto.Size(msg) == 0 {
		t.Fatalf("parameters only: built %v", msg)
	}
}
