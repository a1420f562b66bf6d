package journald

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/agent/inputs/journald/journaltest"
)

// The tests of this file read real journal files, written by
// systemd-journal-remote, through the real journalctl.

// host is an inputs.Host that keeps copies of what it ingests; fail, if
// set, decides the error of an Ingest (by its number, from 0).
type host struct {
	mu      sync.Mutex
	records []got
	calls   int
	fail    func(call int) error
}

type got struct {
	line, labels string
	t            time.Time
}

func (h *host) Ingest(_ context.Context, b *inputs.Batch) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	if h.fail != nil {
		if err := h.fail(h.calls - 1); err != nil {
			return err
		}
	}
	for _, r := range b.Records {
		h.records = append(h.records, got{string(r.Line), labelString(r.Labels), r.Time})
	}
	return nil
}

func (h *host) lines() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		out = append(out, r.line)
	}
	return out
}

// waitLines waits until h holds n lines.
func (h *host) waitLines(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		l := h.lines()
		if len(l) >= n || time.Now().After(deadline) {
			if len(l) != n {
				t.Fatalf("%d lines, want %d: %q", len(l), n, l)
			}
			return l
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var t0 = time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC)

// sshd returns n entries of sshd on web1, numbered from first.
func sshd(first, n int) []journaltest.Entry {
	var es []journaltest.Entry
	for i := first; i < first+n; i++ {
		es = append(es, journaltest.Syslog(t0.Add(time.Duration(i)*time.Second), "web1", "ssh.service", "sshd", 1000+i, 6,
			fmt.Sprintf("Failed password for invalid user bob%d from 203.0.113.%d port %d ssh2", i, i%250, 40000+i)))
	}
	return es
}

func sshdLine(i int) string {
	return fmt.Sprintf("%s web1 sshd[%d]: Failed password for invalid user bob%d from 203.0.113.%d port %d ssh2",
		t0.Add(time.Duration(i)*time.Second).Format("2006-01-02T15:04:05.000000Z"), 1000+i, i, i%250, 40000+i)
}

func sshdLines(first, n int) []string {
	var out []string
	for i := first; i < first+n; i++ {
		out = append(out, sshdLine(i))
	}
	return out
}

type journal struct {
	dir, file, data string
	reg             *prometheus.Registry
}

func newJournal(t *testing.T) *journal {
	t.Helper()
	journaltest.Require(t)
	dir := t.TempDir()
	return &journal{dir: dir, file: filepath.Join(dir, "j", "test.journal"), data: filepath.Join(dir, "data"), reg: prometheus.NewRegistry()}
}

func (j *journal) write(t *testing.T, es []journaltest.Entry) {
	t.Helper()
	os.MkdirAll(filepath.Dir(j.file), 0o755)
	journaltest.Write(t, j.file, es)
}

// input returns an input reading the journal file with mod applied to
// its settings (start_at beginning unless mod says otherwise).
func (j *journal) input(t *testing.T, once bool, mod func(s *Settings)) *Input {
	t.Helper()
	s := DefaultSettings()
	s.Files, s.StartAt = []string{j.file}, "beginning"
	if mod != nil {
		mod(s)
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	in, err := New(s, inputs.Env{Name: "journal", Once: once, DataDir: j.data, MaxLineBytes: 1000,
		Now: func() time.Time { return t0.Add(time.Hour) }, Registry: j.reg, Logger: zap.NewNop()})
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func (j *journal) runOnce(t *testing.T, mod func(s *Settings)) *host {
	t.Helper()
	h := &host{}
	if err := j.input(t, true, mod).Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	return h
}

func (j *journal) cursor(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join(j.data, "journald", "journal.cursor"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s:\n got %d %q\nwant %d %q", what, len(got), got, len(want), want)
	}
}

// TestJournalResume reads a journal file to its end, then again from the
// saved cursor: nothing is repeated, and entries appended later are read,
// each once.
func TestJournalResume(t *testing.T) {
	j := newJournal(t)
	j.write(t, sshd(0, 3))
	h := j.runOnce(t, nil)
	equalLines(t, "first run", h.lines(), sshdLines(0, 3))
	r := h.records[0]
	if r.labels != "host=web1 identifier=sshd level=info unit=ssh.service" || !r.t.Equal(t0) {
		t.Errorf("record labels %q, time %v", r.labels, r.t)
	}
	if c := j.cursor(t); !validCursor(c) || strings.Contains(c, "x=") || !strings.Contains(c, "i=3") {
		t.Errorf("saved cursor %q", c)
	}
	equalLines(t, "second run", j.runOnce(t, nil).lines(), nil)
	j.write(t, sshd(3, 2))
	equalLines(t, "after appending", j.runOnce(t, nil).lines(), sshdLines(3, 2))
}

// TestJournalFollow follows a journal while entries are appended, stops,
// and follows again from the cursor: every entry arrives exactly once.
func TestJournalFollow(t *testing.T) {
	j := newJournal(t)
	j.write(t, sshd(0, 5))
	follow := func(h *host, during func()) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- j.input(t, false, nil).Run(ctx, h) }()
		during()
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	h := &host{}
	follow(h, func() {
		h.waitLines(t, 5)
		j.write(t, sshd(5, 3)) // picked up while following
		h.waitLines(t, 8)
		j.write(t, sshd(8, 1))
		h.waitLines(t, 9)
	})
	equalLines(t, "first follow", h.lines(), sshdLines(0, 9))
	j.write(t, sshd(9, 2)) // written while the input is stopped
	h = &host{}
	follow(h, func() {
		h.waitLines(t, 2)
		j.write(t, sshd(11, 1))
		h.waitLines(t, 3)
	})
	equalLines(t, "second follow", h.lines(), sshdLines(9, 3))
	if h.calls > 3 {
		t.Logf("%d batches", h.calls)
	}
}

// TestJournalStartAtEnd: without a cursor, start_at end skips what the
// journal holds and reads what is written from then on, also across a
// restart before any new entry arrived.
func TestJournalStartAtEnd(t *testing.T) {
	j := newJournal(t)
	j.write(t, sshd(0, 4))
	end := func(s *Settings) { s.StartAt = "end" }
	equalLines(t, "fresh start at end", j.runOnce(t, end).lines(), nil)
	if c := j.cursor(t); !strings.Contains(c, "i=4") {
		t.Fatalf("cursor of the end %q", c)
	}
	j.write(t, sshd(4, 2))
	h := &host{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- j.input(t, false, end).Run(ctx, h) }()
	h.waitLines(t, 2)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	equalLines(t, "after the end", h.lines(), sshdLines(4, 2))
}

// TestJournalFilters: units, identifiers, priority and matches select
// what journalctl -u, -t, -p and its matches select.
func TestJournalFilters(t *testing.T) {
	j := newJournal(t)
	var es []journaltest.Entry
	for i, e := range []struct {
		unit, ident string
		prio        int
	}{
		{"ssh.service", "sshd", 6}, {"ssh.service", "sshd", 3}, {"postfix@-.service", "postfix/smtpd", 6},
		{"postfix@-.service", "postfix/qmgr", 4}, {"cron.service", "CRON", 6}, {"", "sudo", 5},
	} {
		es = append(es, journaltest.Syslog(t0.Add(time.Duration(i)*time.Second), "web1", e.unit, e.ident, 100+i, e.prio, fmt.Sprintf("entry %d", i)))
	}
	j.write(t, es)
	msgs := func(h *host) []string {
		var out []string
		for _, l := range h.lines() {
			out = append(out, l[strings.LastIndex(l, ": ")+2:])
		}
		return out
	}
	for name, tc := range map[string]struct {
		mod  func(s *Settings)
		want []string
	}{
		"units":                 {func(s *Settings) { s.Units = []string{"ssh.service", "cron.service"} }, []string{"entry 0", "entry 1", "entry 4"}},
		"unit glob":             {func(s *Settings) { s.Units = []string{"postfix@*"} }, []string{"entry 2", "entry 3"}},
		"identifiers":           {func(s *Settings) { s.Identifiers = []string{"sudo", "postfix/qmgr"} }, []string{"entry 3", "entry 5"}},
		"priority":              {func(s *Settings) { s.Priority = "warning" }, []string{"entry 1", "entry 3"}},
		"unit and prio":         {func(s *Settings) { s.Units, s.Priority = []string{"ssh.service"}, "err" }, []string{"entry 1"}},
		"matches":               {func(s *Settings) { s.Matches = []string{"SYSLOG_IDENTIFIER=CRON", "+", "PRIORITY=5"} }, []string{"entry 4", "entry 5"}},
		"units and identifiers": {func(s *Settings) { s.Units, s.Identifiers = []string{"ssh.service"}, []string{"sudo"} }, nil},
		"unit or identifier, with priority": {func(s *Settings) {
			s.Matches, s.Priority = []string{"_SYSTEMD_UNIT=postfix@-.service", "+", "SYSLOG_IDENTIFIER=sudo"}, "notice"
		}, []string{"entry 3", "entry 5"}},
		"matches and unit": {func(s *Settings) { s.Matches, s.Units = []string{"PRIORITY=6"}, []string{"postfix@-.service"} }, []string{"entry 2"}},
	} {
		t.Run(name, func(t *testing.T) {
			os.RemoveAll(j.data)
			equalLines(t, name, msgs(j.runOnce(t, tc.mod)), tc.want)
		})
	}
}

// TestJournalIngestFails: a batch whose Ingest fails is not committed;
// the next run reads it again.
func TestJournalIngestFails(t *testing.T) {
	j := newJournal(t)
	j.write(t, sshd(0, 3))
	h := &host{fail: func(int) error { return errors.New("spool broken") }}
	if err := j.input(t, true, nil).Run(context.Background(), h); err == nil || !strings.Contains(err.Error(), "spool broken") {
		t.Fatalf("run: %v", err)
	}
	if _, err := os.Stat(filepath.Join(j.data, "journald", "journal.cursor")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a cursor was saved: %v", err)
	}
	equalLines(t, "after the failure", j.runOnce(t, nil).lines(), sshdLines(0, 3))
}

// TestJournalOddEntries: binary, huge and missing fields from a real
// journal file.
func TestJournalOddEntries(t *testing.T) {
	j := newJournal(t)
	ts := t0.Add(time.Minute)
	base := journaltest.Syslog(ts, "web1", "app.service", "app", 7, 6, "")
	huge := strings.Repeat("é", 600<<10) // 1.2 MB, cut at max_line_bytes 1000
	j.write(t, []journaltest.Entry{
		base.With("MESSAGE", []byte("line one\nline two\x00\xff")),
		base.With("MESSAGE", []byte(huge)),
		base.Without("MESSAGE").With("CODE_FILE", []byte("x.c")),
		base.With("PRIORITY", []byte("banana")).With("SYSLOG_IDENTIFIER", []byte("we ird:[]")).With("MESSAGE", []byte("odd")),
	})
	h := &host{}
	in := j.input(t, true, nil)
	if err := in.Run(context.Background(), h); err != nil {
		t.Fatal(err)
	}
	l := h.lines()
	if len(l) != 3 {
		t.Fatalf("%d lines: %q", len(l), l)
	}
	prefix := ts.Format("2006-01-02T15:04:05.000000Z") + " web1 app[7]: "
	if l[0] != prefix+"line one\nline two\x00\xff" {
		t.Errorf("binary message %q", l[0])
	}
	if !strings.HasPrefix(l[1], prefix+"éé") || len(l[1]) != len(prefix)+1001 {
		t.Errorf("huge message: %d bytes, want the message cut at 1001", len(l[1]))
	}
	if l[2] != ts.Format("2006-01-02T15:04:05.000000Z")+" web1 we_ird___[7]: odd" || h.records[2].labels != "host=web1 identifier=we ird:[] unit=app.service" {
		t.Errorf("odd entry %q %q", l[2], h.records[2].labels)
	}
	if n := testutil.ToFloat64(in.skipped.WithLabelValues("journal", "no_message")); n != 1 {
		t.Errorf("no_message counted %v times, want 1", n)
	}
}

// TestJournalctlMissing: a journalctl that cannot be started fails the
// run with a message that says what to install.
func TestJournalctlMissing(t *testing.T) {
	j := newJournal(t)
	err := j.input(t, true, func(s *Settings) { s.Journalctl = "/nonexistent/journalctl" }).Run(context.Background(), &host{})
	if err == nil || !strings.Contains(err.Error(), "install systemd's journalctl") {
		t.Fatalf("run: %v", err)
	}
}
