package s3

import (
	"strings"
	"testing"
	"time"
)

func TestLayoutKeyAndStart(t *testing.T) {
	l, err := parseLayout("/logs/web/", DefaultKey)
	if err != nil {
		t.Fatal(err)
	}
	l.forSink("archive")
	at := time.Date(2026, 12, 3, 9, 41, 7, 5, time.FixedZone("CET", 3600))
	v := keyVars{tenant: "acme", node: "node-1", sink: "archive", batch: "00000001764754000000000-0-0", ext: ".gz", start: l.partition(at)}
	key := l.key(v)
	want := "logs/web/tenant=acme/dt=2026-12-03/hour=08/node-1-archive-00000001764754000000000-0-0.ndjson.gz"
	if key != want {
		t.Fatalf("key %q, want %q", key, want)
	}
	if l.static != "logs/web/tenant=" {
		t.Fatalf("static prefix %q", l.static)
	}
	start, ok := l.start(key)
	if !ok || !start.Equal(time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("start of %q: %v %v", key, start, ok)
	}
	for _, foreign := range []string{
		"logs/web/tenant=acme/dt=2026-12-03/hour=08/notes.txt",
		"logs/web/tenant=acme/dt=2026-13-03/hour=08/node-1-archive-1-0-0.ndjson.gz",
		"logs/web/tenant=a/b/dt=2026-12-03/hour=08/node-1-archive-1-0-0.ndjson.gz",
		"other/tenant=acme/dt=2026-12-03/hour=08/node-1-archive-1-0-0.ndjson.gz",
		"logs/web/tenant=acme/dt=2026-12-03/hour=08/node-1-backup-1-0-0.ndjson.gz", // another sink's
	} {
		if _, ok := l.start(foreign); ok {
			t.Errorf("start(%q) matched a key the layout did not write", foreign)
		}
	}
}

func TestLayoutDaily(t *testing.T) {
	l, err := parseLayout("", "{tenant}/{date}/{sink}/{node}/{batch}.json{ext}")
	if err != nil {
		t.Fatal(err)
	}
	l.forSink("s")
	at := time.Date(2026, 12, 3, 23, 59, 0, 0, time.UTC)
	key := l.key(keyVars{tenant: "t", node: "n", sink: "s", batch: "1-2-3", ext: ".zst", start: l.partition(at)})
	if key != "t/2026-12-03/s/n/1-2-3.json.zst" {
		t.Fatalf("key %q", key)
	}
	if s, ok := l.start(key); !ok || !s.Equal(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("start %v %v", s, ok)
	}
}

func TestLayoutErrors(t *testing.T) {
	for key, want := range map[string]string{
		"dt={date}/{node}-{sink}-{batch}": "{tenant}",
		"{tenant}/{node}-{sink}-{batch}":  "{date}",
		"{tenant}/{date}/{sink}-{batch}":  "{node}",
		"{tenant}/{date}/{node}-{batch}":  "{sink}",
		"{tenant}/{date}/{node}-{sink}":   "{batch}",
		"{tenant}/{date}/{batch}{x}":      "unknown placeholder {x}",
		"{tenant}/{date}/{batch":          "without '}'",
		"{tenant}/{date}/{date}/{batch}":  "twice",
		"/{tenant}/{date}/{batch}":        "starts with no '/'",
		"{tenant}//{date}/{batch}":        "empty path element",
	} {
		_, err := parseLayout("p", key)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseLayout(%q) = %v, want an error with %q", key, err, want)
		}
	}
}

func TestSafeName(t *testing.T) {
	if got := safeName("ip-10-0-0-1.eu/west 1"); got != "ip-10-0-0-1.eu_west_1" {
		t.Fatalf("safeName: %q", got)
	}
	if safeName("") != "_" {
		t.Fatal("empty name")
	}
}
