package format

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

const realdataDir = "../../../shared/realdata"

// realdataLines reads a file under realdataDir and splits it into lines
// without their '\n'.
func realdataLines(t *testing.T, name string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(realdataDir, name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	return lines
}

func skipWithoutRealdata(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(realdataDir); err != nil {
		t.Skipf("no real data at %s: %v", realdataDir, err)
	}
}

// TestRealdataAuto runs every line of every file through Parse(Auto) and
// checks spans and that Rewrite without edits reproduces the line.
func TestRealdataAuto(t *testing.T) {
	skipWithoutRealdata(t)
	var rec Record
	tk := keys("time", "ts", "timestamp", "@timestamp", "t")
	err := filepath.WalkDir(realdataDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(realdataDir, path)
		counts := map[Format]int{}
		for _, line := range realdataLines(t, rel) {
			Parse(Auto, line, tk, &rec)
			counts[rec.Format]++
			checkInvariants(t, &rec)
		}
		t.Logf("%s: %v", rel, counts)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRealdataAccessLogs checks that real Apache/nginx access logs parse as
// combined or common.
func TestRealdataAccessLogs(t *testing.T) {
	skipWithoutRealdata(t)
	files, _ := filepath.Glob(filepath.Join(realdataDir, "matomo-log-analytics", "common*.log"))
	names := []string{"elastic-examples/apache_logs", "lnav/logfile_shop_access_log.0", "lnav/logfile_access_log.0"}
	for _, f := range files {
		rel, _ := filepath.Rel(realdataDir, f)
		names = append(names, rel)
	}
	if len(names) < 4 {
		t.Fatalf("expected the matomo common*.log samples, found %d", len(files))
	}
	var rec Record
	for _, name := range names {
		lines := realdataLines(t, name)
		good, timed := 0, 0
		for _, line := range lines {
			if Parse(Combined, line, nil, &rec) && (rec.Format == Combined || rec.Format == Common) {
				good++
				if _, ok := rec.RecordTime(); ok {
					timed++
				}
			}
		}
		t.Logf("%s: %d/%d lines parsed, %d with time", name, good, len(lines), timed)
		if good*100 <= len(lines)*95 || timed != good {
			t.Errorf("%s: %d/%d parsed (%d with time), want > 95%% and all timed", name, good, len(lines), timed)
		}
	}
}
