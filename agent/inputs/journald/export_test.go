package journald

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/inputs/journald/journaltest"
)

func binField(name string, v []byte) string {
	var sz [8]byte
	binary.LittleEndian.PutUint64(sz[:], uint64(len(v)))
	return name + "\n" + string(sz[:]) + string(v) + "\n"
}

func reader(s string, extra ...string) *exportReader {
	return newExportReader(bufio.NewReaderSize(strings.NewReader(s), 64), extra, 32, 16)
}

func TestExportReader(t *testing.T) {
	stream := "\n__CURSOR=s=a;i=1\n__REALTIME_TIMESTAMP=1796277219824233\nMESSAGE=hello = world\nMESSAGE=second value ignored\nCODE_FILE=x.c\n\n" +
		"__CURSOR=s=a;i=2\n" + binField("MESSAGE", []byte("two\nlines\x00nul")) + binField("OTHER", []byte("skipped\n")) + "_PID=42\n\n\n"
	x := reader(stream, "CODE_FILE")
	if err := x.next(); err != nil {
		t.Fatal(err)
	}
	if v, _ := x.value(fMessage); string(v) != "hello = world" {
		t.Errorf("message %q", v)
	}
	if v, _ := x.value(x.index["CODE_FILE"]); string(v) != "x.c" {
		t.Errorf("extra field %q", v)
	}
	if _, ok := x.value(fPID); ok {
		t.Error("a field of the first entry is set")
	}
	if err := x.next(); err != nil {
		t.Fatal(err)
	}
	if v, _ := x.value(fMessage); string(v) != "two\nlines\x00nul" {
		t.Errorf("binary message %q", v)
	}
	if v, _ := x.value(fCursor); string(v) != "s=a;i=2" {
		t.Errorf("cursor %q", v)
	}
	if _, ok := x.value(x.index["CODE_FILE"]); ok {
		t.Error("a field of the previous entry survived")
	}
	if err := x.next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

func TestExportReaderLimits(t *testing.T) {
	long := strings.Repeat("m", 200) // longer than the 64-byte buffer and the 32-byte limit
	stream := "MESSAGE=" + long + "\n_HOSTNAME=" + strings.Repeat("h", 100) + "\n" + binField("_COMM", bytes.Repeat([]byte{1}, 1000)) + "\n"
	x := reader(stream)
	if err := x.next(); err != nil {
		t.Fatal(err)
	}
	if v, _ := x.value(fMessage); string(v) != long[:32] || !x.cut[fMessage] {
		t.Errorf("message %q (cut %v)", v, x.cut[fMessage])
	}
	if v, _ := x.value(fHostname); len(v) != 16 {
		t.Errorf("hostname %q", v)
	}
	if v, _ := x.value(fComm); len(v) != 16 || !x.cut[fComm] {
		t.Errorf("binary field %q", v)
	}
}

func TestExportReaderBroken(t *testing.T) {
	for name, tc := range map[string]struct {
		stream string
		want   error
	}{
		"cut in a field":      {"__CURSOR=s=a\nMESSAGE=abc", io.ErrUnexpectedEOF},
		"cut before the end":  {"__CURSOR=s=a\nMESSAGE=abc\n", io.ErrUnexpectedEOF},
		"cut in a size":       {"__CURSOR=s=a\nMESSAGE\n\x03\x00", io.ErrUnexpectedEOF},
		"cut in a value":      {"__CURSOR=s=a\nMESSAGE\n\x09\x00\x00\x00\x00\x00\x00\x00abc", io.ErrUnexpectedEOF},
		"huge size":           {"__CURSOR=s=a\nMESSAGE\n\xff\xff\xff\xff\xff\xff\xff\xff\n\n", errExport},
		"no newline after it": {"__CURSOR=s=a\n" + strings.TrimSuffix(binField("MESSAGE", []byte("ab")), "\n") + "X\n\n", errExport},
	} {
		x := reader(tc.stream)
		err := x.next()
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
		if c, ok := x.value(fCursor); !ok || string(c) != "s=a" {
			t.Errorf("%s: cursor of the broken entry %q", name, c)
		}
	}
}

func TestStripCursor(t *testing.T) {
	for in, want := range map[string]string{
		"s=915b;i=2;b=0123;m=3e9;t=661b;x=e618": "s=915b;i=2;b=0123;m=3e9;t=661b",
		"x=1;s=2":                               "s=2",
		"s=1":                                   "s=1",
	} {
		if got := string(stripCursor(nil, []byte(in))); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
		if !validCursor(want) {
			t.Errorf("%q is not valid", want)
		}
	}
	for _, bad := range []string{"", "hello", "s=1;;i=2", "s=a b", "long=1"} {
		if validCursor(bad) {
			t.Errorf("%q is valid", bad)
		}
	}
}

func TestCursorStore(t *testing.T) {
	dir := t.TempDir()
	c := newCursorStore(dir, "journal", nil)
	if cur, err := c.load(); err != nil || cur != "" {
		t.Fatalf("fresh store: %q %v", cur, err)
	}
	c.set("s=1;i=5")
	if err := c.save(); err != nil {
		t.Fatal(err)
	}
	c2 := newCursorStore(dir, "journal", nil)
	if cur, err := c2.load(); err != nil || cur != "s=1;i=5" {
		t.Fatalf("reloaded: %q %v", cur, err)
	}
	writeTestFile(t, c.path, "garbage that is no cursor\n")
	if _, err := newCursorStore(dir, "journal", nil).load(); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged file: %v", err)
	}
}

