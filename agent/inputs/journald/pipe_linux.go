package journald

import (
	"io"
	"os"
	"syscall"
)

// fSetPipeSize is F_SETPIPE_SZ of fcntl(2) on Linux.
const fSetPipeSize = 1031

// growPipe asks for a pipe buffer of n bytes (bounded by
// /proc/sys/fs/pipe-max-size), so journalctl writes ahead while a batch
// is ingested; failing is harmless.
func growPipe(r io.Reader, n int) {
	f, ok := r.(*os.File)
	if !ok {
		return
	}
	if rc, err := f.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { syscall.Syscall(syscall.SYS_FCNTL, fd, fSetPipeSize, uintptr(n)) })
	}
}
