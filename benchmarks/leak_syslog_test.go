package benchmarks

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/benchmarks/leakcorpus"
)

// TestLeakCorpusSyslog sends the corpus's syslog kinds (auth-syslog:
// sshd, sudo, PAM; mail-syslog: postfix, dovecot) to a syslog input over
// TCP, as rsyslog forwards them (a <PRI> before each line, octet
// counting), delivered to the file sink: no planted value may arrive.
func TestLeakCorpusSyslog(t *testing.T) {
	c, dir, key := leakSetup(t)
	addr := freeAddr(t)
	cfg := writeLeakConfig(t, dir, key, `  - {name: syslog, type: syslog, listen: "`+addr+`", format: syslog, batch_wait: 10ms}`+"\n")
	now := leakDay.Add(time.Hour)
	stop := serveAgent(t, cfg, func() time.Time { return now }, addr)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var records []leakcorpus.Record
	var b strings.Builder
	lines := 0
	for _, k := range []string{"auth-syslog", "mail-syslog"} {
		records = append(records, c.Of(k)...)
		for _, l := range strings.Split(strings.TrimSuffix(c.Text(k), "\n"), "\n") {
			m := "<38>" + l // auth.info, as rsyslog's traditional forward format sends it
			fmt.Fprintf(&b, "%d %s", len(m), m)
			lines++
		}
	}
	if _, err := conn.Write([]byte(b.String())); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	got := waitDelivered(t, "syslog", dir, lines, stop)
	judge(t, "syslog", records, got)
}
