package testnet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Ports for test nodes.
//
// A port found free by binding it and closing the listener is free only
// at that moment: a node started seconds later may find it taken, and
// then fails to start. Two things take such a port. The kernel hands
// ports of its ephemeral range to every bind to port 0 and to every
// outgoing connection, and `go test ./...` runs the packages' test
// binaries at once, each picking ports for its nodes. So FreePort and
// FreeBase hand out ports outside the ephemeral range, which neither a
// bind to port 0 nor a connection takes, and reserve each one for the
// rest of the process's life with an exclusive lock (flock) on a file of
// its own in a directory every test process shares: a port whose lock is
// held elsewhere is skipped. A process's locks go with it, however it
// ends, so a killed test leaves nothing reserved; the lock files stay,
// empty, one per port ever handed out, for the next run to lock again.

// reservedPorts holds the lock files of the ports this process reserved.
var reservedPorts struct {
	sync.Mutex
	files []*os.File
	next  int // the next candidate, an offset into the usable range
}

// portLockDir is the directory of the ports' lock files, one per user, so
// that a directory another user made cannot lock this one out.
func portLockDir() string {
	return filepath.Join(os.TempDir(), fmt.Sprintf("ledgerd-test-ports-%d", os.Getuid()))
}

// usablePorts returns the range [lo, hi] FreePort hands out ports from:
// the largest of the ranges from 10000 to 65535 outside the kernel's
// ephemeral range (Linux's net.ipv4.ip_local_port_range, 32768-60999 by
// default).
func usablePorts() (lo, hi int) {
	ephLo, ephHi := 32768, 60999
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			l, err1 := strconv.Atoi(f[0])
			h, err2 := strconv.Atoi(f[1])
			if err1 == nil && err2 == nil && l <= h {
				ephLo, ephHi = l, h
			}
		}
	}
	below := [2]int{10000, min(ephLo-1, 65535)}
	above := [2]int{max(ephHi+1, 10000), 65535}
	if below[1]-below[0] >= above[1]-above[0] {
		return below[0], below[1]
	}
	return above[0], above[1]
}

// FreePort returns a TCP port on 127.0.0.1 reserved for this process:
// free when it was chosen, outside the kernel's ephemeral range, and
// handed to no other caller of FreePort or FreeBase in any process while
// this one lives.
func FreePort() (int, error) { return FreeBase(1) }

// FreeBase returns a port b such that the ports b to b+span-1 on
// 127.0.0.1 are reserved for this process, as FreePort's are, for
// Generate's BasePort.
func FreeBase(span int) (int, error) {
	if span < 1 {
		return 0, fmt.Errorf("FreeBase(%d): span must be positive", span)
	}
	lo, hi := usablePorts()
	n := hi - lo + 1
	if span > n {
		return 0, fmt.Errorf("no %d ports outside the ephemeral range (%d-%d usable)", span, lo, hi)
	}
	if err := os.MkdirAll(portLockDir(), 0o700); err != nil {
		return 0, fmt.Errorf("ports' lock directory: %w", err)
	}
	reservedPorts.Lock()
	defer reservedPorts.Unlock()
	if reservedPorts.files == nil {
		// Test processes start at different places, so that they seldom
		// probe each other's ports.
		reservedPorts.next = (os.Getpid()*7919 + int(time.Now().UnixNano()%int64(n))) % n
	}
	for tried := 0; tried < n; {
		base := lo + reservedPorts.next
		if base+span-1 > hi {
			reservedPorts.next = 0
			tried += hi - base + 1
			continue
		}
		files, ok, err := reserve(base, span)
		if err != nil {
			return 0, err
		}
		reservedPorts.next = (reservedPorts.next + span) % n
		tried += span
		if ok {
			reservedPorts.files = append(reservedPorts.files, files...)
			return base, nil
		}
	}
	return 0, fmt.Errorf("no %d consecutive free ports in %d-%d", span, lo, hi)
}

// reserve locks the ports base to base+span-1 and checks that each can be
// bound; on success it returns their lock files, which must stay open
// while the ports are in use. A port locked by another process (or
// another FreeBase of this one) or bound by anything makes it release
// what it locked and return false.
func reserve(base, span int) (files []*os.File, ok bool, err error) {
	release := func() {
		for _, f := range files {
			f.Close() // closing the file drops its lock
		}
	}
	for p := base; p < base+span; p++ {
		f, err := os.OpenFile(filepath.Join(portLockDir(), strconv.Itoa(p)), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			release()
			return nil, false, fmt.Errorf("port %d's lock file: %w", p, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			release()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, false, nil
			}
			return nil, false, fmt.Errorf("locking port %d: %w", p, err)
		}
		files = append(files, f)
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			release()
			return nil, false, nil
		}
		l.Close()
	}
	return files, true, nil
}
