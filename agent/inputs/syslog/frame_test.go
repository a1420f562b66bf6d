package syslog

import (
	"bytes"
	"strings"
	"testing"
)

// frameAll splits s fed in pieces of step bytes into a buffer of size
// bufSize, as serveConn does, and returns the messages and events.
func frameAll(t testing.TB, f *Framer, s string, step, bufSize int) (msgs []string, events []Event) {
	t.Helper()
	buf := make([]byte, max(bufSize, f.Buffer()))
	in := []byte(s)
	r, w := 0, 0
	for guard := 0; ; guard++ {
		if guard > 10*len(s)+100 {
			t.Fatalf("no progress framing %q", s)
		}
		eof := len(in) == 0
		for {
			n, msg, ev := f.Split(buf[r:w], eof)
			if ev != None {
				events = append(events, ev)
			}
			if ev == BadFrame {
				return msgs, events
			}
			r += n
			if msg != nil {
				msgs = append(msgs, string(msg))
			} else if n == 0 {
				break
			}
		}
		if eof {
			if r != w {
				t.Fatalf("%d bytes left at eof", w-r)
			}
			return msgs, events
		}
		copy(buf, buf[r:w])
		w -= r
		r = 0
		k := copy(buf[w:], in[:min(step, len(in))])
		w += k
		in = in[k:]
	}
}

func TestFramer(t *testing.T) {
	long := strings.Repeat("x", 600)
	for _, c := range []struct {
		name   string
		mode   Framing
		in     string
		want   []string
		events []Event
	}{
		{"non-transparent", Auto, "<13>a\n<14>b\r\n<15>c", []string{"<13>a", "<14>b", "<15>c"}, nil},
		{"octet counting", Auto, "5 <13>a6 <14>bc", []string{"<13>a", "<14>bc"}, nil},
		{"octet with LF inside", Auto, "10 <13>a\nbcde", []string{"<13>a\nbcde"}, nil},
		{"octet trailer LF", Auto, "5 <13>a\n5 <13>b\n", []string{"<13>a", "<13>b"}, nil},
		{"mixed per message", Auto, "5 <13>a<14>b\n3 <1>", []string{"<13>a", "<14>b", "<1>"}, nil},
		{"empty lines skipped", Auto, "\n\n<13>a\n\n", []string{"<13>a"}, nil},
		{"digits not a count", Auto, "2026-12-02 host msg\n", []string{"2026-12-02 host msg"}, nil},
		{"leading zero not a count", Auto, "05 abcde\n", []string{"05 abcde"}, nil},
		{"strict octet bad", OctetCounting, "<13>a\n", nil, []Event{BadFrame}},
		{"strict octet good", OctetCounting, "3 abc4 defg", []string{"abc", "defg"}, nil},
		{"strict non-transparent", NonTransparent, "5 <13>a\n", []string{"5 <13>a"}, nil},
		{"too long line cut", Auto, "<13>" + long + "\n<14>b\n", []string{("<13>" + long)[:512], "<14>b"}, []Event{Truncated}},
		{"too long octet cut", Auto, "604 <13>" + long + "5 <14>b", []string{("<13>" + long)[:512], "<14>b"}, []Event{Truncated}},
		{"closed mid-frame", Auto, "10 <13>a", []string{"<13>a"}, []Event{Truncated}},
		{"count overflow", OctetCounting, "9999999999 a", nil, []Event{BadFrame}},
	} {
		for _, step := range []int{1, 3, 7, 1 << 20} {
			f := &Framer{Mode: c.mode, Max: 512}
			got, ev := frameAll(t, f, c.in, step, 0)
			if strings.Join(got, "|") != strings.Join(c.want, "|") || len(ev) != len(c.events) {
				t.Errorf("%s (step %d): got %q %v, want %q %v", c.name, step, got, ev, c.want, c.events)
			}
		}
	}
}

func TestFramerBufferAlwaysProgresses(t *testing.T) {
	// A buffer of exactly Buffer() bytes frames messages of the maximum
	// length and longer ones in both framings.
	f := &Framer{Max: 480}
	msg := strings.Repeat("m", 480)
	in := "480 " + msg + msg + "\n" + "999999999 " + msg
	got, ev := frameAll(t, f, in, 10000, f.Buffer())
	if len(got) != 3 || got[0] != msg || got[1] != msg || got[2] != msg || len(ev) != 1 {
		t.Fatalf("got %d messages, events %v", len(got), ev)
	}
}

func TestAppendEscaped(t *testing.T) {
	got := appendEscaped(nil, []byte("a\nb\tc\x00d\x1b"))
	if want := "a#012b\tc#000d#033"; string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got := appendEscaped(nil, []byte("plain")); !bytes.Equal(got, []byte("plain")) {
		t.Fatal(string(got))
	}
}
