package rules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules/format"
)

// dockerRecord is the decoded form of a docker json-file record.
type dockerRecord struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// dockerProcessor runs the default rules with format docker.
func dockerProcessor(t *testing.T) *Processor {
	t.Helper()
	cfg, err := LoadConfig("builtin:default")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Format = "docker"
	eng, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	return eng.NewProcessor()
}

func TestDockerRecordsPerLine(t *testing.T) {
	p := dockerProcessor(t)
	at := testTime.Add(-time.Hour)
	rec := func(log, stream string, ts time.Time) string {
		b, _ := json.Marshal(dockerRecord{Log: log, Stream: stream, Time: ts})
		return string(b)
	}
	access := `203.0.113.7 - alice [20/Nov/2026:13:55:36 +0100] "GET /?mail=bob@example.org HTTP/1.1" 200 5 "-" "curl/8"`
	cases := []struct {
		name, line string
		keep       bool
		check      func(t *testing.T, d dockerRecord, res Result)
	}{
		{"access line", rec(access+"\n", "stdout", at), true, func(t *testing.T, d dockerRecord, res Result) {
			if !strings.HasPrefix(d.Log, "203.0.113.0 - ") || !strings.HasSuffix(d.Log, "\n") || d.Stream != "stdout" || !d.Time.Equal(at) {
				t.Errorf("record %+v", d)
			}
			if !res.Time.Equal(time.Date(2026, 11, 20, 12, 55, 36, 0, time.UTC)) {
				t.Errorf("record time %v, want the access line's own", res.Time)
			}
		}},
		{"partial json with quotes", rec(`{"msg":"say \"hi\" to jane@example.com","ip":"198.51.100.9"}`, "stderr", at), true,
			func(t *testing.T, d dockerRecord, res Result) {
				var m map[string]string
				if err := json.Unmarshal([]byte(d.Log), &m); err != nil || m["msg"] == "" || m["ip"] != "198.51.100.0" || strings.HasSuffix(d.Log, "\n") || d.Stream != "stderr" {
					t.Errorf("record %+v (%v)", d, err)
				}
				if !res.Time.Equal(at) {
					t.Errorf("a message without a time takes the runtime's: %v", res.Time)
				}
			}},
		{"past retention", rec("hello 192.0.2.1\n", "stdout", testTime.Add(-8*24*time.Hour)), false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, res := p.Append(nil, []byte(c.line), testTime)
			if (res.Reason == Kept) != c.keep {
				t.Fatalf("reason %v, output %s", res.Reason, out)
			}
			if !c.keep {
				return
			}
			for _, raw := range []string{"alice", "bob@", "jane@", "203.0.113.7", "198.51.100.9"} {
				if strings.Contains(string(out), raw) {
					t.Errorf("raw %q in %s", raw, out)
				}
			}
			var d dockerRecord
			if err := json.Unmarshal(out, &d); err != nil {
				t.Fatalf("output is no JSON record: %v: %s", err, out)
			}
			c.check(t, d, res)
		})
	}
	out, res := p.Append(nil, []byte("not docker: mail eve@example.net"), testTime)
	if res.Reason != Kept || strings.Contains(string(out), "eve@") {
		t.Errorf("a line that is no record must be scrubbed as text: %v %s", res.Reason, out)
	}
}

// TestDockerRealdataRecords runs fluent-bit's real records through the
// docker format at the time they were written.
func TestDockerRealdataRecords(t *testing.T) { // and auto reads them alike
	files, _ := filepath.Glob(filepath.Join(realdataDir, "fluent-bit", "*.log"))
	if len(files) == 0 {
		t.Skipf("no %s/fluent-bit", realdataDir)
	}
	p := dockerProcessor(t)
	cfg, err := LoadConfig("builtin:default")
	if err != nil {
		t.Fatal(err)
	}
	auto, err := Compile(cfg, TestKey) // format auto
	if err != nil {
		t.Fatal(err)
	}
	pa := auto.NewProcessor()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var in dockerRecord
		json.Unmarshal(data, &in)
		line := []byte(strings.TrimSpace(string(data)))
		out, res := p.Append(nil, line, in.Time.Add(time.Hour))
		if outAuto, _ := pa.Append(nil, line, in.Time.Add(time.Hour)); string(outAuto) != string(out) {
			t.Errorf("%s: auto writes\n%s\nformat docker\n%s", filepath.Base(f), outAuto, out)
		}
		var d dockerRecord
		if err := json.Unmarshal(out, &d); err != nil || res.Reason != Kept || !d.Time.Equal(in.Time) || d.Stream != in.Stream {
			t.Fatalf("%s: %v %v %s", filepath.Base(f), err, res.Reason, out)
		}
		for _, raw := range []string{"20.38.166.115", "10.244.0.78", "10.244.1.131"} {
			if strings.Contains(d.Log, raw) {
				t.Errorf("%s: raw %s in %q", filepath.Base(f), raw, d.Log)
			}
		}
	}
}

// TestDockerUnderAuto checks that auto reads a docker json-file record as
// docker does: the message is anonymized by its own format (here an access
// line with a user), not the record as a JSON document of three strings.
func TestDockerUnderAuto(t *testing.T) {
	cfg, err := LoadConfig("builtin:default")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Compile(cfg, TestKey) // format auto
	if err != nil {
		t.Fatal(err)
	}
	p := eng.NewProcessor()
	at := testTime.Add(-time.Hour)
	b, _ := json.Marshal(dockerRecord{Log: `203.0.113.7 - bob [20/Nov/2026:13:55:36 +0100] "GET / HTTP/1.1" 200 5 "-" "curl/8"` + "\n", Stream: "stdout", Time: at})
	out, res := p.Append(nil, b, testTime)
	var d dockerRecord
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatalf("not a docker record: %s (%v)", out, err)
	}
	if strings.Contains(d.Log, "bob") || !strings.HasPrefix(d.Log, "203.0.113.0 - ") || d.Stream != "stdout" || !d.Time.Equal(at) {
		t.Errorf("record %+v", d)
	}
	if res.Reason != Kept || res.Format != format.Combined {
		t.Errorf("result %+v, want kept as combined", res)
	}
	// A JSON record that is no docker record stays JSON.
	out, _ = p.Append(nil, []byte(`{"log":"x","user":"bob"}`), testTime)
	if strings.Contains(string(out), "bob") || !strings.HasPrefix(string(out), `{"log":"x","user":"`) {
		t.Errorf("plain JSON with a log key: %s", out)
	}
}
