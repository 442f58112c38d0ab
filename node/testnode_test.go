package node_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

// TestStartOnTakenPort: a node whose RPC port was taken between FreePort
// and its start is built again on other ports and starts (the helper's
// retry, which the other tests of the package rely on when test processes
// race for ports). The failed start must release the node's databases, or
// the second build fails on their locks.
func TestStartOnTakenPort(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	home := initHome(t, "ledgerd-taken-port")
	tn, err := newTestNode(t, home, nil)
	if err != nil {
		t.Fatal(err)
	}
	taken := strings.TrimPrefix(tn.cmt.RPC.ListenAddress, "tcp://")
	l, err := net.Listen("tcp", taken)
	if err != nil {
		t.Skipf("could not take the node's port first: %v", err)
	}
	defer l.Close()
	tn.start(ctx, t, 1)
	defer tn.stop(t)
	if got := strings.TrimPrefix(tn.cmt.RPC.ListenAddress, "tcp://"); got == taken {
		t.Fatalf("the node listens on %s, the taken port", got)
	}
}
