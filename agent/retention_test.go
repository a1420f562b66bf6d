package agent

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/config"
)

// Each sink is handed the retention it must keep: max_age for records,
// aggregates_max_age for aggregates, backup_max_age for a backup, capped
// by the rules' own backup_max_age (the privacy statement's promise).
func TestSinkRetention(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "rules.yaml"), []byte("name: r\nextends: [builtin:default]\nretention: {backup_max_age: 14d}\n"), 0o644)
	p := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(p, []byte(`rules: rules.yaml
inputs: [{name: in, type: stdin}]
sinks:
  - {name: records, type: stdout}
  - {name: stats, type: stdout, entries: aggregates}
  - {name: backup, type: stdout, backup: true}
retention: {max_age: 7d, backup_max_age: 21d, aggregates_max_age: 30d}
`), 0o644)
	cfg, rc, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	engs, err := compile(cfg, rc)
	if err != nil {
		t.Fatal(err)
	}
	g := &generation{cfg: cfg, engs: engs}
	day := 24 * time.Hour
	for i, want := range []time.Duration{7 * day, 30 * day, 14 * day} {
		if got := g.sinkRetention(cfg.Sinks[i]); got != want {
			t.Errorf("%s keeps for %v, want %v", cfg.Sinks[i].Name, got, want)
		}
	}
}
