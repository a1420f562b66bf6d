package testbin

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
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

// Process is how Proc.Start runs a test server.
type Process struct {
	// Bin, Args, Dir and Env are the command (Env nil: the test's).
	Bin  string
	Args []string
	Dir  string
	Env  []string
	// Log is the file stdout and stderr are appended to, after a line
	// naming the start.
	Log string
}

// Proc is a test server's process, at most one running at a time, in
// its own process group (ProcAttr). The zero value runs nothing. Its
// methods are safe for concurrent use.
type Proc struct {
	mu      sync.Mutex
	cmd     *exec.Cmd
	done    chan struct{} // closed when cmd has exited
	exitErr error         // cmd.Wait's result, set before done is closed
}

// Start starts p; it fails if a process is running.
func (pr *Proc) Start(p Process) error {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.cmd != nil {
		return fmt.Errorf("%s is already running", filepath.Base(p.Bin))
	}
	logf, err := os.OpenFile(p.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close() // the child has its own copy
	fmt.Fprintf(logf, "=== testbin: starting %s at %s\n", p.Bin, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(p.Bin, p.Args...)
	cmd.Dir, cmd.Env = p.Dir, p.Env
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = ProcAttr()
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		err := cmd.Wait()
		pr.mu.Lock()
		pr.exitErr = err
		pr.mu.Unlock()
		close(done)
	}()
	pr.cmd, pr.done = cmd, done
	return nil
}

// Done is closed when the last started process has exited (nil before
// the first Start).
func (pr *Proc) Done() <-chan struct{} {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.done
}

// Pid is the running process's id, 0 when none runs.
func (pr *Proc) Pid() int {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if pr.cmd == nil {
		return 0
	}
	return pr.cmd.Process.Pid
}

// Exited returns how the last process ended (cmd.Wait's error).
func (pr *Proc) Exited() error {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.exitErr
}

// take returns the running process, if any, and forgets it, so exactly
// one caller stops it.
func (pr *Proc) take() (*exec.Cmd, chan struct{}) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	cmd, done := pr.cmd, pr.done
	pr.cmd = nil
	return cmd, done
}

// Stop sends SIGTERM, waits up to timeout, then kills the process group;
// the error says when it had to kill. It does nothing when no process
// runs.
func (pr *Proc) Stop(timeout time.Duration) error {
	cmd, done := pr.take()
	if cmd == nil {
		return nil
	}
	cmd.Process.Signal(syscall.SIGTERM)
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-done:
		return nil
	case <-timer.C:
	}
	KillGroup(cmd.Process)
	<-done
	return fmt.Errorf("%s ignored SIGTERM for %s and was killed", filepath.Base(cmd.Path), timeout)
}

// Kill sends SIGKILL to the process group, as a crash would, and waits
// for the process to exit.
func (pr *Proc) Kill() {
	cmd, done := pr.take()
	if cmd == nil {
		return
	}
	KillGroup(cmd.Process)
	<-done
}
