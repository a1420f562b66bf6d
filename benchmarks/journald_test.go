package benchmarks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent"
	"github.com/tarn-project/tarn/agent/inputs/journald/journaltest"
	"github.com/tarn-project/tarn/benchmarks/leakcorpus"
)

// syslogLine splits the leak corpus' syslog lines: BSD time, host, tag
// with an optional [pid], message.
var syslogLine = regexp.MustCompile(`^([A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d) (\S+) ([^\s\[:]+)(?:\[(\d+)\])?: (.*)$`)

// journalEntries turns the syslog lines of the leak corpus' records of
// kind into the journal entries journald would have stored for them
// (host, identifier, PID, unit, MESSAGE), and returns the records with
// Lines replaced by what the journald input hands the rules.
func journalEntries(t *testing.T, records []leakcorpus.Record, kind string) ([]journaltest.Entry, []leakcorpus.Record) {
	t.Helper()
	units := map[string]string{"sshd": "ssh.service", "sudo": "", "dovecot": "dovecot.service"}
	var es []journaltest.Entry
	var rs []leakcorpus.Record
	for _, r := range records {
		if r.Kind != kind {
			continue
		}
		for i, l := range r.Lines {
			m := syslogLine.FindStringSubmatch(l)
			if m == nil {
				t.Fatalf("not a syslog line: %q", l)
			}
			ts, err := time.Parse(time.Stamp, m[1])
			if err != nil {
				t.Fatal(err)
			}
			ts = ts.AddDate(leakDay.Year(), 0, 0).UTC()
			pid, _ := strconv.Atoi(m[4])
			unit, ok := units[m[3]]
			if !ok && strings.HasPrefix(m[3], "postfix/") {
				unit = "postfix@-.service"
			}
			es = append(es, journaltest.Syslog(ts, m[2], unit, m[3], pid, 6, m[5]))
			pidPart := ""
			if m[4] != "" {
				pidPart = "[" + m[4] + "]"
			}
			r.Lines[i] = ts.Format("2006-01-02T15:04:05.000000Z") + " " + m[2] + " " + m[3] + pidPart + ": " + m[5]
		}
		rs = append(rs, r)
	}
	return es, rs
}

// TestLeakCorpusJournald runs the syslog kinds of the leak corpus
// (auth-syslog: sshd, sudo, PAM; mail-syslog: postfix, dovecot) through
// the journald input: the records are stored in a real journal file by
// systemd-journal-remote, read with journalctl by the agent with the
// default rules, and delivered to the file sink (lines) and an ndjson
// file sink (labels: unit, identifier, host, level).
func TestLeakCorpusJournald(t *testing.T) {
	journaltest.Require(t)
	c, dir, key := leakSetup(t)
	var all []journaltest.Entry
	var records []leakcorpus.Record
	for _, kind := range []string{"auth-syslog", "mail-syslog"} {
		es, rs := journalEntries(t, c.Records, kind)
		all, records = append(all, es...), append(records, rs...)
	}
	if err := os.MkdirAll(filepath.Join(dir, "journal"), 0o755); err != nil {
		t.Fatal(err)
	}
	journaltest.Write(t, filepath.Join(dir, "journal", "leak.journal"), all)
	cfg := writeLeakConfig(t, dir, key, "  - {name: journal, type: journald, directory: journal, start_at: beginning, format: syslog}\n",
		"  - {name: labels, type: file, path: outjson, format: ndjson}\n")
	now := leakDay.Add(time.Hour)
	a := agent.New(agent.Options{ConfigPath: cfg, Once: true, Now: func() time.Time { return now }})
	if err := a.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := readSinkDir(t, filepath.Join(dir, "out"))
	if got := strings.Count(out, "\n"); got != len(all) {
		t.Errorf("%d lines delivered, %d journal entries", got, len(all))
	}
	judge(t, "journald", records, out)
	judge(t, "journald-labels", records, readSinkDir(t, filepath.Join(dir, "outjson")))
}

// BenchmarkJournald measures the journald input end to end: journalctl
// reading a journal file of b.N sshd, sudo and postfix entries, the
// default rules, the spool and the file sink. One op is one entry. Run it
// on one core as
//
//	GOMAXPROCS=1 taskset -c 0 go test -run '^$' -bench BenchmarkJournald -benchtime 200000x ./benchmarks/
func BenchmarkJournald(b *testing.B) {
	journaltest.Require(b)
	dir := b.TempDir()
	os.MkdirAll(filepath.Join(dir, "journal"), 0o755)
	ts := time.Now().UTC().Add(-time.Hour)
	msgs := []struct{ unit, ident, msg string }{
		{"ssh.service", "sshd", "Failed password for invalid user bob%d from 203.0.113.%d port 52814 ssh2"},
		{"ssh.service", "sshd", "Accepted publickey for alice%d from 198.51.100.%d port 50022 ssh2: ED25519 SHA256:abc"},
		{"", "sudo", "   carol%d : TTY=pts/0 ; PWD=/home/carol ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx %d"},
		{"postfix@-.service", "postfix/smtpd", "3F1A2B: client=mail.example.org[192.0.2.%[2]d], sasl_method=PLAIN, sasl_username=dave%[1]d@example.com"},
		{"postfix@-.service", "postfix/qmgr", "3F1A2B: from=<erin%d@example.net>, size=%d, nrcpt=1 (queue active)"},
		{"nginx.service", "nginx", "worker process %d exited on signal %d"},
	}
	const chunk = 50000
	for i := 0; i < b.N; i += chunk {
		es := make([]journaltest.Entry, 0, chunk)
		for j := i; j < min(i+chunk, b.N); j++ {
			m := msgs[j%len(msgs)]
			es = append(es, journaltest.Syslog(ts.Add(time.Duration(j)*time.Microsecond), "web1", m.unit, m.ident, 1000+j%500, 6, fmt.Sprintf(m.msg, j%5000, j%250)))
		}
		journaltest.Write(b, filepath.Join(dir, "journal", "bench.journal"), es)
	}
	cfg := filepath.Join(dir, "tarn.yaml")
	os.WriteFile(cfg, []byte(`data_dir: data
rules: builtin:default
inputs:
  - {name: journal, type: journald, directory: journal, start_at: beginning, format: syslog}
sinks:
  - {name: archive, type: file, path: out}
server: {listen: ""}
`), 0o644)
	b.ResetTimer()
	a := agent.New(agent.Options{ConfigPath: cfg, Once: true})
	if err := a.Run(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if got := countSinkLines(b, filepath.Join(dir, "out")); got != b.N {
		b.Fatalf("%d lines delivered, want %d", got, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// countSinkLines counts the lines of a file sink's directory.
func countSinkLines(tb testing.TB, dir string) int {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		n += strings.Count(string(data), "\n")
	}
	return n
}
