package journald_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent"
	"github.com/tarn-project/tarn/agent/inputs/journald/journaltest"
	_ "github.com/tarn-project/tarn/sinks/all" // the file sink
)

// TestAgentAnonymizes runs the agent with a journald input over a real
// journal file and an ndjson file sink: e-mail addresses, IP addresses
// and user names in sshd, sudo, postfix and dovecot messages (and in a
// spoofed identifier) arrive anonymized, with the entries' times and the
// unit, identifier, host and level labels; a second run adds nothing.
func TestAgentAnonymizes(t *testing.T) {
	journaltest.Require(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "j", "host.journal")
	os.MkdirAll(filepath.Dir(file), 0o755)
	ts := time.Date(2026, 12, 3, 5, 0, 0, 0, time.UTC)
	at := func(i int) time.Time { return ts.Add(time.Duration(i) * time.Second) }
	journaltest.Write(t, file, []journaltest.Entry{
		journaltest.Syslog(at(0), "web1", "ssh.service", "sshd", 812, 6, "Failed password for invalid user bob from 203.0.113.7 port 52814 ssh2"),
		journaltest.Syslog(at(1), "web1", "ssh.service", "sshd", 812, 6, "Accepted publickey for alice from 198.51.100.23 port 50022 ssh2: ED25519 SHA256:abc"),
		journaltest.Syslog(at(2), "web1", "", "sudo", 900, 5, "    carol : TTY=pts/0 ; PWD=/home/carol ; USER=root ; COMMAND=/usr/bin/id"),
		journaltest.Syslog(at(3), "mail", "postfix@-.service", "postfix/smtpd", 4242, 6, "3F1A2B: client=mail.example.org[192.0.2.44], sasl_method=PLAIN, sasl_username=dave@example.com"),
		journaltest.Syslog(at(4), "mail", "postfix@-.service", "postfix/qmgr", 4243, 6, "3F1A2B: from=<erin@example.net>, size=1234, nrcpt=1 (queue active)"),
		journaltest.Syslog(at(5), "mail", "dovecot.service", "dovecot", 77, 6, "imap-login: Login: user=<frank@example.org>, method=PLAIN, rip=203.0.113.99, lip=192.0.2.1, mpid=1, TLS"),
		journaltest.Syslog(at(6), "web1", "app.service", "grace@example.com", 5, 3, "payment for heidi@example.com from 2001:db8::1234 failed\ntrace line two"),
	})
	os.WriteFile(filepath.Join(dir, "tarn.yaml"), []byte(`data_dir: data
rules: builtin:default
inputs:
  - name: journal
    type: journald
    files: ["j/*.journal"]
    start_at: beginning
    format: syslog
sinks:
  - {name: archive, type: file, path: out, format: ndjson}
server: {listen: ""}
`), 0o644)
	now := ts.Add(time.Hour)
	run := func() {
		a := agent.New(agent.Options{ConfigPath: filepath.Join(dir, "tarn.yaml"), Once: true, Now: func() time.Time { return now }})
		if err := a.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	run()
	out := readOut(t, filepath.Join(dir, "out"))
	for _, raw := range []string{"bob", "alice", "carol", "dave@example.com", "erin@example.net", "frank@example.org", "grace@example.com", "heidi@example.com",
		"203.0.113.7", "198.51.100.23", "192.0.2.44", "203.0.113.99", "2001:db8::1234", "mail.example.org"} {
		if strings.Contains(out, raw) {
			t.Errorf("%q reached the sink:\n%s", raw, out)
		}
	}
	type entry struct {
		Time   time.Time         `json:"time"`
		Labels map[string]string `json:"labels"`
		Line   string            `json:"line"`
	}
	var es []entry
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var e entry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		es = append(es, e)
	}
	if len(es) != 7 {
		t.Fatalf("%d entries, want 7:\n%s", len(es), out)
	}
	for i, e := range es {
		if !e.Time.Equal(at(i)) {
			t.Errorf("entry %d: time %v, want %v", i, e.Time, at(i))
		}
	}
	first := es[0]
	if l := first.Labels; l["unit"] != "ssh.service" || l["identifier"] != "sshd" || l["host"] != "web1" || l["level"] != "info" || l["input"] != "journal" {
		t.Errorf("labels %v", l)
	}
	if !strings.HasPrefix(first.Line, "2026-12-03T05:00:00.000000Z web1 sshd[812]: Failed password for invalid user ") || !strings.Contains(first.Line, " from 203.0.113.0 port 52814 ssh2") {
		t.Errorf("sshd line %q", first.Line)
	}
	if es[6].Labels["level"] != "error" || !strings.Contains(es[6].Line, "\ntrace line two") {
		t.Errorf("last entry %v %q", es[6].Labels, es[6].Line)
	}
	run()
	if again := readOut(t, filepath.Join(dir, "out")); again != out {
		t.Errorf("a second run from the cursor added entries:\n%s", strings.TrimPrefix(again, out))
	}
}

func readOut(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	sort.Strings(files)
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}
