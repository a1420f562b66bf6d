package lokipush

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang/snappy"
	"github.com/grafana/loki/pkg/push"
)

// allocated returns the bytes f allocated (runtime.MemStats.TotalAlloc),
// for bounds far from the values the bugs produced.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// reasons collects what Options.Rejected is called with.
type reasons struct {
	mu  sync.Mutex
	got []string
}

func (r *reasons) add(reason string) {
	r.mu.Lock()
	r.got = append(r.got, reason)
	r.mu.Unlock()
}

func (r *reasons) list() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.got...)
}

// TestBodyBufferGrowsWithWhatArrived: a request claiming a 16 MiB body
// that sends 1 KiB costs about 1 KiB, not 16 MiB (150 such idle
// connections took the process to 2.3 GB).
func TestBodyBufferGrowsWithWhatArrived(t *testing.T) {
	h := NewHandler(Options{Push: (&recorder{}).push})
	n := allocated(func() {
		r := httptest.NewRequest(http.MethodPost, PushPath, bytes.NewReader(make([]byte, 1024)))
		r.ContentLength = 16 << 20
		r.Header.Set("Content-Type", ctProto)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusBadRequest {
			t.Errorf("answered %d, want 400 for the short body", w.Code)
		}
	})
	if n > 1<<20 {
		t.Fatalf("a request claiming 16 MiB and sending 1 KiB allocated %d bytes", n)
	}
}

// TestSlowBodyClosedAfterReadTimeout: a client that sends its body too
// slowly gets 408 and its connection closed after ReadTimeout.
func TestSlowBodyClosedAfterReadTimeout(t *testing.T) {
	var rs reasons
	url, _ := server(t, Options{Push: (&recorder{}).push, ReadTimeout: 100 * time.Millisecond, Rejected: rs.add})
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: 1000\r\n\r\n0123456789", PushPath, ctProto)
	c.SetReadDeadline(time.Now().Add(30 * time.Second)) // a safety net, far beyond the timeout
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer to the slow body: %v", err)
	}
	rest, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestTimeout || err != nil {
		t.Fatalf("answered %d (%v), want 408", resp.StatusCode, err)
	}
	if _, err := c.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("connection not closed after the timeout (%q): %v", rest, err)
	}
	if got := rs.list(); len(got) != 1 || got[0] != ReasonReadTimeout {
		t.Errorf("rejections %v, want [%s]", got, ReasonReadTimeout)
	}
}

// TestConcurrentRequestsLimited: beyond MaxConcurrent requests in
// flight, the answer is 429 with Retry-After at once; a freed slot is
// taken again.
func TestConcurrentRequestsLimited(t *testing.T) {
	var rs reasons
	called, release := make(chan struct{}, 2), make(chan struct{})
	url, _ := server(t, Options{MaxConcurrent: 2, Rejected: rs.add, Push: func(context.Context, string, []Stream) error {
		called <- struct{}{}
		<-release
		return nil
	}})
	done := make(chan reply, 2)
	for range 2 {
		go func() { done <- postProto(t, url) }()
	}
	<-called
	<-called
	if r := postProto(t, url); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("third request answered %d (Retry-After %q), want 429 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
	close(release)
	for range 2 {
		if r := <-done; r.status != http.StatusNoContent {
			t.Fatalf("request in a slot answered %d", r.status)
		}
	}
	if r := postProto(t, url); r.status != http.StatusNoContent {
		t.Fatalf("request after the slots were freed answered %d", r.status)
	}
	if got := rs.list(); len(got) != 1 || got[0] != ReasonTooManyRequests {
		t.Errorf("rejections %v, want [%s]", got, ReasonTooManyRequests)
	}
}

// hostileProto is a snappy block of a push.PushRequest of one stream with
// n empty entries, each with pairs metadata pairs, written field by field
// (an empty entry is 0x12 0x00): 8 M entries fit in 750 KB.
func hostileProto(n, pairs int) []byte {
	labels := `{a="b"}`
	stream := append([]byte{0x0a, byte(len(labels))}, labels...)
	var md []byte
	for range pairs {
		md = append(md, 0x1a, 5, 0x0a, 1, 'k', 0x12, 0) // structuredMetadata {k: ""}
	}
	entry := append(append([]byte{0x12}, binary.AppendUvarint(nil, uint64(len(md)))...), md...)
	for range n {
		stream = append(stream, entry...)
	}
	req := append([]byte{0x0a}, binary.AppendUvarint(nil, uint64(len(stream)))...)
	return snappy.Encode(nil, append(req, stream...))
}

// TestHostileRequestsRejectedEarly: small bodies that claim millions of
// entries or metadata pairs are refused before they are decoded, without
// big allocations (a 750 KB protobuf of 8 M empty entries became 4.3 GB).
func TestHostileRequestsRejectedEarly(t *testing.T) {
	emptyJSON := func(n int) []byte {
		return []byte(`{"streams":[{"stream":{"a":"b"},"values":[` + strings.Repeat(`["1",""],`, n-1) + `["1",""]]}]}`)
	}
	legacy := func(n int) []byte {
		return []byte(`{"streams":[{"labels":"{a=\"b\"}","entries":[` + strings.Repeat(`{},`, n-1) + `{}]}]}`)
	}
	meta := `["1","",{` + strings.Repeat(`"k":"",`, 99) + `"k":""}]`
	metaJSON := []byte(`{"streams":[{"stream":{"a":"b"},"values":[` + strings.Repeat(meta+",", 4999) + meta + `]}]}`)
	tests := []struct {
		name   string
		ct, ce string
		body   []byte
		l      Limits
		want   error
		legacy bool
	}{
		{name: "protobuf 8M empty entries", ct: ctProto, body: hostileProto(8_000_000, 0), want: ErrTooManyEntries},
		{name: "protobuf 500k empty entries", ct: ctProto, body: hostileProto(500_000, 0), want: ErrTooManyEntries},
		{name: "protobuf metadata pairs", ct: ctProto, body: hostileProto(50_000, 40), want: ErrDecodedTooLarge},
		{name: "protobuf over a low limit", ct: ctProto, body: hostileProto(11, 0), l: Limits{MaxEntries: 10}, want: ErrTooManyEntries},
		{name: "json 1M empty entries gzip", ct: ctJSON, ce: "gzip", body: gzipBytes(t, emptyJSON(1_000_000)), want: ErrTooManyEntries},
		{name: "json metadata pairs", ct: ctJSON, ce: "gzip", body: gzipBytes(t, metaJSON), l: Limits{MaxDecodedBytes: 16 << 20}, want: ErrDecodedTooLarge},
		{name: "json 2M empty streams", ct: ctJSON, ce: "gzip", body: gzipBytes(t, []byte(`{"streams":[`+strings.Repeat(`{},`, 2_000_000)+`{}]}`)), want: ErrDecodedTooLarge},
		{name: "legacy 1M empty entries", ct: ctJSON, ce: "gzip", body: gzipBytes(t, legacy(1_000_000)), want: ErrTooManyEntries, legacy: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			decode := DecodeLimits
			if tt.legacy {
				decode = DecodeLegacyLimits
			}
			var err error
			n := allocated(func() { _, err = decode(tt.ct, tt.ce, tt.body, tt.l) })
			if !errors.Is(err, tt.want) || !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%d-byte body: error %v, want %v", len(tt.body), err, tt.want)
			}
			if n > 48<<20 {
				t.Errorf("%d-byte body allocated %d bytes before it was refused", len(tt.body), n)
			}
		})
	}
}

