package testbin

import (
	"bytes"
	"net"
	"os"
	"syscall"
	"testing"
)

// KillGroup sends SIGKILL to the process group that p leads (started with
// ProcAttr), so that the children it started die with it.
func KillGroup(p *os.Process) error {
	return syscall.Kill(-p.Pid, syscall.SIGKILL)
}

// FreePorts returns n distinct free loopback ports, found by listening on
// port 0 and closing the listeners again.
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("find a free port: %v", err)
		}
		defer ln.Close()
		ports[i] = ln.Addr().(*net.TCPAddr).Port
	}
	return ports
}

// Tail returns the last n lines of b, e.g. of a server's log for a failed
// test's output.
func Tail(b []byte, n int) string {
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
