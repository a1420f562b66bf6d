package agent

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDeadLettersDeletedPastRetention: a sink that rejects everything
// permanently (a Loki answering 400) fills the dead-letter file of the
// day; the housekeeping deletes it once its day ended retention.max_age
// ago on the injected clock, and not before. A dead-letter file of an
// older version (no day in its name) goes by its modification time.
func TestDeadLettersDeletedPastRetention(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bad request", http.StatusBadRequest)
	}))
	defer srv.Close()
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	cfg := writeConfig(t, dir, "retention: {max_age: 7d}\n")
	body, _ := os.ReadFile(cfg)
	sink := "  - name: loki\n    type: loki\n    url: " + srv.URL + "/loki/api/v1/push\n    batch_wait: 10ms\n"
	s := strings.Replace(string(body), "  - name: archive\n    type: file\n    path: out\n    rotate: {max_bytes: 1KiB}\n", sink, 1)
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o700)
	legacy := filepath.Join(data, "deadletter-loki.ndjson")
	if err := os.WriteFile(legacy, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := c.now().Add(-8 * 24 * time.Hour)
	os.Chtimes(legacy, old, old)
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 0, 10, c.now())

	a := start(t, cfg, Options{Now: c.now, PurgeEvery: 20 * time.Millisecond, StatsEvery: 20 * time.Millisecond})
	waitFor(t, "dead letters", func() bool { return a.metric(`tarn_sink_dead_lettered_entries_total{sink="loki"}`) == 10 })
	day := filepath.Join(data, "deadletter-loki-2026-11-20.ndjson")
	dead, err := os.ReadFile(day)
	if err != nil || strings.Count(string(dead), "\n") != 10 || !strings.Contains(string(dead), "/item/9 ") {
		t.Fatalf("dead-letter file of the day: %v\n%s", err, dead)
	}
	waitFor(t, "old undated dead-letter file deleted", func() bool {
		_, err := os.Stat(legacy)
		return os.IsNotExist(err)
	})

	// The day ended 2026-11-21 00:00; it is kept until 2026-11-28 00:00.
	c.add(7*24*time.Hour + 11*time.Hour) // 2026-11-27 23:00
	time.Sleep(200 * time.Millisecond)   // several purges
	if _, err := os.Stat(day); err != nil {
		t.Fatalf("dead-letter file deleted before its retention ended: %v", err)
	}
	c.add(time.Hour) // 2026-11-28 00:00
	waitFor(t, "dead-letter file deleted", func() bool {
		_, err := os.Stat(day)
		return os.IsNotExist(err)
	})
	if !strings.Contains(a.logs.String(), "deleted dead-letter files past retention") {
		t.Error("deletion not logged")
	}
}
