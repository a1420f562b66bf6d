package agent

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rotationConfig is writeConfig with the input's paths set to paths and
// an ndjson file sink (so that entries show their labels).
func rotationConfig(t *testing.T, dir, paths string) string {
	t.Helper()
	cfg := writeConfig(t, dir, "")
	body, _ := os.ReadFile(cfg)
	s := strings.Replace(string(body), `paths: ["logs/*.log"]`, `paths: ["`+paths+`"]`, 1)
	s = strings.Replace(s, "    path: out\n", "    path: out\n    format: ndjson\n", 1)
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// stripNames rewrites a positions file the way a tarn from before stored
// names wrote it.
func stripNames(t *testing.T, data []byte) []byte {
	t.Helper()
	var list []map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // fingerprints do not fit a float64
	if err := dec.Decode(&list); err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		delete(p, "name")
	}
	out, err := json.Marshal(list)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRestartStraddlingRenameKeepsLabels loses the checkpoint of lines
// that were delivered (a crash before the positions file was written),
// renames the log, and restarts: the lines read again carry the labels of
// their first delivery, byte-identical for Loki to drop, not the file's
// new name.
func TestRestartStraddlingRenameKeepsLabels(t *testing.T) {
	for _, old := range []bool{false, true} {
		t.Run(map[bool]string{false: "names stored", true: "positions file from before names"}[old], func(t *testing.T) {
			dir := t.TempDir()
			cfg := rotationConfig(t, dir, "logs/access.log*")
			log := filepath.Join(dir, "logs", "access.log")
			pos := filepath.Join(dir, "data", "positions.json")
			now := time.Now().UTC()
			appendLines(t, log, 0, 100, now)
			runOnce(t, cfg)
			saved, err := os.ReadFile(pos)
			if err != nil {
				t.Fatal(err)
			}
			if old {
				saved = stripNames(t, saved)
			}
			appendLines(t, log, 100, 200, now)
			runOnce(t, cfg)
			// The crash: the second run's checkpoint never reached disk.
			if err := os.WriteFile(pos, saved, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(log, log+".1"); err != nil {
				t.Fatal(err)
			}
			appendLines(t, log, 200, 250, now)
			es := runOnce(t, cfg).entries(t)
			byItem := map[string][]podEntry{}
			for _, e := range es {
				byItem[itemOf(e.Line)] = append(byItem[itemOf(e.Line)], e)
			}
			for i := range 250 {
				got := byItem[fmt.Sprintf("/item/%d", i)]
				want := 1
				if i >= 100 && i < 200 {
					want = 2 // at least once: read again after the lost checkpoint
				}
				if len(got) != want {
					t.Fatalf("/item/%d delivered %d times, want %d", i, len(got), want)
				}
				for _, e := range got {
					if e.Labels["filename"] != log {
						t.Fatalf("/item/%d has filename %q, want %q", i, e.Labels["filename"], log)
					}
				}
			}
		})
	}
}

// itemOf returns the /item/N part of an access line.
func itemOf(line string) string {
	i := strings.Index(line, "/item/")
	if i < 0 {
		return ""
	}
	j := strings.IndexByte(line[i:], ' ')
	return line[i : i+j]
}
