package bank

import (
	"maps"
	"slices"
)

type Set map[string]bool

type SetAlias = map[string]bool

type MapLike interface{ ~map[string]int }

func newMap() map[string]int { return nil }

func ranges(m map[string]int, s Set, a SetAlias, xs []int, ch chan int, str string) {
	for k := range m { // want `range over a map \(map\[string\]int\): iteration order is random`
		_ = k
	}
	for range s { // want `range over a map \(Set\)`
	}
	for range a { // want `range over a map \(SetAlias\)`
	}
	for range newMap() { // want `range over a map`
	}
	for range maps.Keys(m) { // want `range over maps.Keys: iteration order is random`
	}
	for range maps.Values(s) { // want `range over maps.Values`
	}
	for range maps.All(m) { // want `range over maps.All`
	}
	for range slices.Sorted(maps.Keys(m)) {
	}
	for range xs {
	}
	for range ch {
	}
	for range str {
	}
	for range 3 {
	}
}

func typeParam[M ~map[K]V, K comparable, V any](m M) {
	for range m { // want `range over a map \(M\)`
	}
}

func namedConstraint[M MapLike](m M) {
	for range m { // want `range over a map \(M\)`
	}
}

func union[M map[string]bool | Set](m M) {
	for range m { // want `range over a map \(M\)`
	}
}

func sliceParam[S ~[]int](s S) {
	for range s {
	}
}
