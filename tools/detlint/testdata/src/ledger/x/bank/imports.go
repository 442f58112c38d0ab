package bank

import (
	crand "crypto/rand"   // want `import of "crypto/rand" \(randomness\)`
	"math/rand"           // want `import of "math/rand" \(randomness\)`
	randv2 "math/rand/v2" // want `import of "math/rand/v2" \(randomness\)`
	"reflect"             // want `import of "reflect" \(reflection\)`
	"unsafe"              // want `import of "unsafe" \(memory layout\)`
)

var (
	_ = crand.Reader
	_ = rand.Int
	_ = randv2.Int
	_ = reflect.TypeOf
	_ = unsafe.Sizeof(0)
)
