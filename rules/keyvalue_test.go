package rules

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestAppendKeyValue: a key/value pair gets the action its key has as a
// top-level JSON key (the same output as the value in a JSON record),
// unknown keys are scrubbed, look-alikes kept.
func TestAppendKeyValue(t *testing.T) {
	e := defaultEngine(t)
	p := e.NewProcessor()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	hexPseudo, _ := e.Pseudonym(now, []byte("alice"), DefaultPseudoLen)
	for _, c := range []struct {
		key, value, want string // want "" : as in a JSON record; "=" : unchanged
	}{
		{"user", "alice", hexPseudo},
		{"User", "alice", hexPseudo},
		{"user-name", "alice", hexPseudo},
		{"userName", "alice", hexPseudo},
		{"login", "alice", ""},
		{"client_ip", "203.0.113.7", "203.0.113.0"},
		{"Client-IP", "203.0.113.7", "203.0.113.0"},
		{"clientIp", "2001:db8:1234:5678::1", ""},
		{"password", "hunter2", DefaultPlaceholder},
		{"authorization", "Bearer abcdefghijklmnopqrstuvwxyz0123456789", ""},
		{"remote_addr", "198.51.100.23", "198.51.100.0"}, // a fields rule
		{"trace_id", "4bf92f3577b34da6a3ce929d0e0e4736", "="},
		{"version", "2.15.3.12", "="},
		{"app_version", "10.1.2.3", "="},
		{"status", "200", "="},
		{"note", "mail me at erin@example.com", ""},                     // unknown: scrubbed
		{"note", "order placed", "="},                                   // unknown, clean
		{"caller", "from 203.0.113.99 today", "from 203.0.113.0 today"}, // unknown: detectors
		{"user", "", "="},
		{"user", "-", "="},
	} {
		got, ok := p.AppendKeyValue(nil, []byte(c.key), []byte(c.value), now)
		if !ok {
			t.Errorf("%s=%q: dropped", c.key, c.value)
			continue
		}
		want := c.want
		switch want {
		case "=":
			want = c.value
		case "":
			want = jsonValue(t, p, c.key, c.value, now)
			if want == c.value && c.key != "note" {
				t.Errorf("%s=%q: a JSON record keeps it too", c.key, c.value)
			}
		}
		if string(got) != want {
			t.Errorf("%s=%q: got %q, want %q", c.key, c.value, got, want)
		}
	}
	if got, _ := p.AppendKeyValue(nil, []byte("authorization"), []byte("Bearer abcdefghijklmnopqrstuvwxyz0123456789"), now); strings.Contains(string(got), "abcdefghij") {
		t.Errorf("authorization kept its token: %q", got)
	}
}

// jsonValue is the anonymized value of key in the JSON record
// {"key":"value"} at time now.
func jsonValue(t *testing.T, p *Processor, key, value string, now time.Time) string {
	t.Helper()
	line, _ := json.Marshal(map[string]string{key: value})
	out, res := p.Append(nil, line, now)
	if res.Reason != Kept {
		t.Fatalf("%s: %v", line, res.Reason)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	s, _ := m[key].(string)
	return s
}

// TestAppendKeyValueDrop: a drop_field key and a key holding an
// identifier are not kept, and both are counted.
func TestAppendKeyValueDrop(t *testing.T) {
	cfg, err := ParseConfig("kv.yaml", []byte("extends: [builtin:default]\nkeys:\n  secret_blob: drop_field\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err = Merge(cfg, "kv.yaml"); err != nil {
		t.Fatal(err)
	}
	e, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	p := e.NewProcessor()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	for _, key := range []string{"secret_blob", "Secret-Blob", "erin@example.com", "203.0.113.7"} {
		before := sum(p.Stats.Actions)
		if out, ok := p.AppendKeyValue([]byte("x"), []byte(key), []byte("v"), now); ok || string(out) != "x" {
			t.Errorf("%s: got %q, %v; want dropped", key, out, ok)
		}
		if sum(p.Stats.Actions) != before+1 {
			t.Errorf("%s: the drop is not counted", key)
		}
	}
}

func sum(v []uint64) (n uint64) {
	for _, x := range v {
		n += x
	}
	return n
}

// TestAppendKeyValueAllocs: a pair of a known key and a clean unknown one
// allocate nothing once the buffers have grown.
func TestAppendKeyValueAllocs(t *testing.T) {
	p := defaultEngine(t).NewProcessor()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	buf := make([]byte, 0, 256)
	k1, v1, k2, v2 := []byte("client_ip"), []byte("203.0.113.7"), []byte("trace_id"), []byte("4bf92f3577b34da6")
	if n := testing.AllocsPerRun(100, func() {
		buf, _ = p.AppendKeyValue(buf[:0], k1, v1, now)
		buf, _ = p.AppendKeyValue(buf[:0], k2, v2, now)
	}); n > 0 {
		t.Errorf("%v allocs per run", n)
	}
}
