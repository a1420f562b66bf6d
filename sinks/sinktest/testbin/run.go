package testbin

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
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

// Process is a test server's process for Spawn.
type Process struct {
	// Bin, Args, Dir and Env are the command (Env nil: the test's).
	Bin  string
	Args []string
	Dir  string
	Env  []string
	// Log is the file stdout and stderr are appended to, after a line
	// naming the start.
	Log string
	// Exited is called with cmd.Wait's result when the process has
	// exited, before the returned channel is closed.
	Exited func(error)
}

// Spawn starts p in its own process group (ProcAttr) and returns the
// command and a channel closed once it has exited.
func Spawn(p Process) (*exec.Cmd, chan struct{}, error) {
	logf, err := os.OpenFile(p.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, nil, err
	}
	defer logf.Close() // the child has its own copy
	fmt.Fprintf(logf, "=== testbin: starting %s at %s\n", p.Bin, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.Bin, p.Args...)
	cmd.Dir, cmd.Env = p.Dir, p.Env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = ProcAttr()
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	done := make(chan struct{})
	go func() {
		err := cmd.Wait()
		if p.Exited != nil {
			p.Exited(err)
		}
		close(done)
	}()
	return cmd, done, nil
}
