package rules

import (
	"testing"
	"time"
)

// syslogBenchLines are the syslog and nginx error shapes of issue 13.
var syslogBenchLines = [][]byte{
	[]byte(`Nov 20 13:00:01 web1 sshd[4242]: Failed password for invalid user admin from 203.0.113.9 port 52811 ssh2`),
	[]byte(`Nov 20 13:00:05 web1 sshd[4246]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser=dave rhost=203.0.113.9  user=erin`),
	[]byte(`Nov 20 13:00:06 web1 sudo:    frank : TTY=pts/0 ; PWD=/home/frank ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx`),
	[]byte(`Nov 20 13:00:12 mx1 postfix/smtpd[812]: NOQUEUE: reject: RCPT from unknown[192.0.2.236]: 554 5.7.1 <ivy@dom.example>: Relay access denied; from=<jack@b.example> to=<ivy@dom.example> proto=ESMTP helo=<dom.example>`),
	[]byte(`Nov 20 13:00:14 mx1 dovecot: imap-login: Login: user=<kim@example.com>, method=PLAIN, rip=203.0.113.9, lip=192.0.2.1, mpid=42, TLS, session=<p0f4Ij8Z>`),
	[]byte(`2026/11/20 13:00:01 [error] 2865#0: *66648 user "sam": password mismatch, client: 2001:db8:abcd:12::7, server: example.com, request: "GET /admin?token=s3cr3t&page=2 HTTP/1.1", host: "example.com", referrer: "https://example.com/login?email=sam@example.org"`),
}

// BenchmarkDefaultSyslog anonymizes syslog and nginx error lines with
// builtin:default through auto, as tarn filter does.
func BenchmarkDefaultSyslog(b *testing.B) {
	eng := defaultEngine(b)
	p := eng.NewProcessor()
	now := time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)
	var out []byte
	n := 0
	for _, l := range syslogBenchLines {
		n += len(l)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	for b.Loop() {
		for _, l := range syslogBenchLines {
			out, _ = p.Append(out[:0], l, now)
		}
	}
}
