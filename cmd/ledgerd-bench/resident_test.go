package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// residentSink keeps the test's allocation reachable until it is measured.
var residentSink []byte

func TestSampleResidentSeesAnonymousPeak(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self/status")
	}
	// Free pages the heap holds go back to the system first, so that the
	// allocation below needs new ones.
	debug.FreeOSMemory()
	before := readResident()
	if before.anon <= 0 || before.file <= 0 {
		t.Fatalf("readResident() = %+v, want both parts above zero (the heap, the binary's text)", before)
	}
	stop := sampleResident(5 * time.Millisecond)
	const size = 96 << 20
	residentSink = make([]byte, size)
	for i := 0; i < size; i += 4096 {
		residentSink[i] = 1 // touch every page, so that it is resident
	}
	time.Sleep(200 * time.Millisecond) // many sampling periods, on a busy machine too
	residentSink = nil
	debug.FreeOSMemory() // the peak is gone when stop takes its last reading
	if now := readResident(); now.anon-before.anon > 40 {
		t.Logf("the heap kept %.0f MiB resident after FreeOSMemory", now.anon-before.anon)
	}
	peak := stop()
	if grew := peak.anon - before.anon; grew < 80 {
		t.Fatalf("peak anonymous %.0f MiB, %.0f MiB above the start; want at least 80 of the 96 MiB touched", peak.anon, grew)
	}
	if peak.file < before.file/2 {
		t.Fatalf("peak file-backed %.0f MiB, below the %.0f MiB at the start", peak.file, before.file)
	}
}
