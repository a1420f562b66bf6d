package lokitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// value is one entry of a push request: [ts, line, metadata].
type value struct {
	ts       time.Time
	line     string
	metadata map[string]string
}

// pushBody renders a JSON push request with one stream.
func pushBody(t *testing.T, labels map[string]string, values ...value) []byte {
	t.Helper()
	vs := make([][]any, len(values))
	for i, v := range values {
		vs[i] = []any{fmt.Sprint(v.ts.UnixNano()), v.line}
		if v.metadata != nil {
			vs[i] = append(vs[i], v.metadata)
		}
	}
	body, err := json.Marshal(map[string]any{
		"streams": []any{map[string]any{"stream": labels, "values": vs}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// mustPush pushes and requires 204 No Content.
func mustPush(t *testing.T, l *Loki, tenant string, body []byte) {
	t.Helper()
	if status, resp := l.Push(t, tenant, body); status != http.StatusNoContent {
		t.Fatalf("push: status %d: %s", status, resp)
	}
}

func TestPushQueryRestart(t *testing.T) {
	l := Start(t, Options{})
	now := time.Now().Truncate(time.Millisecond)
	mustPush(t, l, "", pushBody(t, map[string]string{"job": "x"},
		value{now.Add(-3 * time.Second), "first line", map[string]string{"client": "abc"}},
		value{now.Add(-2 * time.Second), `second "line" <b>`, nil},
		value{now.Add(-time.Second), "third line", map[string]string{"client": "def", "user": "u1"}},
	))
	want := []Entry{
		{Labels: map[string]string{"job": "x"}, Time: now.Add(-3 * time.Second), Line: "first line", Metadata: map[string]string{"client": "abc"}},
		{Labels: map[string]string{"job": "x"}, Time: now.Add(-2 * time.Second), Line: `second "line" <b>`},
		{Labels: map[string]string{"job": "x"}, Time: now.Add(-time.Second), Line: "third line", Metadata: map[string]string{"client": "def", "user": "u1"}},
	}
	got := l.WaitFor(t, "", `{job="x"}`, now.Add(-time.Minute), now.Add(time.Minute), 3, 10*time.Second)
	checkEntries(t, got, want)

	got = l.Query(t, "", `{job="x"} | client="abc"`, now.Add(-time.Minute), now.Add(time.Minute))
	checkEntries(t, got, want[:1])

	l.Restart(t)
	got = l.Query(t, "", `{job="x"}`, now.Add(-time.Minute), now.Add(time.Minute))
	checkEntries(t, got, want)

	// A crash loses nothing acknowledged either: the WAL is replayed.
	mustPush(t, l, "", pushBody(t, map[string]string{"job": "x"}, value{now, "after restart", nil}))
	l.Kill(t)
	l.Restart(t)
	want = append(want, Entry{Labels: map[string]string{"job": "x"}, Time: now, Line: "after restart"})
	got = l.Query(t, "", `{job="x"}`, now.Add(-time.Minute), now.Add(time.Minute))
	checkEntries(t, got, want)
}

// checkEntries compares entries field by field, times with Equal.
func checkEntries(t *testing.T, got, want []Entry) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.Time.Equal(w.Time) || g.Line != w.Line || !reflect.DeepEqual(g.Labels, w.Labels) ||
			!reflect.DeepEqual(g.Metadata, w.Metadata) {
			t.Errorf("entry %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestMultiTenant(t *testing.T) {
	l := Start(t, Options{MultiTenant: true})
	now := time.Now()
	mustPush(t, l, "a", pushBody(t, map[string]string{"job": "x"},
		value{now.Add(-2 * time.Second), "one", nil},
		value{now.Add(-time.Second), "two", nil},
	))
	if status, resp := l.Push(t, "", pushBody(t, map[string]string{"job": "x"}, value{now, "anon", nil})); status != http.StatusUnauthorized {
		t.Errorf("push without tenant: status %d (%s), want 401", status, resp)
	}
	from, to := now.Add(-time.Minute), now.Add(time.Minute)
	l.WaitFor(t, "a", `{job="x"}`, from, to, 2, 10*time.Second)
	if got := l.Query(t, "b", `{job="x"}`, from, to); len(got) != 0 {
		t.Errorf("tenant b sees %d entries of tenant a", len(got))
	}
}

// TestPagingAcrossSharedTimestamps pushes more than a page of entries,
// several of them sharing the timestamp at the page boundary.
func TestPagingAcrossSharedTimestamps(t *testing.T) {
	l := Start(t, Options{})
	base := time.Now().Add(-time.Hour).Truncate(time.Second)
	var a, b []value
	for i := range pageLimit - 2 {
		a = append(a, value{ts: base.Add(time.Duration(i) * time.Millisecond), line: fmt.Sprint("a", i)})
	}
	shared := base.Add(time.Duration(pageLimit) * time.Millisecond)
	for i := range 5 { // entries 4998..5007 share one timestamp
		a = append(a, value{ts: shared, line: fmt.Sprint("a-shared", i)})
		b = append(b, value{ts: shared, line: fmt.Sprint("b-shared", i)})
	}
	b = append(b, value{ts: shared.Add(time.Millisecond), line: "b-last"})
	mustPush(t, l, "", pushBody(t, map[string]string{"job": "a"}, a...))
	mustPush(t, l, "", pushBody(t, map[string]string{"job": "b"}, b...))

	want := len(a) + len(b)
	got := l.WaitFor(t, "", `{job=~"a|b"}`, base, shared.Add(time.Second), want, 10*time.Second)
	if len(got) != want {
		t.Fatalf("got %d entries, want %d", len(got), want)
	}
	lines := map[string]bool{}
	for i, e := range got {
		if lines[e.Line] {
			t.Errorf("entry %q returned twice", e.Line)
		}
		lines[e.Line] = true
		if i > 0 && e.Time.Before(got[i-1].Time) {
			t.Errorf("entry %d out of order", i)
		}
	}
	if got[len(got)-1].Line != "b-last" {
		t.Errorf("last entry %q, want b-last", got[len(got)-1].Line)
	}
}

// TestLimits records the status codes Loki answers when a tenant is over
// its rate or sends a line over max_line_size.
func TestLimits(t *testing.T) {
	l := Start(t, Options{IngestionRateMB: 0.001, IngestionBurstMB: 0.01, MaxLineSize: 100})
	now := time.Now()
	status, resp := l.Push(t, "", pushBody(t, map[string]string{"job": "x"}, value{now, strings.Repeat("x", 200), nil}))
	if status != http.StatusBadRequest {
		t.Errorf("line over max_line_size: status %d (%s), want 400", status, resp)
	}
	t.Logf("line over max_line_size: %d %s", status, strings.TrimSpace(resp))

	var big []value
	for i := range 200 {
		big = append(big, value{now.Add(time.Duration(i)), fmt.Sprintf("%090d", i), nil})
	}
	status, resp = l.Push(t, "", pushBody(t, map[string]string{"job": "x"}, big...))
	if status != http.StatusTooManyRequests {
		t.Errorf("push over burst: status %d (%s), want 429", status, resp)
	}
	t.Logf("push over burst: %d %s", status, strings.TrimSpace(resp))
	if m := l.Metrics(t); !strings.Contains(m, "loki_discarded_samples_total") {
		t.Errorf("metrics lack loki_discarded_samples_total")
	}
}

func TestDecodeValueWithCategories(t *testing.T) {
	var v []json.RawMessage
	raw := `["1700000000000000001","l",{"structuredMetadata":{"k":"v"},"parsed":{"p":"q"}}]`
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		t.Fatal(err)
	}
	e, err := decodeValue(v)
	if err != nil {
		t.Fatal(err)
	}
	if e.Time.UnixNano() != 1700000000000000001 || e.Line != "l" ||
		e.Metadata["k"] != "v" || e.Parsed["p"] != "q" {
		t.Errorf("decoded %+v", e)
	}
}
