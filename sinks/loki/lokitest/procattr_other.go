//go:build !linux

package lokitest

import "syscall"

// procAttr returns nil: only Linux can tie Loki's life to the test binary.
func procAttr() *syscall.SysProcAttr {
	return nil
}

// buildProcAttr puts go build in its own process group, so that it can
// be stopped with its compilers.
func buildProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
