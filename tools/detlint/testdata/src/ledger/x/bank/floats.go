package bank

import "strconv"

var ratio float64 // want `float type float64`

var lit = 1.5 // want `float type float64`

var both, pair float32 = 1, 2 // want `float type float32`

var c64 complex64 // want `float type complex64`

type Rate float64 // want `float type Rate`

type params struct {
	Limit int64
	Share float64 // want `float type float64`
}

func half(n int64) int64 {
	return int64(float64(n) / 2) // want `float type float64`
}

func scale(x float64) float64 { return x } // want `float type func\(x float64\) float64`

func split() (int, complex128) { return 0, 0 } // want `float type func\(\) \(int, complex128\)`

func parse(s string) error {
	_, err := strconv.ParseFloat(s, 64) // want `float type float64`
	return err
}

// Untyped constants are exact, and a constant converted to an integer type is
// an integer.
const exact = 1.5

const billion = 1e9

var n int64 = 1e9
