package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// mountTmpfs mounts a tmpfs of size (mount's size= syntax) on dir and,
// with free > 0, fills it with a ballast file until about free bytes are
// left, so a short run fills it quickly. It needs root.
func mountTmpfs(dir, size string, free int64) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("mount -t tmpfs -o size=%s: %v: %s", size, err, out)
	}
	if free <= 0 {
		return nil
	}
	avail, err := freeBytes(dir)
	if err != nil {
		return err
	}
	if ballast := avail - free; ballast > 0 {
		return writeBallast(filepath.Join(dir, "torture-ballast"), ballast)
	}
	return nil
}

// writeBallast writes n zero bytes (real tmpfs pages, not a hole).
func writeBallast(path string, n int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	buf := make([]byte, 64<<10)
	for n > 0 {
		k := min(int64(len(buf)), n)
		if _, err := f.Write(buf[:k]); err != nil {
			f.Close()
			return err
		}
		n -= k
	}
	return f.Close()
}

// unmount unmounts dir (lazily, should the agent still hold a file).
func unmount(dir string) error {
	if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("umount %s: %v: %s", dir, err, out)
	}
	return nil
}

// freeBytes is what an unprivileged writer may still write below dir.
func freeBytes(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * st.Bsize, nil
}
