package agent

import (
	"os"
	"path/filepath"
	"testing"
)

// The node name is stored at the first start and kept when the pod or
// host is renamed.
func TestNodeNameStored(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("NODE_NAME", "worker-1")
	if n, err := nodeName(dir); err != nil || n != "worker-1" {
		t.Fatalf("first start: %q, %v", n, err)
	}
	t.Setenv("NODE_NAME", "worker-2")
	if n, err := nodeName(dir); err != nil || n != "worker-1" {
		t.Fatalf("after a rename: %q, %v; want the stored worker-1", n, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, nodeFile)); string(b) != "worker-1\n" {
		t.Fatalf("node file %q", b)
	}
	t.Setenv("NODE_NAME", "")
	host, _ := os.Hostname()
	if n, _ := nodeName(t.TempDir()); n != host {
		t.Fatalf("without NODE_NAME: %q, want the host name %q", n, host)
	}
}
