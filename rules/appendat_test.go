package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/pseudo"
)

// TestWrittenTimeDecidesPseudonymsAndRetention processes lines without a
// time of their own that were written before midnight and read after it:
// given by AppendAt or by a CRI prefix, the written time is the record's
// time, its pseudonyms are that day's, and past retention it is dropped.
func TestWrittenTimeDecidesPseudonymsAndRetention(t *testing.T) {
	eng := defaultEngine(t)
	p := eng.NewProcessor()
	written := time.Date(2026, 11, 19, 23, 59, 59, 0, time.UTC)
	now := written.Add(time.Minute)
	want, _ := Pseudonym(TestKey, pseudo.Daily, written, []byte("alice"), 16)
	msg := `level=info user=alice msg=login`
	cri := written.Format(time.RFC3339Nano) + " stdout F " + msg
	for _, c := range []struct {
		name string
		run  func(at time.Time) ([]byte, Result)
	}{
		{"AppendAt", func(at time.Time) ([]byte, Result) { return p.AppendAt(nil, []byte(msg), format.Logfmt, written, at) }},
		{"cri prefix", func(at time.Time) ([]byte, Result) { return p.AppendAs(nil, []byte(cri), format.CRI, at) }},
	} {
		out, res := c.run(now)
		if res.Reason != Kept || !res.Time.Equal(written) || !strings.Contains(string(out), "user="+want) {
			t.Errorf("%s: %v %v %s, want the pseudonym of %s's day %s", c.name, res.Reason, res.Time, out, written, want)
		}
		if _, res := c.run(written.Add(8 * 24 * time.Hour)); res.Reason != DropTooOld {
			t.Errorf("%s: a line written 8 days ago was %v", c.name, res.Reason)
		}
	}
	// The time was only for that line: the next one is read at now.
	if _, res := p.AppendAs(nil, []byte(msg), format.Logfmt, now); !res.Time.Equal(now) {
		t.Errorf("AppendAt's time leaked into the next line: %v", res.Time)
	}
}
