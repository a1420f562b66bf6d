package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCleanupDeletesRotatedSourceLogs(t *testing.T) {
	for _, dry := range []bool{false, true} {
		t.Run(map[bool]string{false: "delete", true: "dry run"}[dry], func(t *testing.T) {
			dir := t.TempDir()
			c := &clock{t: time.Now().UTC()}
			cfg := writeConfig(t, dir, "")
			body, _ := os.ReadFile(cfg)
			extra := "    exclude: [\"*.gz\"]\n    cleanup: {max_age: 7d, dry_run: " + map[bool]string{false: "false", true: "true"}[dry] + "}\n"
			body = []byte(strings.Replace(string(body), `    paths: ["logs/*.log"]`+"\n", `    paths: ["logs/*.log", "logs/*.gz"]`+"\n"+extra, 1))
			os.WriteFile(cfg, body, 0o644)
			logs := filepath.Join(dir, "logs")
			appendLines(t, filepath.Join(logs, "access-1.log"), 0, 10, c.now())
			appendLines(t, filepath.Join(logs, "access.log"), 10, 20, c.now())
			os.WriteFile(filepath.Join(logs, "access-0.log.gz"), []byte("compressed"), 0o644)
			os.WriteFile(filepath.Join(dir, "outside.log"), []byte("x"), 0o644)
			s := start(t, cfg, Options{Now: c.now, PurgeEvery: 10 * time.Millisecond, StatsEvery: 10 * time.Millisecond})
			waitFor(t, "lines read", func() bool { return len(s.output(t)) == 20 })
			old := c.now().Add(-8 * 24 * time.Hour)
			for _, name := range []string{"access-1.log", "access-0.log.gz", "../outside.log"} {
				os.Chtimes(filepath.Join(logs, name), old, old)
			}
			// The live log is older still, but it is the newest of its
			// directory: it stays.
			os.Chtimes(filepath.Join(logs, "access.log"), old.Add(time.Hour), old.Add(time.Hour))
			exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
			if dry {
				waitFor(t, "dry-run log", func() bool { return strings.Count(s.logs.String(), "would delete") >= 2 })
				if !exists(filepath.Join(logs, "access-1.log")) {
					t.Fatal("dry run deleted a file")
				}
				return
			}
			waitFor(t, "rotated logs deleted", func() bool {
				return !exists(filepath.Join(logs, "access-1.log")) && !exists(filepath.Join(logs, "access-0.log.gz"))
			})
			if !exists(filepath.Join(logs, "access.log")) || !exists(filepath.Join(dir, "outside.log")) {
				t.Fatal("cleanup deleted the live log or a file outside the globs")
			}
			waitFor(t, "counted", func() bool { return s.metric(`tarn_cleanup_deleted_files_total{input="web"}`) == 2 })
		})
	}
}
