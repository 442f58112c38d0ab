//go:build !linux

package hugeheap

// Advise does nothing outside Linux, which alone has transparent huge
// pages to advise; it returns 0.
func Advise(size int64) (int64, error) { return 0, nil }
