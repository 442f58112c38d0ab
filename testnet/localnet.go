package testnet

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// pidFile lists the processes StartAll started, one "home pid" per line.
func pidFile(dir string) string { return filepath.Join(dir, "pids") }

// StartAll starts `bin start` for every node home under dir (node0,
// node1, ...) as detached processes logging to <home>/node.log, and records
// their pids so that StopAll can stop them.
func StartAll(bin, dir string) ([]string, error) {
	if _, err := os.Stat(pidFile(dir)); err == nil {
		return nil, fmt.Errorf("%s exists: the network seems to run already (stop it first)", pidFile(dir))
	}
	homes, err := filepath.Glob(filepath.Join(dir, "node*"))
	if err != nil || len(homes) == 0 {
		return nil, fmt.Errorf("no node homes under %s: run `ledgerd testnet init --output %s` first", dir, dir)
	}
	sort.Slice(homes, func(i, j int) bool { return nodeIndex(homes[i]) < nodeIndex(homes[j]) })
	var lines []string
	for _, home := range homes {
		logf, err := os.OpenFile(filepath.Join(home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return nil, err
		}
		cmd := exec.Command(bin, "start", "--home", home)
		cmd.Stdout, cmd.Stderr = logf, logf
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			logf.Close()
			return nil, fmt.Errorf("start %s: %w", home, err)
		}
		logf.Close()
		lines = append(lines, fmt.Sprintf("%s %d", home, cmd.Process.Pid))
	}
	return lines, os.WriteFile(pidFile(dir), []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}

// StopAll sends SIGTERM to the processes StartAll recorded and waits up to
// 30 s for each to exit.
func StopAll(dir string) error {
	raw, err := os.ReadFile(pidFile(dir))
	if err != nil {
		return fmt.Errorf("no running network recorded in %s: %w", dir, err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		home, pidText, _ := strings.Cut(line, " ")
		pid, err := strconv.Atoi(pidText)
		if err != nil {
			return fmt.Errorf("%s: bad line %q", pidFile(dir), line)
		}
		if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
			continue // already gone
		}
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if syscall.Kill(pid, 0) != nil {
				break
			}
		}
		if syscall.Kill(pid, 0) == nil {
			return fmt.Errorf("node %s (pid %d) did not stop within 30 s", home, pid)
		}
	}
	return os.Remove(pidFile(dir))
}

func nodeIndex(home string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(filepath.Base(home), "node"))
	return n
}
