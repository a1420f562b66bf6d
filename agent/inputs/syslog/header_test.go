package syslog

import "testing"

func TestParseHeader(t *testing.T) {
	for _, c := range []struct {
		in                  string
		fac, sev, host, app string
	}{
		{"<34>1 2026-12-02T01:13:17.123Z mx1 sshd 4242 - - Failed password", "auth", "crit", "mx1", "sshd"},
		{"<13>1 2026-12-02T01:13:17+01:00 web-1.example.net root - - [timeQuality tzKnown=\"1\"] hi", "user", "notice", "web-1.example.net", "root"},
		{"<165>1 - - - - - -", "local4", "notice", "", ""},
		{"<13>Dec  2 01:13:17 web1 sshd[42]: Invalid user bob", "user", "notice", "web1", "sshd"},
		{"<13>Dec 2 01:13:17 web1 postfix/smtpd[42]: x", "user", "notice", "web1", "postfix/smtpd"},
		{"<86>2026-12-02T01:13:17.123456+01:00 mail dovecot: imap-login", "authpriv", "info", "mail", "dovecot"},
		{"<36>Dec  3 06:00:54 vm sshd[9383] rsyslog's tag of a 5424 message", "auth", "warning", "vm", "sshd"},
		{"<36>Dec  3 06:00:54 vm sshd[x] no pid", "auth", "warning", "", ""},
		{"<13>Dec  2 01:13:17 sshd[42]: no host", "user", "notice", "", "sshd"},
		{"<0>Dec  2 01:13:17 10.1.2.3 kernel: x", "kern", "emerg", "10.1.2.3", "kernel"},
		{"<191>Dec  2 01:13:17 h app: x", "local7", "debug", "h", "app"},
		{"Dec  2 01:13:17 web1 sshd[42]: no pri", "", "", "web1", "sshd"},
		{"<13>Dec  2 01:13:17 bob@example.org sshd: at sign", "user", "notice", "", "sshd"},
		{"<13>Dec  2 01:13:17 web1 a@b: tag with at", "user", "notice", "web1", ""},
		{"<13>just text with no header", "user", "notice", "", ""},
		{"<192>1 too big", "", "", "", ""},
		{"<01>x", "", "", "", ""},
		{"", "", "", "", ""},
		{"<1", "", "", "", ""},
	} {
		h := ParseHeader([]byte(c.in))
		if h.Facility() != c.fac || h.Severity() != c.sev || string(h.Host) != c.host || string(h.App) != c.app {
			t.Errorf("%q: got %s.%s host %q app %q, want %s.%s %q %q", c.in, h.Facility(), h.Severity(), h.Host, h.App, c.fac, c.sev, c.host, c.app)
		}
	}
}

func TestParseHeaderAllocatesNothing(t *testing.T) {
	m := []byte("<34>1 2026-12-02T01:13:17.123Z mx1 sshd 4242 - - Failed password")
	if n := testing.AllocsPerRun(100, func() { ParseHeader(m) }); n != 0 {
		t.Fatalf("%v allocs", n)
	}
}
