package corpus

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"sort"
	"strings"
	"testing"
	"time"
)

var kinds = []Kind{Combined, VhostCombined, JSON}

// generate returns n lines of kind k for seed.
func generate(t testing.TB, k Kind, seed int64, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	written, err := New(Options{Kind: k, Seed: seed}).WriteN(&buf, n)
	if err != nil {
		t.Fatalf("WriteN: %v", err)
	}
	if written != int64(buf.Len()) {
		t.Fatalf("WriteN reported %d bytes, wrote %d", written, buf.Len())
	}
	return buf.Bytes()
}

// lines splits out into lines without their '\n'; it fails when out does
// not end in '\n'.
func lines(t testing.TB, out []byte) [][]byte {
	t.Helper()
	if len(out) == 0 || out[len(out)-1] != '\n' {
		t.Fatal("output does not end with a newline")
	}
	return bytes.Split(out[:len(out)-1], []byte{'\n'})
}

func TestDeterminism(t *testing.T) {
	for _, k := range kinds {
		a, b := generate(t, k, 42, 2000), generate(t, k, 42, 2000)
		if !bytes.Equal(a, b) {
			t.Errorf("%v: same seed gave different output", k)
		}
		if c := generate(t, k, 43, 2000); bytes.Equal(a, c) {
			t.Errorf("%v: different seeds gave the same output", k)
		}
	}
}

func TestAppendLineMatchesWriteN(t *testing.T) {
	g := New(Options{Kind: Combined, Seed: 7})
	var want []byte
	for i := 0; i < 100; i++ {
		want = g.AppendLine(want)
	}
	if got := generate(t, Combined, 7, 100); !bytes.Equal(got, want) {
		t.Fatal("AppendLine and WriteN disagree")
	}
}

func TestLineCountAndLength(t *testing.T) {
	const n = 20000
	for _, k := range kinds {
		out := generate(t, k, 1, n)
		ls := lines(t, out)
		if len(ls) != n {
			t.Errorf("%v: %d lines, want %d", k, len(ls), n)
		}
		avg := float64(len(out)) / n
		if avg < 200 || avg > 300 {
			t.Errorf("%v: average line length %.0f, want 200..300", k, avg)
		}
		t.Logf("%v: average line length %.0f bytes", k, avg)
	}
}

// fields splits a combined line into fields: a quoted string or a
// bracketed time is one field.
func fields(line []byte) ([]string, bool) {
	var out []string
	for i := 0; i < len(line); {
		if line[i] == ' ' {
			i++
			continue
		}
		end := byte(' ')
		start := i
		switch line[i] {
		case '"':
			end, start = '"', i+1
		case '[':
			end, start = ']', i+1
		}
		j := bytes.IndexByte(line[start:], end)
		if j < 0 {
			if end != ' ' {
				return nil, false
			}
			j = len(line) - start
		}
		out = append(out, string(line[start:start+j]))
		i = start + j
		if end != ' ' {
			i++
		}
	}
	return out, true
}

// checkCombined checks the nginx "main" fields of f and returns the client
// address.
func checkCombined(t *testing.T, f []string) string {
	t.Helper()
	if len(f) != 10 {
		t.Fatalf("%d fields, want 10: %q", len(f), f)
	}
	if _, err := netip.ParseAddr(f[0]); err != nil {
		t.Fatalf("client %q: %v", f[0], err)
	}
	if _, err := time.Parse(clfTime, f[3]); err != nil {
		t.Fatalf("time %q: %v", f[3], err)
	}
	if req := strings.Fields(f[4]); len(req) != 3 || !strings.HasPrefix(req[2], "HTTP/") {
		t.Fatalf("request %q", f[4])
	}
	if len(f[5]) != 3 || strings.Trim(f[5], "0123456789") != "" || strings.Trim(f[6], "0123456789") != "" {
		t.Fatalf("status/bytes %q %q", f[5], f[6])
	}
	if f[9] != "-" {
		for _, ip := range strings.Split(f[9], ", ") {
			if _, err := netip.ParseAddr(ip); err != nil {
				t.Fatalf("x-forwarded-for %q: %v", f[9], err)
			}
		}
	}
	return f[0]
}

// clientOf checks line of kind k and returns its client address.
func clientOf(t *testing.T, k Kind, line []byte) string {
	t.Helper()
	if k == JSON {
		return checkJSON(t, line)
	}
	f, ok := fields(line)
	if !ok {
		t.Fatalf("unterminated field in %q", line)
	}
	if k == VhostCombined {
		if len(f) == 0 || !strings.Contains(f[0], ":") {
			t.Fatalf("no vhost in %q", line)
		}
		f = f[1:]
	}
	return checkCombined(t, f)
}

