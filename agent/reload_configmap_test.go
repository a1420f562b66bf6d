package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// configMapDir lays out a Kubernetes ConfigMap volume as kubelet's atomic
// writer does: the files in a timestamped directory, the symlink ..data
// to it, and one symlink per file to ..data/<file>.
type configMapDir struct {
	t       *testing.T
	dir     string
	version int
	current string
}

// write publishes files as the volume's new content the way the atomic
// writer updates a mounted ConfigMap: a new timestamped directory, the
// symlink ..data_tmp to it renamed over ..data (one atomic step), the old
// directory removed. mtime, if not zero, is set on every new file (to
// test a change that keeps size and modification time).
func (c *configMapDir) write(files map[string]string, mtime time.Time) {
	t := c.t
	t.Helper()
	c.version++
	ts := fmt.Sprintf("..2025_01_02_03_04_05.%09d", c.version)
	if err := os.Mkdir(filepath.Join(c.dir, ts), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		p := filepath.Join(c.dir, ts, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if !mtime.IsZero() {
			if err := os.Chtimes(p, mtime, mtime); err != nil {
				t.Fatal(err)
			}
		}
	}
	tmp := filepath.Join(c.dir, "..data_tmp")
	if err := os.Symlink(ts, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(c.dir, "..data")); err != nil {
		t.Fatal(err)
	}
	for name := range files {
		link := filepath.Join(c.dir, name)
		if _, err := os.Lstat(link); os.IsNotExist(err) {
			if err := os.Symlink(filepath.Join("..data", name), link); err != nil {
				t.Fatal(err)
			}
		}
	}
	if c.current != "" {
		if err := os.RemoveAll(filepath.Join(c.dir, c.current)); err != nil {
			t.Fatal(err)
		}
	}
	c.current = ts
}

// TestReloadOnConfigMapSwap runs the agent on a configuration in a
// simulated ConfigMap volume (mounted as a directory, not with subPath)
// and updates it as kubelet does: the agent follows the ..data swap and
// reloads, for a changed rules file as for a changed tarn.yaml, also when
// the new file has the old one's size and modification time.
func TestReloadOnConfigMapSwap(t *testing.T) {
	base := t.TempDir()
	cm := &configMapDir{t: t, dir: filepath.Join(base, "config")}
	if err := os.Mkdir(cm.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logs := filepath.Join(base, "logs")
	os.MkdirAll(logs, 0o755)
	cfg := fmt.Sprintf(`data_dir: %s
rules: rules.yaml
inputs:
  - name: web
    type: file
    paths: [%q]
    format: combined
    start_at: beginning
sinks:
  - name: archive
    type: file
    path: %s
server: {listen: ""}
`, filepath.Join(base, "data"), filepath.Join(logs, "*.log"), filepath.Join(base, "out"))
	rulesFile := func(prefix string) string {
		return "extends: [builtin:default]\ntruncate_ip: {ipv4_prefix: " + prefix + "}\n"
	}
	mtime := time.Now().Add(-time.Hour).Truncate(time.Second)
	cm.write(map[string]string{"tarn.yaml": cfg, "rules.yaml": rulesFile("24")}, mtime)

	s := start(t, filepath.Join(cm.dir, "tarn.yaml"), Options{WatchEvery: 10 * time.Millisecond})
	s.dir = base
	log := filepath.Join(logs, "access.log")
	now := time.Now().UTC()
	appendLines(t, log, 0, 10, now)
	waitFor(t, "first lines", func() bool { return len(s.output(t)) == 10 })
	for _, l := range s.output(t) {
		if !strings.HasPrefix(l, "203.0.113.0 ") {
			t.Fatalf("rules.yaml not applied: %q", l)
		}
	}

	// A rules edit of the same size with the same mtime: only the swap
	// of ..data (a new file behind the same name) shows it.
	cm.write(map[string]string{"tarn.yaml": cfg, "rules.yaml": rulesFile("16")}, mtime)
	waitFor(t, "reload after the ..data swap", func() bool {
		return strings.Contains(s.metrics(), `tarn_config_reloads_total{result="ok"} 1`)
	})
	appendLines(t, log, 10, 20, now)
	waitFor(t, "lines after reload", func() bool { return len(s.output(t)) == 20 })
	for _, l := range s.output(t)[10:] {
		if !strings.HasPrefix(l, "203.0.0.0 ") {
			t.Fatalf("swapped rules not applied: %q", l)
		}
	}

	// An edit of tarn.yaml itself, with fresh modification times.
	cm.write(map[string]string{"tarn.yaml": cfg + "retention: {max_age: 72h}\n", "rules.yaml": rulesFile("16")}, time.Time{})
	waitFor(t, "reload after a tarn.yaml change", func() bool {
		return strings.Contains(s.metrics(), `tarn_config_reloads_total{result="ok"} 2`)
	})
	checkExactlyOnce(t, s.output(t), 0, 20)
}
