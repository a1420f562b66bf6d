package loki

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks"
	"github.com/tarn-project/tarn/sinks/loki/lokitest"
)

// These tests push to a real Loki (sinks/loki/lokitest) what it accepts
// only in part, and check that the sink names exactly the entries Loki
// refused, and that Loki stored the others.

// realSink returns a sink pushing to l. Loki's own too-old limit is 168h;
// the sink is told it is far longer, so that it sends old entries for
// Loki to reject.
func realSink(t *testing.T, l *lokitest.Loki, tenant string) *Sink {
	t.Helper()
	s, err := New(Options{URL: l.PushURL(), TenantID: tenant, RejectOldSamplesMaxAge: 100 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

// at is an entry of stream {job=job} at t with line.
func at(t time.Time, job, line string) sinks.Entry {
	return sinks.Entry{Time: t, Line: []byte(line), Labels: []sinks.Label{{Name: "job", Value: job}}}
}

// rejections returns the rejections of a partial error as index → reason.
func rejections(t *testing.T, err error) map[int]string {
	t.Helper()
	p, ok := sinks.AsPartial(err)
	if !ok {
		t.Fatalf("want a partial acceptance, got %v (permanent %v)", err, sinks.IsPermanent(err))
	}
	out := map[int]string{}
	for _, r := range p.Rejected {
		if _, dup := out[r.Index]; dup {
			t.Fatalf("entry %d rejected twice", r.Index)
		}
		out[r.Index] = r.Reason
	}
	return out
}

// stored returns the lines Loki holds for the query, sorted.
func stored(t *testing.T, l *lokitest.Loki, tenant, query string, n int) []string {
	t.Helper()
	var lines []string
	for _, e := range l.WaitFor(t, tenant, query, time.Time{}, time.Time{}, n, 10*time.Second) {
		lines = append(lines, e.Line)
	}
	slices.Sort(lines)
	return lines
}

// TestLokiPartialValidation: entries the distributor refuses (too old,
// too new, too long, structured metadata too large or too many, a stream
// with a label value too long) are named by index; Loki stores the rest.
func TestLokiPartialValidation(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{MaxLineSize: 100})
	s := realSink(t, l, "")
	now := time.Now().Truncate(time.Second).Add(-time.Minute)
	old := now.Add(-200 * time.Hour)
	odd := `x; y'z"` // the stream selector in Loki's text holds "; ", ' and "
	big := sinks.Entry{Time: now.Add(3 * time.Second), Line: []byte("big metadata"), Labels: []sinks.Label{{Name: "job", Value: odd}},
		Metadata: []sinks.Label{{Name: "blob", Value: strings.Repeat("m", 70_000)}}}
	many := sinks.Entry{Time: now.Add(4 * time.Second), Line: []byte("many metadata"), Labels: []sinks.Label{{Name: "job", Value: "web"}}}
	for i := range 129 {
		many.Metadata = append(many.Metadata, sinks.Label{Name: fmt.Sprintf("k%03d", i), Value: "v"})
	}
	longValue := []sinks.Label{{Name: "job", Value: "web"}, {Name: "path", Value: strings.Repeat("p", 3000)}}
	batch := []sinks.Entry{
		at(now, "web", "ok 0"),  // 0
		at(old, "web", "old 1"), // 1
		at(now.Add(time.Second), "web", strings.Repeat("long 2 ", 20)), // 2
		at(now.Add(time.Second), odd, "ok 3"),                          // 3
		at(now.Add(2*time.Hour), odd, "new 4"),                         // 4
		big,                                                            // 5
		many,                                                           // 6
		at(now.Add(2*time.Second), "web", "ok 7"),                                  // 7
		at(old.Add(300*time.Millisecond), "web", "old 8"),                          // 8: the same second as 1
		{Time: now, Line: []byte("labels 9"), Labels: longValue},                   // 9
		{Time: now.Add(time.Second), Line: []byte("labels 10"), Labels: longValue}, // 10
		at(now.Add(5*time.Second), odd, strings.Repeat("long 11 ", 20)),            // 11
	}
	got := rejections(t, s.Send(context.Background(), &sinks.Batch{ID: "1", Entries: batch}))
	want := map[int]string{1: "too_old", 8: "too_old", 2: "line_too_long", 11: "line_too_long", 4: "too_new",
		5: "structured_metadata", 6: "structured_metadata", 9: "invalid_labels", 10: "invalid_labels"}
	if !maps.Equal(got, want) {
		t.Fatalf("rejected %v\nwant     %v", got, want)
	}
	if lines := stored(t, l, "", `{job=~".+"}`, 3); !slices.Equal(lines, []string{"ok 0", "ok 3", "ok 7"}) {
		t.Fatalf("Loki holds %q, want the accepted entries", lines)
	}
	if r := s.Report().Rejected; r["too_old"] != 2 || r["line_too_long"] != 2 || r["structured_metadata"] != 2 || r["invalid_labels"] != 2 || r["too_new"] != 1 {
		t.Fatalf("counted %v", r)
	}
}

// TestLokiPartialOutOfOrder: entries the ingester ignores for being too
// far behind their stream are named when the request holds only their
// stream; with another stream in the request (whose failures the ingester
// does not report) the batch is rejected as a whole.
func TestLokiPartialOutOfOrder(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{})
	s := realSink(t, l, "")
	now := time.Now().Add(-time.Minute)
	if err := s.Send(context.Background(), &sinks.Batch{ID: "1", Entries: []sinks.Entry{at(now, "ooo", "newest")}}); err != nil {
		t.Fatal(err)
	}
	behind := now.Add(-3 * time.Hour)
	batch := []sinks.Entry{at(behind, "ooo", "behind 0"), at(now.Add(time.Second), "ooo", "ok 1"), at(behind.Add(5), "ooo", "behind 2")}
	got := rejections(t, s.Send(context.Background(), &sinks.Batch{ID: "2", Entries: batch}))
	if want := map[int]string{0: "out_of_order", 2: "out_of_order"}; !maps.Equal(got, want) {
		t.Fatalf("rejected %v, want %v", got, want)
	}
	if lines := stored(t, l, "", `{job="ooo"}`, 2); !slices.Equal(lines, []string{"newest", "ok 1"}) {
		t.Fatalf("Loki holds %q", lines)
	}

	two := []sinks.Entry{at(now, "a", "other stream"), at(behind, "ooo", "behind")}
	if err := s.Send(context.Background(), &sinks.Batch{ID: "3", Entries: two}); !sinks.IsPermanent(err) {
		t.Fatalf("two streams: want a permanent error, got %v", err)
	}
	var many []sinks.Entry // more than Loki lists (max_returned_stream_errors, 10)
	for i := range 12 {
		many = append(many, at(behind.Add(time.Duration(i)), "ooo", fmt.Sprint("behind ", i)))
	}
	if err := s.Send(context.Background(), &sinks.Batch{ID: "4", Entries: many}); !sinks.IsPermanent(err) {
		t.Fatalf("12 ignored, 10 listed: want a permanent error, got %v", err)
	}
	if r := s.Report().Rejected; r["out_of_order"] != 2+1+12 {
		t.Fatalf("counted %v", r)
	}
}

// TestLokiPartialTenants: each tenant's request is answered on its own;
// the rejections of one index into the whole batch.
func TestLokiPartialTenants(t *testing.T) {
	l := lokitest.Start(t, lokitest.Options{MultiTenant: true, MaxLineSize: 100})
	s := realSink(t, l, "main")
	now := time.Now().Add(-time.Minute)
	batch := []sinks.Entry{at(now, "web", "main 0"), at(now, "web", strings.Repeat("x", 200)), at(now, "web", "b 2"),
		at(now.Add(time.Second), "web", "main 3"), at(now, "web", strings.Repeat("y", 300))}
	batch[1].Tenant, batch[2].Tenant, batch[4].Tenant = "b", "b", "c"
	got := rejections(t, s.Send(context.Background(), &sinks.Batch{ID: "1", Entries: batch}))
	if want := map[int]string{1: "line_too_long", 4: "line_too_long"}; !maps.Equal(got, want) {
		t.Fatalf("rejected %v, want %v", got, want)
	}
	if lines := stored(t, l, "main", `{job="web"}`, 2); !slices.Equal(lines, []string{"main 0", "main 3"}) {
		t.Fatalf("tenant main holds %q", lines)
	}
	if lines := stored(t, l, "b", `{job="web"}`, 1); !slices.Equal(lines, []string{"b 2"}) {
		t.Fatalf("tenant b holds %q", lines)
	}
}

// request1 builds the request of entries, all of the default tenant.
func request1(t *testing.T, entries []sinks.Entry) *request {
	t.Helper()
	var g guard
	g.init(-1, nil)
	var e encoder
	reqs := e.build(entries, time.Time{}, &g, "")
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	return &reqs[0]
}

// TestIdentifyCasesLokiTestCannotMake: Loki's texts in cases the test
// Loki is not configured to produce (service discovery on) or produces
// only by chance (a too-old cut-off inside a second), and texts that
// must not be read as identifying every rejected entry.
func TestIdentifyCasesLokiTestCannotMake(t *testing.T) {
	ts := time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)
	batch := []sinks.Entry{at(ts, "web", "a"), at(ts.Add(100*time.Millisecond), "web", "b"), at(ts, "api", "c")}
	tooOld := func(sel string, n int) string {
		return fmt.Sprintf("%d errors like: entry for stream '%s' has timestamp too old: 2026-11-20T15:00:00+01:00, oldest acceptable timestamp is: 2026-11-20T14:00:01Z", n, sel)
	}
	for _, tc := range []struct {
		name string
		msg  string
		want map[int]string // nil: not identified
	}{
		{"ServiceNameAdded", tooOld(`{job="web", service_name="web"}`, 2), map[int]string{0: "too_old", 1: "too_old"}},
		{"Exact", tooOld(`{job="api"}`, 1), map[int]string{2: "too_old"}},
		{"CutoffInsideASecond", tooOld(`{job="web"}`, 1), nil},
		{"UnknownStream", tooOld(`{job="db"}`, 1), nil},
		{"OtherLabelAdded", tooOld(`{job="web", zone="x"}`, 2), nil},
		{"UnknownMessage", tooOld(`{job="api"}`, 1) + "; something else about {job=\"web\"}", nil},
		{"TwoMessages", tooOld(`{job="api"}`, 1) + "; " + tooOld(`{job="web"}`, 2), map[int]string{0: "too_old", 1: "too_old", 2: "too_old"}},
		{"Truncated", tooOld(`{job="api"}`, 1)[:60], nil},
		{"Empty", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rej, ok := identify(tc.msg, request1(t, batch))
			if tc.want == nil {
				if ok {
					t.Fatalf("identified %v", rej)
				}
				return
			}
			got := map[int]string{}
			for _, r := range rej {
				got[r.Index] = r.Reason
			}
			if !ok || !maps.Equal(got, tc.want) {
				t.Fatalf("identified %v (%v), want %v", got, ok, tc.want)
			}
		})
	}
}

// TestIdentifyPrefersExactStream: when Loki's selector names one of the
// request's streams exactly and another with service_name added, it is
// the exact one.
func TestIdentifyPrefersExactStream(t *testing.T) {
	ts := time.Date(2026, 11, 20, 14, 0, 0, 0, time.UTC)
	withService := at(ts, "web", "b")
	withService.Labels = append(withService.Labels, sinks.Label{Name: "service_name", Value: "shop"})
	r := request1(t, []sinks.Entry{at(ts, "web", "a"), withService})
	msg := "entry for stream '{job=\"web\", service_name=\"shop\"}' has timestamp too new: 2026-11-20T14:00:00Z"
	if rej, ok := identify(msg, r); !ok || len(rej) != 1 || rej[0].Index != 1 {
		t.Fatalf("identified %v, %v; want entry 1", rej, ok)
	}
}
