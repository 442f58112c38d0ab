package verifier

import (
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/types"
)

// abciResult is a transaction's result as /block_results sends it.
type abciResult struct {
	Code      uint32 `json:"code"`
	Data      []byte `json:"data"`
	Log       string `json:"log"`
	GasWanted int64  `json:"gas_wanted"`
	GasUsed   int64  `json:"gas_used"`
	Events    []struct {
		Type       string `json:"type"`
		Attributes []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"attributes"`
	} `json:"events"`
}

type abciExec = abci.ExecTxResult

func (r *abciResult) exec() *abciExec {
	return &abci.ExecTxResult{Code: r.Code, Data: r.Data, GasWanted: r.GasWanted, GasUsed: r.GasUsed}
}

// resultsHash is the last-results hash of a block's results: it covers
// each transaction's code, data and gas, not its log or events.
func resultsHash(rs []*abciExec) []byte { return types.NewResults(rs).Hash() }
