package agent

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/benchmarks/plant"
)

// breakDir makes a file sink fail: its directory is moved away and a plain
// file takes its place, so opening the next output file fails (ENOTDIR,
// also for root). repair undoes it.
func breakDir(t *testing.T, dir string) (repair func()) {
	t.Helper()
	if err := os.Rename(dir, dir+".away"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.Remove(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(dir+".away", dir); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSinkOutageSpoolsThenDelivers(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "spool: {max_bytes: 1MiB}\n")
	log := filepath.Join(dir, "logs", "access.log")
	now := time.Now().UTC()
	appendLines(t, log, 0, 10, now)
	s := start(t, cfg, Options{})
	out := filepath.Join(dir, "out")
	waitFor(t, "first lines", func() bool { return len(s.output(t)) == 10 })
	repair := breakDir(t, out)

	// While the sink is down, write far more than the spool holds: the
	// spool fills, the input pauses (backpressure), nothing is dropped.
	const total = 60000 // ~8 MB of input, ~2 MB spooled compressed
	for i := 10; i < total; i += 10000 {
		appendLines(t, log, i, min(i+10000, total), now)
	}
	waitFor(t, "backpressure", func() bool {
		if testing.Verbose() {
			t.Logf("spool %v bytes, %v lines read", s.metric("tarn_spool_bytes"), s.metric(`tarn_input_lines_total{input="web"}`))
		}
		return strings.Contains(s.metrics(), `tarn_spool_full_waits_total{input="web"}`)
	})
	waitFor(t, "sink failures counted", func() bool { return s.metric(`tarn_sink_failures_total{sink="archive"}`) > 0 })
	waitFor(t, "not ready while the input is paused", func() bool { return s.readyz() == http.StatusServiceUnavailable })
	if n := s.logCount(`"spool full, input paused"`, "spool.max_bytes"); n != 1 {
		t.Fatalf("pause logged %d times, want once", n)
	}
	repair()
	waitFor(t, "all lines after the outage", func() bool { return len(s.output(t)) >= total })
	time.Sleep(50 * time.Millisecond)
	checkExactlyOnce(t, s.output(t), 0, total)
}

func TestRetentionWithInjectedClock(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
	cfg := writeConfig(t, dir, "retention: {max_age: 7d}\n")
	log := filepath.Join(dir, "logs", "access.log")
	appendLines(t, log, 0, 5, c.now().Add(-8*24*time.Hour)) // too old at ingest
	appendLines(t, log, 5, 10, c.now())
	s := start(t, cfg, Options{Now: c.now, PurgeEvery: 20 * time.Millisecond, StatsEvery: 20 * time.Millisecond})
	waitFor(t, "fresh lines", func() bool { return len(s.output(t)) == 5 })
	checkExactlyOnce(t, s.output(t), 5, 10)
	if !strings.Contains(s.metrics(), `tarn_records_total{input="web",outcome="dropped_too_old"} 5`) {
		t.Fatal("old lines not counted as dropped_too_old")
	}
	if n := s.logCount(`"records dropped as older than retention.max_age`, `"dropped":5`, `"input":"web"`, "--now"); n != 1 {
		t.Fatalf("the drop of too-old records was logged %d times, want once with count and hint:\n%s", n, s.logs.String())
	}

	// Undelivered entries are purged once past retention.
	repair := breakDir(t, filepath.Join(dir, "out"))
	appendLines(t, log, 10, 2000, c.now())
	waitFor(t, "entries spooled", func() bool { return strings.Contains(s.metrics(), `outcome="shipped"} 1995`) })
	c.add(8 * 24 * time.Hour)
	waitFor(t, "purge", func() bool {
		return s.metric("tarn_spool_purged_entries_total") >= 1990 && s.metric("tarn_spool_entries") == 0
	})
	repair()

	// Old output files are deleted by the sink even without traffic.
	old := c.now().Add(-8 * 24 * time.Hour)
	files, _ := filepath.Glob(filepath.Join(dir, "out", "archive-*.log"))
	if len(files) == 0 {
		t.Fatal("no output files")
	}
	for _, f := range files {
		os.Chtimes(f, old, old)
	}
	c.add(2 * time.Minute) // past the sink's once-a-minute housekeeping
	waitFor(t, "expired output deleted", func() bool {
		files, _ := filepath.Glob(filepath.Join(dir, "out", "archive-*.log"))
		return len(files) == 0
	})
}

func TestNoRawDataAtRest(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	now := time.Now().UTC()
	corpus := plant.Generate(11, 400, now)
	var b strings.Builder
	for _, l := range corpus.Lines {
		b.WriteString(l.Text + "\n")
	}
	// format: auto for the mixed corpus
	body, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(body), "format: combined", "format: auto", 1)), 0o644)
	os.WriteFile(filepath.Join(dir, "logs", "mixed.log"), []byte(b.String()), 0o644)
	s := runOnce(t, cfg)
	if n := len(s.output(t)); n < len(corpus.Lines)*9/10 {
		t.Fatalf("only %d of %d lines delivered", n, len(corpus.Lines))
	}
	// Every file tarn wrote (spool, positions, key, output) and its log.
	var blobs []string
	for _, root := range []string{filepath.Join(dir, "data"), filepath.Join(dir, "out")} {
		filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err == nil && fi.Mode().IsRegular() {
				data, _ := os.ReadFile(p)
				blobs = append(blobs, p+"\x00"+string(data))
			}
			return nil
		})
	}
	blobs = append(blobs, "agent log\x00"+s.logs.String(), "metrics\x00"+s.metrics())
	for _, blob := range blobs {
		name, data, _ := strings.Cut(blob, "\x00")
		for _, secret := range corpus.Forms() {
			if strings.Contains(data, secret) {
				t.Fatalf("%s holds planted value %q", name, secret)
			}
		}
	}
}

// TestSpoolHoldsOnlyAnonymizedEntries decodes what the spool keeps while
// a sink is down and looks for the planted values in it (the segments are
// compressed, so a plain byte search would prove nothing).
func TestSpoolHoldsOnlyAnonymizedEntries(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	body, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(body), "format: combined", "format: auto", 1)), 0o644)
	s := start(t, cfg, Options{})
	waitFor(t, "start", func() bool { s.a.mu.Lock(); defer s.a.mu.Unlock(); return s.a.gen != nil })
	repair := breakDir(t, filepath.Join(dir, "out"))
	defer repair()
	corpus := plant.Generate(12, 300, time.Now().UTC())
	var b strings.Builder
	for _, l := range corpus.Lines {
		b.WriteString(l.Text + "\n")
	}
	os.WriteFile(filepath.Join(dir, "logs", "mixed.log"), []byte(b.String()), 0o644)
	waitFor(t, "lines read", func() bool {
		return strings.Contains(s.metrics(), fmt.Sprintf(`tarn_input_lines_total{input="web"} %d`, len(corpus.Lines)))
	})
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	sp, err := spool.Open(spool.Options{Dir: filepath.Join(dir, "data", "spool"), MaxBytes: 1 << 30, MaxAge: 168 * time.Hour}, []string{"archive"})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	batch, err := sp.Read("archive", 100000, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Entries) < 250 {
		t.Fatalf("spool holds %d entries, want about 300", len(batch.Entries))
	}
	for _, e := range batch.Entries {
		text := string(e.Line) + fmt.Sprint(e.Labels, e.Metadata)
		for _, secret := range corpus.Forms() {
			if strings.Contains(text, secret) {
				t.Fatalf("spooled entry holds planted value %q", secret)
			}
		}
	}
}