// TestLimitsLetRealRequestsThrough: the default limits accept a request
// at the limits and a full-size body of ordinary lines.
func TestLimitsLetRealRequestsThrough(t *testing.T) {
	if s, err := DecodeLimits(ctProto, "", hostileProto(DefaultMaxEntries, 0), Limits{}); err != nil || countEntries(s) != DefaultMaxEntries {
		t.Fatalf("%d entries: %d decoded, %v", DefaultMaxEntries, countEntries(s), err)
	}
	var st push.Stream
	st.Labels = `{job="nginx"}`
	line := strings.Repeat("x", 160)
	for len(st.Entries)*(len(line)+48) < 14<<20 {
		st.Entries = append(st.Entries, push.Entry{Timestamp: time.Unix(1700000000, 0), Line: line,
			StructuredMetadata: push.LabelsAdapter{{Name: "trace_id", Value: "0123456789abcdef"}}})
	}
	if s, err := DecodeLimits(ctProto, "", protoBody(t, st), Limits{}); err != nil || countEntries(s) != len(st.Entries) {
		t.Fatalf("14 MiB of 160-byte lines: %d decoded, %v", countEntries(s), err)
	}
}

// TestHandlerCountsRejections: every answer other than 204 is reported
// with its reason, and limits are answered 413.
func TestHandlerCountsRejections(t *testing.T) {
	var rs reasons
	url, _ := server(t, Options{BearerToken: "s3cret", MaxEntries: 10, Rejected: rs.add, Push: (&recorder{}).push})
	auth := []string{"Authorization", "Bearer s3cret", "Content-Type", ctProto}
	checks := []struct {
		status int
		r      reply
	}{
		{http.StatusUnauthorized, postProto(t, url)},
		{http.StatusRequestEntityTooLarge, do(t, http.MethodPost, url+PushPath, bytes.NewReader(hostileProto(11, 0)), auth...)},
		{http.StatusBadRequest, do(t, http.MethodPost, url+PushPath, strings.NewReader("garbage"), auth...)},
		{http.StatusNoContent, postProto(t, url, auth[:2]...)},
	}
	for i, c := range checks {
		if c.r.status != c.status {
			t.Errorf("request %d answered %d, want %d", i, c.r.status, c.status)
		}
	}
	want := []string{ReasonUnauthorized, ReasonTooManyEntries, ReasonInvalid}
	if got := rs.list(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rejections %v, want %v", got, want)
	}
}
