package lokitest

import "syscall"

// procAttr makes the kernel kill Loki if the test binary dies without
// running its cleanups (a panic or a timeout), so no server is left behind.
func procAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// buildProcAttr puts go build in its own process group, so that it can
// be stopped with its compilers, and kills it if the test binary dies.
func buildProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
