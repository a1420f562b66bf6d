package testbin

import "syscall"

// ProcAttr puts a child process (a server or go build) in its own process
// group, so KillGroup stops it with its children, and makes the kernel
// kill it if the test binary dies without running its cleanups (a panic
// or a timeout), so nothing is left running.
func ProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
