package journald

import (
	"bufio"
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/inputs/journald/journaltest"
)

// FuzzExportReader feeds arbitrary streams to the export reader and the
// builder: they never panic, never keep more than their limits, and
// every record's line ends with the (cut) MESSAGE it was built from.
func FuzzExportReader(f *testing.F) {
	ts := time.Date(2026, 12, 3, 5, 53, 39, 0, time.UTC)
	var seed bytes.Buffer
	journaltest.Export(&seed, []journaltest.Entry{
		journaltest.Syslog(ts, "web1", "ssh.service", "sshd", 1, 6, "Failed password for invalid user bob from 203.0.113.7 port 52814 ssh2"),
		journaltest.Syslog(ts, "", "", "", 0, 9, "two\nlines\x00").With("__CURSOR", []byte("s=1;i=2;x=3")),
	})
	f.Add(seed.Bytes())
	f.Add([]byte("MESSAGE\n\xff\xff\xff\xff\x00\x00\x00\x00\n\n"))
	f.Add([]byte("\n\n=\n\nMESSAGE=\n\n"))
	f.Add([]byte("__CURSOR=s=a\nMESSAGE\n\x02\x00\x00\x00\x00\x00\x00\x00ab"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := DefaultSettings()
		s.MetadataFields = map[string]string{"code": "CODE_FILE"}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		x := newExportReader(bufio.NewReaderSize(bytes.NewReader(data), 16), []string{"CODE_FILE"}, 64, 16)
		b := newBuilder(s, x, func() time.Time { return ts })
		bt := &batch{}
		bt.reset()
		for i := 0; i < 1000; i++ {
			err := x.next()
			if err != nil {
				if err != io.EOF && len(data) == 0 {
					t.Fatalf("empty stream: %v", err)
				}
				break
			}
			for j, v := range x.vals {
				if x.set[j] && len(v) > x.limits[j] {
					t.Fatalf("field %d kept %d bytes, limit %d", j, len(v), x.limits[j])
				}
			}
			n := len(bt.b.Records)
			b.add(bt, x)
			if len(bt.b.Records) > n {
				bt.seal()
				msg, _ := x.value(fMessage)
				if line := bt.b.Records[n].Line; !bytes.HasSuffix(line, msg) {
					t.Fatalf("line %q does not end with the message %q", line, msg)
				}
			}
		}
	})
}
