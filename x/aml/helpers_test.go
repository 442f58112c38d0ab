package aml

import (
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/store"
	"github.com/ledgerd/ledgerd/x/exec"
	"github.com/ledgerd/ledgerd/x/wallet"
)

type oneStore struct{ kv store.KV }

func (s oneStore) KV(string) store.KV { return s.kv }

// exec0 is a context over kv alone, at baseTime.
func exec0(kv store.KV) exec.Context { return exec.New(oneStore{kv}, 1, baseTime.Add(time.Hour)) }

func paymentsOf(w common.Address, n uint32) wallet.Payments {
	return wallet.Payments{Wallet: w, Bank: "bank-a", Day: baseDay, Payments: n}
}

func protoEqual(a, b proto.Message) bool { return proto.Equal(a, b) }

// Query answers an AML query path at v through the module's registration,
// as the app does.
func Query(v *store.Version, path string) ([]byte, error) {
	m := New().Module()
	answer, err := m.Answer(versionStores{v}, strings.TrimPrefix(path, QueryPrefix), nil)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(answer)
}

type versionStores struct{ v *store.Version }

func (s versionStores) Reader(name string) store.Reader {
	r, err := s.v.Reader(name)
	if err != nil {
		panic(err)
	}
	return r
}

func (s versionStores) Height() int64 { return s.v.Height }
