package hugeheap

import "testing"

func TestSelectedMode(t *testing.T) {
	for in, want := range map[string]string{
		"always [madvise] never\n": "madvise",
		"[always] madvise never\n": "always",
		"always madvise [never]":   "never",
		"always madvise never":     "",
		"":                         "",
	} {
		if got := selectedMode(in); got != want {
			t.Errorf("selectedMode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLimitIsHalfTheMachine(t *testing.T) {
	for _, c := range []struct{ size, total, want int64 }{
		{4 << 30, 24 << 30, 4 << 30},
		{4 << 30, 4 << 30, 2 << 30},
		{-1, 4 << 30, 0},
	} {
		if got := limit(c.size, c.total); got != c.want {
			t.Errorf("limit(%d, %d) = %d, want %d", c.size, c.total, got, c.want)
		}
	}
}
