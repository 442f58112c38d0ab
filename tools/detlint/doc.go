// Package detlint defines an analyzer that reports nondeterministic constructs
// in consensus code: code that every validator runs on the same input and
// must reach the same state and output with.
//
// Consensus code is every package whose import path equals, or lies under, one
// of the prefixes given by the -consensus flag (comma-separated; by default
// github.com/ledgerd/ledgerd/x and github.com/ledgerd/ledgerd/app), except a
// package whose path ends in /apptest. Within it, _test.go and generated .pb.go
// files are not checked.
//
// The analyzer reports:
//
//  1. a range over a map: a range expression whose type's underlying type is a
//     map (named map types included), or a type parameter whose type set holds
//     only maps, and a range over maps.Keys, maps.Values or maps.All; the
//     iteration order is random;
//  2. every go statement: scheduling differs between nodes;
//  3. each use of time.Now, time.Since, time.Until, time.Tick, time.After,
//     time.AfterFunc, time.NewTimer, time.NewTicker and time.Sleep, called or
//     not: they read or wait on the wall clock;
//  4. a float: an expression or declaration of type float32, float64,
//     complex64 or complex128 (or a named type over one), or of a function
//     type with one in its signature; untyped constants are exact and are not
//     reported. One finding per line;
//  5. an import of math/rand, math/rand/v2 or crypto/rand (randomness),
//     unsafe or reflect.
//
// A reviewed exception carries a line comment
//
//	// nolint:determinism: <why the result does not depend on it>
//
// at the end of the finding's line, or alone on the line directly above it; it
// suppresses every finding on that line. The reason after the colon must not
// be empty: a marker without one suppresses nothing and is itself reported as
// "nolint:determinism needs a reason".
//
// The analyzer is deterministic and keeps no state between packages.
package detlint