func TestHeader(t *testing.T) {
	ts := time.Date(2026, 12, 3, 5, 53, 39, 824233000, time.UTC)
	base := journaltest.Syslog(ts, "web1", "ssh.service", "sshd", 123, 6, "Failed password for bob")
	for name, tc := range map[string]struct {
		e    journaltest.Entry
		want string
	}{
		"full":             {base, "2026-12-03T05:53:39.824233Z web1 sshd[123]: Failed password for bob"},
		"no host":          {base.Without("_HOSTNAME"), "2026-12-03T05:53:39.824233Z sshd[123]: Failed password for bob"},
		"no pid":           {base.Without("_PID"), "2026-12-03T05:53:39.824233Z web1 sshd: Failed password for bob"},
		"syslog pid wins":  {base.With("SYSLOG_PID", []byte("77")), "2026-12-03T05:53:39.824233Z web1 sshd[77]: Failed password for bob"},
		"bad pid":          {base.With("_PID", []byte("12a")), "2026-12-03T05:53:39.824233Z web1 sshd: Failed password for bob"},
		"comm":             {base.Without("SYSLOG_IDENTIFIER").With("_COMM", []byte("nginx")), "2026-12-03T05:53:39.824233Z web1 nginx[123]: Failed password for bob"},
		"kernel":           {base.Without("SYSLOG_IDENTIFIER").Without("_PID").With("_TRANSPORT", []byte("kernel")), "2026-12-03T05:53:39.824233Z web1 kernel: Failed password for bob"},
		"unknown":          {base.Without("SYSLOG_IDENTIFIER"), "2026-12-03T05:53:39.824233Z web1 unknown[123]: Failed password for bob"},
		"odd identifier":   {base.With("SYSLOG_IDENTIFIER", []byte("my app[x]: y\n")), "2026-12-03T05:53:39.824233Z web1 my_app_x___y_[123]: Failed password for bob"},
		"no time":          {base.Without("__REALTIME_TIMESTAMP"), "web1 sshd[123]: Failed password for bob"},
		"binary message":   {base.With("MESSAGE", []byte("a\nb\x00")), "2026-12-03T05:53:39.824233Z web1 sshd[123]: a\nb\x00"},
		"message too long": {base.With("MESSAGE", []byte(strings.Repeat("x", 300))), "2026-12-03T05:53:39.824233Z web1 sshd[123]: " + strings.Repeat("x", 101)},
	} {
		bt, _ := build(t, DefaultSettings(), ts, tc.e)
		if len(bt.b.Records) != 1 {
			t.Errorf("%s: %d records", name, len(bt.b.Records))
			continue
		}
		r := bt.b.Records[0]
		if string(r.Line) != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", name, r.Line, tc.want)
		}
		if _, has := fieldOf(tc.e, "__REALTIME_TIMESTAMP"); has && !r.Time.Equal(ts) {
			t.Errorf("%s: time %v", name, r.Time)
		}
	}
}

func TestLabelsAndSkips(t *testing.T) {
	now := time.Date(2026, 12, 3, 6, 0, 0, 0, time.UTC)
	s := DefaultSettings()
	s.MaxAge = strictyamlDuration(time.Hour)
	s.MetadataFields = map[string]string{"code_file": "CODE_FILE"}
	e1 := journaltest.Syslog(now.Add(-time.Minute), "web1", "ssh.service", "sshd", 1, 3, "a").With("CODE_FILE", []byte("auth.c"))
	e2 := journaltest.Syslog(now.Add(-time.Minute), "web1", "ssh.service", "sshd", 2, 3, "b")
	old := journaltest.Syslog(now.Add(-2*time.Hour), "web1", "ssh.service", "sshd", 3, 3, "old")
	noMsg := journaltest.Syslog(now, "web1", "", "", 0, 9, "").Without("MESSAGE")
	odd := journaltest.Syslog(now, "", "", "x", 0, 9, "odd priority")
	bt, _ := build(t, s, now, e1, e2, old, noMsg, odd)
	if len(bt.b.Records) != 3 || bt.tooOld != 1 || bt.noMessage != 1 {
		t.Fatalf("%d records, %d too old, %d without message", len(bt.b.Records), bt.tooOld, bt.noMessage)
	}
	r := bt.b.Records
	if got := labelString(r[0].Labels); got != "host=web1 identifier=sshd level=error unit=ssh.service" {
		t.Errorf("labels %s", got)
	}
	if &r[0].Labels[0] != &r[1].Labels[0] {
		t.Error("the entries of one stream do not share their labels")
	}
	if got := labelString(r[0].Metadata); got != "code_file=auth.c" || r[1].Metadata != nil {
		t.Errorf("metadata %s / %v", got, r[1].Metadata)
	}
	if got := labelString(r[2].Labels); got != "identifier=x" {
		t.Errorf("labels of an entry with an odd priority: %s", got)
	}
}

// build runs the export reader and the builder of s over entries, as
// parse does, into one batch.
func build(t *testing.T, s *Settings, now time.Time, entries ...journaltest.Entry) (*batch, *exportReader) {
	t.Helper()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := journaltest.Export(&buf, entries); err != nil {
		t.Fatal(err)
	}
	var extra []string
	for _, n := range s.named {
		extra = append(extra, n.field)
	}
	x := newExportReader(bufio.NewReader(&buf), extra, 101, fieldLimit)
	b := newBuilder(s, x, func() time.Time { return now })
	bt := &batch{}
	bt.reset()
	for {
		err := x.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b.add(bt, x)
	}
	bt.seal()
	return bt, x
}
