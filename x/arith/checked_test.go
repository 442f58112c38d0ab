package arith

import (
	"errors"
	"math"
	"testing"
)

const maxU = math.MaxUint64

// checkResult fails t unless (got, err) is (want, nil) when wantErr is nil,
// or an error matching wantErr.
func checkResult(t *testing.T, call string, got uint64, err error, want uint64, wantErr error) {
	t.Helper()
	switch {
	case wantErr == nil && err != nil:
		t.Errorf("%s: error %v, want %d", call, err, want)
	case wantErr == nil && got != want:
		t.Errorf("%s = %d, want %d", call, got, want)
	case wantErr != nil && !errors.Is(err, wantErr):
		t.Errorf("%s = %d, %v; want %v", call, got, err, wantErr)
	case wantErr != nil && got != 0:
		t.Errorf("%s = %d with %v; want 0 with the error", call, got, err)
	}
}

func TestAdd(t *testing.T) {
	for _, tc := range []struct {
		a, b, want uint64
		err        error
	}{
		{0, 0, 0, nil},
		{1, 2, 3, nil},
		{maxU, 0, maxU, nil},
		{0, maxU, maxU, nil},
		{maxU - 1, 1, maxU, nil},
		{1 << 63, 1<<63 - 1, maxU, nil},
		{maxU, 1, 0, ErrOverflow},
		{1, maxU, 0, ErrOverflow},
		{1 << 63, 1 << 63, 0, ErrOverflow},
		{maxU, maxU, 0, ErrOverflow},
	} {
		got, err := Add(tc.a, tc.b)
		checkResult(t, "Add", got, err, tc.want, tc.err)
	}
}

func TestSub(t *testing.T) {
	for _, tc := range []struct {
		a, b, want uint64
		err        error
	}{
		{0, 0, 0, nil},
		{3, 2, 1, nil},
		{3, 3, 0, nil},
		{maxU, maxU, 0, nil},
		{maxU, 0, maxU, nil},
		{maxU, 1, maxU - 1, nil},
		{2, 3, 0, ErrNegative},
		{0, 1, 0, ErrNegative},
		{0, maxU, 0, ErrNegative},
		{maxU - 1, maxU, 0, ErrNegative},
	} {
		got, err := Sub(tc.a, tc.b)
		checkResult(t, "Sub", got, err, tc.want, tc.err)
	}
}

func TestMul(t *testing.T) {
	for _, tc := range []struct {
		a, b, want uint64
		err        error
	}{
		{0, 0, 0, nil},
		{0, maxU, 0, nil},
		{maxU, 0, 0, nil},
		{1, maxU, maxU, nil},
		{6, 7, 42, nil},
		{1 << 32, 1<<32 - 1, 1<<64 - 1<<32, nil},
		{maxU / 3, 3, maxU, nil}, // 2^64-1 = 3 * 6148914691236517205
		{1 << 32, 1 << 32, 0, ErrOverflow},
		{1 << 63, 2, 0, ErrOverflow},
		{maxU/3 + 1, 3, 0, ErrOverflow},
		{maxU, maxU, 0, ErrOverflow},
	} {
		got, err := Mul(tc.a, tc.b)
		checkResult(t, "Mul", got, err, tc.want, tc.err)
	}
}

func TestSum(t *testing.T) {
	for _, tc := range []struct {
		xs   []uint64
		want uint64
		err  error
	}{
		{nil, 0, nil},
		{[]uint64{}, 0, nil},
		{[]uint64{7}, 7, nil},
		{[]uint64{maxU}, maxU, nil},
		{[]uint64{1, 2, 3, 4}, 10, nil},
		{[]uint64{maxU - 2, 1, 1}, maxU, nil},
		{[]uint64{0, maxU, 0}, maxU, nil},
		{[]uint64{maxU - 2, 1, 1, 1}, 0, ErrOverflow},
		{[]uint64{maxU, 1}, 0, ErrOverflow},
		{[]uint64{1 << 63, 1 << 62, 1 << 62}, 0, ErrOverflow},
	} {
		got, err := Sum(tc.xs...)
		checkResult(t, "Sum", got, err, tc.want, tc.err)
	}
}
