// Package sinktest holds helpers for the tests of sinks and of the agent's
// storage: things a test needs from the real system, such as a file
// system that runs out of space.
package sinktest

import (
	"os/exec"
	"testing"
)

// Tmpfs mounts a tmpfs of the given size (e.g. "64k") on a new temporary
// directory for the test and unmounts it at the end; it skips the test
// where mounting is not allowed (it needs root).
func Tmpfs(t testing.TB, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}
