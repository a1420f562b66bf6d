package syslog

import (
	"bytes"
	"testing"
)

// FuzzFramer feeds arbitrary streams in arbitrary pieces to the framer in
// every mode: it must never panic, always make progress with a buffer of
// Buffer() bytes, return messages no longer than Max that are slices of
// the input, and consume every byte by the end.
func FuzzFramer(f *testing.F) {
	for _, s := range []string{"5 <13>a<14>b\n", "10 <13>a", "\n\n\r", "9999999999 a", "480 x", "<13>a\r\n",
		"12 <13>1 - - -\n", "0 \n", "1 \n", "3 abc4 de"} {
		f.Add([]byte(s), uint8(0), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, mode, step uint8) {
		fr := &Framer{Mode: Framing(mode % 3), Max: 480}
		buf := make([]byte, fr.Buffer())
		st := int(step)%64 + 1
		r, w := 0, 0
		rest := in
		for guard := 0; ; guard++ {
			if guard > 4*len(in)+20 {
				t.Fatal("no progress")
			}
			eof := len(rest) == 0
			for {
				n, msg, ev := fr.Split(buf[r:w], eof)
				if n < 0 || n > w-r {
					t.Fatalf("consumed %d of %d", n, w-r)
				}
				if len(msg) > fr.Max {
					t.Fatalf("message of %d bytes", len(msg))
				}
				if msg != nil && !bytes.Contains(in, msg) {
					t.Fatal("message not from the input")
				}
				if ev == BadFrame {
					return
				}
				r += n
				if msg == nil && n == 0 {
					break
				}
			}
			if eof {
				if r != w {
					t.Fatalf("%d bytes left", w-r)
				}
				return
			}
			copy(buf, buf[r:w])
			w -= r
			r = 0
			k := copy(buf[w:], rest[:min(st, len(rest))])
			w += k
			rest = rest[k:]
		}
	})
}

// FuzzParseHeader checks that the header scanner never panics and only
// returns plain host and program names.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{"<34>1 2026-12-02T01:13:17.123Z mx1 sshd 4242 - - m", "<13>Dec  2 01:13:17 web1 sshd[42]: x", "<1>", "<13>Dec  2 01:13:17 "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, m []byte) {
		h := ParseHeader(m)
		if h.Host != nil && hostName(h.Host) == nil || h.App != nil && appName(h.App) == nil {
			t.Fatalf("host %q app %q", h.Host, h.App)
		}
		if h.Priority > 191 {
			t.Fatal(h.Priority)
		}
		_ = appendEscaped(nil, m)
	})
}
