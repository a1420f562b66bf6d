package aggregate

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"
)

// oldAppendGroupValue is how group values used to be templated: as the
// one segment of a path "/"+value, slashes escaped, the '/' cut again.
// appendGroupValue must give the same result without the detour.
func oldAppendGroupValue(dst, v []byte) []byte {
	if v == nil {
		return append(dst, '-')
	}
	if len(v) <= 4 && allDigits(v) {
		return append(dst, v...)
	}
	if len(v) > 0 && v[0] == '/' {
		return AppendRoute(dst, v)
	}
	esc := v
	if strings.Contains(string(v), "/") {
		esc = []byte("%2F")
	}
	r := AppendRoute(nil, append([]byte("/"), esc...))
	return append(dst, r[1:]...)
}

func TestAppendGroupValueIsARouteSegment(t *testing.T) {
	values := []string{"", "-", "a", "7", "200", "2000", "20000", "billing", "GET", "a/b", "x?y/z", "/invoices/123",
		"/", "bob@example.com", "v1.2.3", "index.html", "12345.json", "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
		"deadbeefcafe", "a?b", "?x", "#f", "a#b", "a;jsessionid=1", ";x", "a b", "ä", "%41", "tok_AbCdEfGh12345678",
		strings.Repeat("w", 64), strings.Repeat("w", 65), "a.b.c.d.e", "*", "http://x/y", "a:b", "\x00"}
	for _, v := range values {
		want := string(oldAppendGroupValue([]byte("p"), []byte(v)))
		if got := string(appendGroupValue([]byte("p"), []byte(v))); got != want {
			t.Errorf("appendGroupValue(%q) = %q, want %q", v, got, want)
		}
	}
	if got := string(appendGroupValue(nil, nil)); got != "-" {
		t.Errorf("nil value = %q", got)
	}
	dst := make([]byte, 0, 1024)
	for _, v := range values {
		b := []byte(v)
		if n := testing.AllocsPerRun(10, func() { dst = appendGroupValue(dst[:0], b) }); n != 0 {
			t.Errorf("appendGroupValue(%q) allocates %v times", v, n)
		}
	}
}

func TestWithoutPort(t *testing.T) {
	for in, want := range map[string]string{"shop.example:443": "shop.example", "shop.example": "shop.example",
		"a:": "a:", ":80": "", "80": "80", "[2001:db8::1]:443": "[2001:db8::1]", "a:b1": "a:b1", "": "", "a:8:9": "a:8"} {
		if got := string(WithoutPort([]byte(in))); got != want {
			t.Errorf("WithoutPort(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	api := &API{GroupBy: []string{"service"}}
	c := Config{API: api}.WithDefaults()
	if time.Duration(c.Window) != DefaultWindow || c.TopRoutes != DefaultTopRoutes || c.KAnonymity != DefaultKAnonymity ||
		c.MaxHosts != DefaultMaxHosts || c.Visitors == nil || !*c.Visitors || c.API.MaxGroups != DefaultMaxGroups {
		t.Errorf("defaults %+v %+v", c, c.API)
	}
	if api.MaxGroups != 0 {
		t.Error("WithDefaults changed the caller's API section")
	}
	off := false
	c = Config{TopRoutes: 5, KAnonymity: 3, MaxHosts: 7, Visitors: &off, API: &API{MaxGroups: 9}}.WithDefaults()
	if c.TopRoutes != 5 || c.KAnonymity != 3 || c.MaxHosts != 7 || *c.Visitors || c.API.MaxGroups != 9 {
		t.Errorf("set values overridden: %+v %+v", c, c.API)
	}
}

// TestTopKAcceptsEveryValidK: the largest k the configuration accepts is
// the largest NewTopK accepts.
func TestTopKAcceptsEveryValidK(t *testing.T) {
	if err := (&Config{KAnonymity: MaxKAnonymity}).Validate(); err != nil {
		t.Fatal(err)
	}
	NewTopK(10, MaxKAnonymity)
	if (&Config{KAnonymity: MaxKAnonymity + 1}).Validate() == nil {
		t.Error("k above MaxKAnonymity accepted")
	}
	defer func() {
		if recover() == nil {
			t.Error("NewTopK accepted k above MaxKAnonymity")
		}
	}()
	NewTopK(10, MaxKAnonymity+1)
}

// TestHistogramIgnoresNonFinite: a sum of +Inf or NaN cannot be written as
// JSON, so such values are not counted.
func TestHistogramIgnoresNonFinite(t *testing.T) {
	var h Histogram
	for _, s := range []float64{math.Inf(1), math.Inf(-1), math.NaN(), 0.5} {
		h.Observe(s)
	}
	if h.Count != 1 || h.Sum != 0.5 {
		t.Errorf("histogram %+v", h)
	}
	if _, err := json.Marshal(h); err != nil {
		t.Error(err)
	}
}
