package rules

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/strictyaml"
)

// syslogRealdata are the syslog and nginx error logs of the corpus, with
// the format they are in.
var syslogRealdata = []struct{ file, format string }{
	{"elastic-examples/auth.log", "syslog"},
	{"loghub/OpenSSH_2k.log", "syslog"},
	{"loghub/Linux_2k.log", "syslog"},
	{"lnav/logfile_syslog.0", "syslog"},
	{"fail2ban/sshd", "syslog"},
	{"fail2ban/postfix", "syslog"},
	{"fail2ban/dovecot", "syslog"},
	{"fail2ban/nginx-http-auth", "nginx_error"},
	{"fail2ban/nginx-limit-req", "nginx_error"},
}

// afterUser matches a word after the phrases sshd, PAM and nginx put a user
// name behind; checkUserWords wants a pseudonym there.
var afterUser = regexp.MustCompile(`(?:[Ii]nvalid user|illegal user|authenticating user|for user|Failed password for|Accepted (?:password|publickey) for|ruser=|[^r]user=<?|logname=|sasl_username=|user ")([^ ,>"\r]+)`)

// isPseudonym reports whether w is a 16-digit hex pseudonym (an e-mail
// pseudonym keeps no domain in the default rules).
func isPseudonym(w string) bool {
	if len(w) != 16 {
		return false
	}
	for _, c := range w {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// TestSyslogRealdata runs the syslog and nginx error logs of the corpus
// through builtin:default, once with their format and once with auto:
// every line comes out, netip finds no untruncated address, no e-mail
// address is left, every user name fail2ban's annotations plant is gone,
// and every word after a user-name phrase is a pseudonym.
func TestSyslogRealdata(t *testing.T) {
	if _, err := os.Stat(realdataDir); err != nil {
		t.Skipf("no %s: skipping the third-party log corpus", realdataDir)
	}
	for _, c := range syslogRealdata {
		data, err := os.ReadFile(filepath.Join(realdataDir, c.file))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		for _, f := range []string{c.format, "auto"} {
			t.Run(c.file+"/"+f, func(t *testing.T) {
				checkSyslogFile(t, syslogEngine(t, f), data)
			})
		}
	}
}

// syslogEngine compiles builtin:default for format f with retention off
// (the samples are years old).
func syslogEngine(t *testing.T, f string) *Engine {
	t.Helper()
	cfg, err := LoadConfig("builtin:default")
	if err != nil {
		t.Fatal(err)
	}
	forever := strictyaml.Duration(100 * 365 * 24 * time.Hour)
	cfg.Retention.MaxAge = &forever
	cfg.Format = f
	eng, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// checkSyslogFile processes the lines of data (skipping fail2ban's
// comment lines, whose annotations name the users planted in the next
// line) and checks the output.
func checkSyslogFile(t *testing.T, eng *Engine, data []byte) {
	t.Helper()
	p := eng.NewProcessor()
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	var planted string
	parsed, lines := 0, 0
	for _, l := range bytes.Split(data, []byte("\n")) {
		if bytes.HasPrefix(l, []byte("#")) {
			planted = annotatedUser(l)
			continue
		}
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		lines++
		out, res := p.Append(nil, l, now)
		if res.Reason != Kept {
			t.Errorf("line %q dropped: %v", l, res.Reason)
		}
		if res.Format != format.Text {
			parsed++
		}
		checkSyslogLine(t, l, out, planted, res.Format != format.Text)
		planted = ""
	}
	if parsed*2 < lines {
		t.Errorf("only %d of %d lines parsed", parsed, lines)
	}
}

// checkSyslogLine checks one output line; the words after user-name
// phrases only when a parser understood it (free text is left to the
// detectors, which do not know these phrases).
func checkSyslogLine(t *testing.T, in, out []byte, planted string, parsed bool) {
	t.Helper()
	if bad := leakedAddresses(out); len(bad) > 0 {
		t.Errorf("untruncated %q in %q (from %q)", bad, out, in)
	}
	if m := checkEmail.Find(out); m != nil {
		t.Errorf("e-mail %q in %q", m, out)
	}
	if planted != "" && bytes.Contains(out, []byte(planted)) {
		t.Errorf("planted user %q in %q", planted, out)
	}
	if !parsed {
		return
	}
	for _, m := range afterUser.FindAllSubmatch(out, -1) {
		if w := string(m[1]); !isPseudonym(w) && w != "unknown" && w != "[preauth]" {
			t.Errorf("%q after a user phrase in %q (from %q)", w, out, in)
		}
	}
}

// annotatedUser returns the "user" of a fail2ban "# failJSON: {...}"
// annotation line, "" if none.
func annotatedUser(l []byte) string {
	j := bytes.IndexByte(l, '{')
	if !bytes.HasPrefix(l, []byte("# failJSON:")) || j < 0 {
		return ""
	}
	var a struct {
		User string `json:"user"`
	}
	if json.Unmarshal(l[j:], &a) != nil || len(strings.TrimSpace(a.User)) < 3 {
		return ""
	}
	return a.User
}
