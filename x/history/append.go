package history

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"google.golang.org/protobuf/proto"

	"github.com/ledgerd/ledgerd/store"
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
	// Sized for every attribute: an entry is appended for each side of
	// every payment, so each allocation here counts.
	attrs := make([]string, 0, 12)
	attrs = append(attrs, "subject", subject, "id", idText(ctx, id), "seq", strconv.FormatUint(next.Count, 10),
		"time", ctx.UnixText())
	if len(ctx.TxHash) > 0 {
		attrs = append(attrs, "tx", ctx.TxHashHex())
	}
	ctx.Emit(Event, append(attrs, "entry", base64String(entry))...)
	return next
}

// base64String is base64.StdEncoding.EncodeToString(b) in one allocation
// for the entries of payments, where EncodeToString takes two.
func base64String(b []byte) string {
	var buf [768]byte
	n := base64.StdEncoding.EncodedLen(len(b))
	if n > len(buf) {
		return base64.StdEncoding.EncodeToString(b)
	}
	base64.StdEncoding.Encode(buf[:n], b)
	return string(buf[:n])
}

// idText is prefixedHex(id), through the context's memory of addresses
// for an id that is one (a wallet's: a payment's entries name the
// addresses its other events do).
func idText(ctx exec.Context, id []byte) string {
	if len(id) == common.AddressLength {
		return ctx.Hex(common.Address(id))
	}
	return prefixedHex(id)
}

// prefixedHex is "0x" and the lowercase hex of b, built in one allocation.
func prefixedHex(b []byte) string {
	var s strings.Builder
	s.Grow(2 + hex.EncodedLen(len(b)))
	s.WriteString("0x")
	const digits = "0123456789abcdef"
	for _, c := range b {
		s.WriteByte(digits[c>>4])
		s.WriteByte(digits[c&0x0f])
	}
	return s.String()
}

// encodeBuffers are the arrays appendEncoding encodes entries into.
var encodeBuffers = sync.Pool{New: func() any { return new([]byte) }}

// AppendMessage is Append of m's canonical encoding (Encode), made in an
// array reused from one entry to the next: nothing keeps an entry's bytes
// but its event's base64 and the accumulator's hash of them.
func AppendMessage(ctx exec.Context, subject string, id []byte, c Chain, m proto.Message) Chain {
	return appendEncoding(ctx, subject, id, c, func(dst []byte) ([]byte, error) { return store.MarshalAppend(dst, m) })
}

// AppendEncoded is AppendMessage for an entry whose canonical encoding is
// size bytes, which encode writes into the array it is given, returning
// how many it wrote (as a generated MarshalToSizedBufferVT does). A caller
// whose encode calls the entry's generated codec on its concrete type
// (store.GeneratedCodec) keeps the entry off the heap, where passing it as
// a proto.Message would move it there.
func AppendEncoded(ctx exec.Context, subject string, id []byte, c Chain, size int, encode func([]byte) (int, error)) Chain {
	return appendEncoding(ctx, subject, id, c, func(dst []byte) ([]byte, error) {
		b := slices.Grow(dst, size)[:size]
		n, err := encode(b)
		if err == nil && n != size {
			err = fmt.Errorf("wrote %d of %d bytes", n, size)
		}
		return b, err
	})
}

// appendEncoding is Append of the entry encode appends to the empty array
// it is given, one of encodeBuffers.
func appendEncoding(ctx exec.Context, subject string, id []byte, c Chain, encode func(dst []byte) ([]byte, error)) Chain {
	buf := encodeBuffers.Get().(*[]byte)
	b, err := encode((*buf)[:0])
	if err != nil {
		panic(fmt.Sprintf("history: encode a %s entry: %v", subject, err))
	}
	next := Append(ctx, subject, id, c, b)
	*buf = b
	encodeBuffers.Put(buf)
	return next
}
