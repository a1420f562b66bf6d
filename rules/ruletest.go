package rules

import (
	"fmt"
	"time"

	"github.com/tarn-project/tarn/rules/format"
)

// TestKey is the fixed pseudonym key the tests of a rules file run with, so
// that their expected pseudonyms are stable. It is public: never use it to
// anonymize real data.
var TestKey = []byte("tarn-rules-test-key-not-a-secret")

// testEpoch is the processing time of a test whose line has no time and
// that sets no "now".
var testEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// TestFailure describes one test case of a rules file that failed.
type TestFailure struct {
	// Index is the case's position in tests.
	Index int
	// Name is the case's name.
	Name string
	// Want and Got are the expected and actual output ("(dropped: reason)"
	// for a dropped record).
	Want, Got string
}

// Error describes the failure; it quotes test data, which the rule set's
// author wrote, never production data.
func (f TestFailure) Error() string {
	return fmt.Sprintf("tests[%d] %s:\n  want: %s\n  got:  %s", f.Index, f.Name, f.Want, f.Got)
}

// RunTests runs the test cases of the engine's rules file and returns the
// failures. The engine should be compiled with TestKey.
func (e *Engine) RunTests() []TestFailure {
	var fails []TestFailure
	p := e.NewProcessor()
	for i, t := range e.cfg.Tests {
		f := e.format
		if t.Format != "" {
			f, _ = format.ParseFormat(t.Format)
		}
		now := testNow(t, f, e.timeKeys)
		out, res := p.AppendAs(nil, []byte(t.Input), f, now)
		got := string(out)
		if res.Reason != Kept {
			got = "(dropped: " + res.Reason.String() + ")"
		}
		want := t.Expected
		if t.Dropped {
			want = "(dropped: …)"
			if res.Reason != Kept {
				continue
			}
		}
		if got != want {
			fails = append(fails, TestFailure{Index: i, Name: t.Name, Want: want, Got: got})
		}
	}
	return fails
}

// testNow is a case's processing time: its "now", else its record's own
// time, else a fixed date.
func testNow(t Test, f format.Format, keys [][]byte) time.Time {
	if t.Now != "" {
		now, _ := time.Parse(time.RFC3339, t.Now)
		return now
	}
	var rec format.Record
	if format.Parse(f, []byte(t.Input), keys, &rec) {
		if ts, ok := rec.RecordTime(); ok {
			return ts
		}
	}
	return testEpoch
}
