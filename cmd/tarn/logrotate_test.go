package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestLogrotateHook runs packaging/logrotate/tarn-prerotate (installed as
// /etc/logrotate.d/httpd-prerotate/tarn, run by Debian's apache2 and nginx
// logrotate stanzas before each daily rotation) over a log directory: the
// rotated files whose last line is 5 days old or older are deleted (with
// a day per file and a day between runs, no line outlives 7 days), the
// younger ones, the live logs and other files stay.
func TestLogrotateHook(t *testing.T) {
	dir := t.TempDir()
	day := 24 * time.Hour
	files := map[string]struct {
		age  time.Duration
		kept bool
	}{
		"access.log":                   {10 * day, true}, // the live log: logrotate's
		"error.log":                    {10 * day, true},
		"access.log.1":                 {1 * day, true},
		"access.log.4.gz":              {4*day + 23*time.Hour, true},
		"access.log.5.gz":              {5*day + time.Hour, false},
		"access.log.13.gz":             {13 * day, false},
		"other_vhosts_access.log.6.gz": {6 * day, false},
		"error.log.9.gz":               {9 * day, false},
		"not-a-log.txt":                {30 * day, true},
	}
	for name, f := range files {
		p := writeFile(t, dir, name, "x\n")
		mt := time.Now().Add(-f.age)
		os.Chtimes(p, mt, mt)
	}
	cmd := exec.Command("sh", filepath.Join("..", "..", "packaging", "logrotate", "tarn-prerotate"))
	cmd.Env = append(os.Environ(), "TARN_LOG_DIRS="+dir+" "+filepath.Join(dir, "missing"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hook: %v\n%s", err, out)
	}
	for name, f := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if kept := err == nil; kept != f.kept {
			t.Errorf("%s (%v old): kept %v, want %v", name, f.age, kept, f.kept)
		}
	}
}
