package testnet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// TestFreePortsAreReservedOutsideTheEphemeralRange hands out many ports and
// checks each against what FreePort promises: outside the kernel's
// ephemeral range, never handed out twice, bindable, and locked against
// every other process (a lock taken through a file description of its
// own, as another process's would be, must fail).
func TestFreePortsAreReservedOutsideTheEphemeralRange(t *testing.T) {
	lo, hi := usablePorts()
	if lo < 10000 || hi > 65535 || lo > hi {
		t.Fatalf("usable ports %d-%d", lo, hi)
	}
	seen := map[int]bool{}
	take := func(p int) {
		t.Helper()
		if p < lo || p > hi {
			t.Fatalf("port %d outside the usable range %d-%d", p, lo, hi)
		}
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
		if !lockedElsewhere(t, p) {
			t.Fatalf("port %d is not locked against other processes", p)
		}
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("port %d handed out but not bindable: %v", p, err)
		}
		l.Close()
	}
	for range 100 {
		p, err := FreePort()
		if err != nil {
			t.Fatal(err)
		}
		take(p)
	}
	for range 5 {
		base, err := FreeBase(10)
		if err != nil {
			t.Fatal(err)
		}
		for p := base; p < base+10; p++ {
			take(p)
		}
	}
}

// TestFreePortSkipsTakenPorts points FreePort at a port another process
// holds the lock of, and at one something has bound, and checks that it
// hands out neither.
func TestFreePortSkipsTakenPorts(t *testing.T) {
	lo, _ := usablePorts()
	if _, err := FreePort(); err != nil { // sets up the lock directory and the start
		t.Fatal(err)
	}
	// A port locked by another process: a lock through a file description
	// of the test's own.
	reservedPorts.Lock()
	locked := lo + reservedPorts.next
	reservedPorts.Unlock()
	f, err := os.OpenFile(filepath.Join(portLockDir(), strconv.Itoa(locked)), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Skipf("port %d is already locked by another test process: %v", locked, err)
	}
	if p, err := FreePort(); err != nil || p == locked {
		t.Fatalf("FreePort() = %d, %v; port %d is locked by another process", p, err, locked)
	}

	// A port something has bound, without a lock.
	reservedPorts.Lock()
	bound := lo + reservedPorts.next
	reservedPorts.Unlock()
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", bound))
	if err != nil {
		t.Skipf("port %d is taken already: %v", bound, err)
	}
	defer l.Close()
	if p, err := FreePort(); err != nil || p == bound {
		t.Fatalf("FreePort() = %d, %v; port %d is bound", p, err, bound)
	}
	// And FreeBase skips a run that holds it.
	reservedPorts.Lock()
	reservedPorts.next = max(0, bound-lo-3)
	reservedPorts.Unlock()
	if base, err := FreeBase(10); err != nil || (base <= bound && bound < base+10) {
		t.Fatalf("FreeBase(10) = %d, %v; port %d is bound", base, err, bound)
	}
}

// lockedElsewhere reports whether port's lock is held, trying it through
// a file description of its own as another process would.
func lockedElsewhere(t *testing.T, port int) bool {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(portLockDir(), strconv.Itoa(port)), os.O_RDWR, 0)
	if err != nil {
		t.Fatalf("port %d's lock file: %v", port, err)
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return false
	}
	if !errors.Is(err, syscall.EWOULDBLOCK) {
		t.Fatalf("locking port %d: %v", port, err)
	}
	return true
}
