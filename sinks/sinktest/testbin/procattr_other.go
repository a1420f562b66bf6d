//go:build !linux

package testbin

import "syscall"

// ProcAttr puts a child process (a server or go build) in its own process
// group, so KillGroup stops it with its children; only Linux can also tie
// its life to the test binary.
func ProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
