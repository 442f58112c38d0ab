//go:build !js

// Append lives in a file of its own, left out of js/wasm builds: it needs
// exec.Context, whose package brings in the store's IAVL and Badger code,
// which does not build for the browser. The browser console
// (client/console) only verifies chains; it never appends to one.

package history

import (
	"encoding/base64"
	"encoding/hex"
	"strconv"

	"github.com/ledgerd/ledgerd/x/exec"
)

// Append adds entry, the canonical bytes of the subject's next entry
// (whose own seq, if it carries one, must be c.Count+1), to the chain and
// emits it for the index; it returns the chain after it.
func Append(ctx exec.Context, subject string, id []byte, c Chain, entry []byte) Chain {
	next := Chain{Count: c.Count + 1, Head: Next(c.Head, entry)}
	if !ctx.Recording() { // a mempool check: the event's hex and base64 would be thrown away
		return next
	}
	attrs := []string{"subject", subject, "id", "0x" + hex.EncodeToString(id), "seq", strconv.FormatUint(next.Count, 10),
		"time", strconv.FormatInt(ctx.Time.Unix(), 10)}
	if len(ctx.TxHash) > 0 {
		attrs = append(attrs, "tx", hex.EncodeToString(ctx.TxHash))
	}
	ctx.Emit(Event, append(attrs, "entry", base64.StdEncoding.EncodeToString(entry))...)
	return next
}
