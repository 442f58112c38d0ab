//go:build race

package hugeheap

// raceEnabled: the race detector keeps shadow memory of each allocation,
// which it touches, so the resident memory of an allocation says nothing
// about its own pages.
const raceEnabled = true