// checkJSON checks a JSON line and returns its client address.
func checkJSON(t *testing.T, line []byte) string {
	t.Helper()
	if !json.Valid(line) {
		t.Fatalf("invalid JSON: %q", line)
	}
	var v struct {
		Time     time.Time `json:"time"`
		Level    string    `json:"level"`
		Msg      string    `json:"msg"`
		ClientIP string    `json:"client_ip"`
		Method   string    `json:"method"`
		Path     string    `json:"path"`
		Status   int       `json:"status"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		t.Fatalf("%q: %v", line, err)
	}
	if v.Time.IsZero() || v.Level == "" || v.Msg == "" || v.Method == "" || v.Path == "" || v.Status == 0 {
		t.Fatalf("missing keys: %q", line)
	}
	if _, err := netip.ParseAddr(v.ClientIP); err != nil {
		t.Fatalf("client_ip %q: %v", v.ClientIP, err)
	}
	return v.ClientIP
}

func TestLinesParseAndClientsRepeat(t *testing.T) {
	const n = 20000
	for _, k := range kinds {
		counts := map[string]int{}
		v6, mapped := 0, 0
		for _, line := range lines(t, generate(t, k, 3, n)) {
			ip := clientOf(t, k, line)
			counts[ip]++
			switch {
			case strings.HasPrefix(ip, "::ffff:"):
				mapped++
			case strings.Contains(ip, ":"):
				v6++
			}
		}
		top := topShare(counts, 10, n)
		t.Logf("%v: %d clients, top 10 %.1f%%, IPv6 %.1f%%, mapped %.1f%%",
			k, len(counts), 100*top, 100*float64(v6)/n, 100*float64(mapped)/n)
		if top <= 0.20 {
			t.Errorf("%v: top 10 clients produce %.1f%% of lines, want > 20%%", k, 100*top)
		}
		checkShare(t, k, "IPv6", v6, n, 0.08, 0.25)
		checkShare(t, k, "IPv4-mapped", mapped, n, 0.01, 0.06)
	}
}

// topShare returns the share of n lines produced by the top clients.
func topShare(counts map[string]int, top, n int) float64 {
	c := make([]int, 0, len(counts))
	for _, v := range counts {
		c = append(c, v)
	}
	sort.Sort(sort.Reverse(sort.IntSlice(c)))
	sum := 0
	for i := 0; i < top && i < len(c); i++ {
		sum += c[i]
	}
	return float64(sum) / float64(n)
}

func checkShare(t *testing.T, k Kind, what string, got, n int, lo, hi float64) {
	t.Helper()
	share := float64(got) / float64(n)
	if share < lo || share > hi {
		t.Errorf("%v: %s share %.1f%%, want %.0f..%.0f%%", k, what, 100*share, 100*lo, 100*hi)
	}
}

func TestTimestampsIncrease(t *testing.T) {
	start := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	g := New(Options{Kind: JSON, Seed: 9, Start: start})
	prev := start
	var line []byte
	for i := 0; i < 1000; i++ {
		line = g.AppendLine(line[:0])
		var v struct {
			Time time.Time `json:"time"`
		}
		if err := json.Unmarshal(line, &v); err != nil {
			t.Fatal(err)
		}
		if v.Time.Before(prev) || v.Time.Sub(prev) > 2*time.Second {
			t.Fatalf("line %d: time %v after %v", i, v.Time, prev)
		}
		prev = v.Time
	}
}

func TestStatusMix(t *testing.T) {
	const n = 20000
	counts := map[string]int{}
	for _, line := range lines(t, generate(t, Combined, 5, n)) {
		f, _ := fields(line)
		counts[f[5]]++
	}
	if share := float64(counts["200"]) / n; share < 0.75 || share > 0.85 {
		t.Errorf("200 share %.1f%%, want about 80%%", 100*share)
	}
	for _, s := range []string{"304", "301", "404", "500"} {
		if counts[s] == 0 {
			t.Errorf("no %s responses", s)
		}
	}
}

// TestPoolsNeedNoJSONEscaping guards appendJSON, which copies pool strings
// into JSON strings without escaping.
func TestPoolsNeedNoJSONEscaping(t *testing.T) {
	var all []string
	all = append(all, userAgents[:]...)
	all = append(all, firstNames[:]...)
	all = append(all, lastNames[:]...)
	all = append(all, mailDomains[:]...)
	all = append(all, staticFiles[:]...)
	all = append(all, blogSlugs[:]...)
	all = append(all, searchWords[:]...)
	all = append(all, internalPaths[:]...)
	all = append(all, jsonTags[:]...)
	all = append(all, jsonErrors[:]...)
	for _, s := range all {
		if strings.ContainsAny(s, "\"\\\n") {
			t.Errorf("pool string %q needs escaping", s)
		}
	}
}

func TestParseKind(t *testing.T) {
	for _, k := range kinds {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	if _, err := ParseKind("xml"); err == nil {
		t.Error("ParseKind(xml) succeeded")
	}
}

func TestAppendLineZeroAllocs(t *testing.T) {
	for _, k := range kinds {
		g := New(Options{Kind: k, Seed: 1})
		dst := make([]byte, 0, 4096)
		allocs := testing.AllocsPerRun(1000, func() {
			dst = g.AppendLine(dst[:0])
		})
		if allocs != 0 {
			t.Errorf("%v: %v allocs per line, want 0", k, allocs)
		}
	}
}

func BenchmarkAppendLine(b *testing.B) {
	for _, k := range kinds {
		b.Run(k.String(), func(b *testing.B) {
			g := New(Options{Kind: k, Seed: 1})
			dst := make([]byte, 0, 4096)
			total := 0
			b.ReportAllocs()
			for b.Loop() {
				dst = g.AppendLine(dst[:0])
				total += len(dst)
			}
			b.SetBytes(int64(total / b.N))
		})
	}
}
