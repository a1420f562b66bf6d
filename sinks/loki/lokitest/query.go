package lokitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pageLimit is the number of entries asked for per query_range call; it
// is Loki's default max_entries_limit_per_query.
const pageLimit = 5000

// Entry is one log entry read back from Loki.
type Entry struct {
	// Labels are the entry's stream labels (without structured metadata).
	Labels map[string]string
	// Time is the entry's timestamp.
	Time time.Time
	// Line is the log line.
	Line string
	// Metadata is the entry's structured metadata; nil when it has none.
	Metadata map[string]string
	// Parsed holds labels extracted by parser stages of the query (such
	// as | json); nil when there are none.
	Parsed map[string]string
}

// Query runs the LogQL log query over [start, end) as tenant (no
// X-Scope-OrgID header when empty) and returns all matching entries in
// timestamp order, paging through Loki's per-request limit. A zero end
// means one minute from now, a zero start one week before end. Any
// answer but 200 fails the test.
func (l *Loki) Query(t testing.TB, tenant, logql string, start, end time.Time) []Entry {
	t.Helper()
	entries, err := l.query(tenant, logql, start, end)
	if err != nil {
		t.Fatalf("query loki %q as tenant %q: %v", logql, tenant, err)
	}
	return entries
}

// WaitFor polls Query until it returns at least n entries and returns
// them; after timeout it fails the test, naming how many it found.
func (l *Loki) WaitFor(t testing.TB, tenant, logql string, start, end time.Time, n int, timeout time.Duration) []Entry {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		entries := l.Query(t, tenant, logql, start, end)
		if len(entries) >= n {
			return entries
		}
		if time.Now().After(deadline) {
			t.Fatalf("query loki %q as tenant %q: found %d entries after %s, want at least %d",
				logql, tenant, len(entries), timeout, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// query pages forward through the range. Each page starts at the last
// timestamp of the previous one, since entries sharing that timestamp may
// be split across pages; the ones already seen there are skipped.
func (l *Loki) query(tenant, logql string, start, end time.Time) ([]Entry, error) {
	if end.IsZero() {
		end = time.Now().Add(time.Minute)
	}
	if start.IsZero() {
		start = end.Add(-7 * 24 * time.Hour)
	}
	var all []Entry
	seen := map[string]int{} // identities of the entries at start already returned
	for {
		page, err := l.queryPage(tenant, logql, start, end)
		if err != nil {
			return nil, err
		}
		fresh := skipSeen(page, start, seen)
		all = append(all, fresh...)
		if len(page) < pageLimit {
			return all, nil
		}
		last := page[len(page)-1].Time
		if last.Equal(start) {
			return nil, fmt.Errorf("more than %d entries share timestamp %s; cannot page past them",
				pageLimit, last.Format(time.RFC3339Nano))
		}
		seen = map[string]int{}
		for _, e := range fresh {
			if e.Time.Equal(last) {
				seen[identity(e)]++
			}
		}
		start = last
	}
}

// skipSeen drops from page the entries at timestamp at that were already
// returned, counted in seen (which it consumes).
func skipSeen(page []Entry, at time.Time, seen map[string]int) []Entry {
	if len(seen) == 0 {
		return page
	}
	fresh := page[:0:0]
	for _, e := range page {
		if id := identity(e); e.Time.Equal(at) && seen[id] > 0 {
			seen[id]--
			continue
		}
		fresh = append(fresh, e)
	}
	return fresh
}

// identity keys an entry by everything Loki returns for it.
func identity(e Entry) string {
	return fmt.Sprint(e.Time.UnixNano(), e.Labels, e.Line, e.Metadata, e.Parsed)
}

// queryPage makes one query_range call and returns its entries sorted by
// time (streams are interleaved; ties keep Loki's order).
func (l *Loki) queryPage(tenant, logql string, start, end time.Time) ([]Entry, error) {
	q := url.Values{
		"query":     {logql},
		"start":     {strconv.FormatInt(start.UnixNano(), 10)},
		"end":       {strconv.FormatInt(end.UnixNano(), 10)},
		"limit":     {strconv.Itoa(pageLimit)},
		"direction": {"forward"},
	}
	status, body, err := do(l.client, http.MethodGet, l.URL()+"/loki/api/v1/query_range?"+q.Encode(), tenant, nil,
		http.Header{"X-Loki-Response-Encoding-Flags": {"categorize-labels"}})
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", status, strings.TrimSpace(string(body)))
	}
	entries, err := decodeStreams(body)
	if err != nil {
		return nil, fmt.Errorf("%w in response %.500s", err, body)
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Time.Before(entries[j].Time) })
	return entries, nil
}

// queryResponse is the part of a query_range answer that Query reads.
type queryResponse struct {
	Data struct {
		ResultType string `json:"resultType"`
		Result     []struct {
			Stream map[string]string   `json:"stream"`
			Values [][]json.RawMessage `json:"values"`
		} `json:"result"`
	} `json:"data"`
}

// categories is the third element of a value when the categorize-labels
// encoding flag is set.
type categories struct {
	StructuredMetadata map[string]string `json:"structuredMetadata"`
	Parsed             map[string]string `json:"parsed"`
}

// decodeStreams turns a query_range answer of type streams into entries.
func decodeStreams(body []byte) ([]Entry, error) {
	var r queryResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, err
	}
	if r.Data.ResultType != "streams" {
		return nil, fmt.Errorf("result type %q, want streams (is it a log query?)", r.Data.ResultType)
	}
	var entries []Entry
	for _, s := range r.Data.Result {
		for _, v := range s.Values {
			e, err := decodeValue(v)
			if err != nil {
				return nil, err
			}
			e.Labels = s.Stream
			entries = append(entries, e)
		}
	}
	return entries, nil
}

// decodeValue decodes ["<unix ns>", "line", {categories}].
func decodeValue(v []json.RawMessage) (Entry, error) {
	var e Entry
	if len(v) < 2 || len(v) > 3 {
		return e, fmt.Errorf("value with %d elements", len(v))
	}
	var ts string
	if err := json.Unmarshal(v[0], &ts); err != nil {
		return e, fmt.Errorf("timestamp: %w", err)
	}
	ns, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return e, fmt.Errorf("timestamp: %w", err)
	}
	e.Time = time.Unix(0, ns)
	if err := json.Unmarshal(v[1], &e.Line); err != nil {
		return e, fmt.Errorf("line: %w", err)
	}
	if len(v) == 3 {
		var c categories
		if err := json.Unmarshal(v[2], &c); err != nil {
			return e, fmt.Errorf("label categories: %w", err)
		}
		e.Metadata, e.Parsed = nonEmpty(c.StructuredMetadata), nonEmpty(c.Parsed)
	}
	return e, nil
}

// nonEmpty returns m, or nil if it has no entries.
func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}
