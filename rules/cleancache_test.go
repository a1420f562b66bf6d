package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tarn-project/tarn/rules/detect"
)

// TestCleanCacheNeverPassesPersonalData processes texts that share a
// slot of the clean cache, clean ones first: a text with an address must
// still be scanned and replaced, on every line, with its detections
// counted each time.
func TestCleanCacheNeverPassesPersonalData(t *testing.T) {
	p := compileYAML(t, `{format: logfmt, fields: {msg: scrub}}`).NewProcessor()
	var c cleanCache
	clean := map[int]string{}
	for i := 0; len(clean) < cleanSlots; i++ {
		s := fmt.Sprintf("mail user%06d_example.com", i)
		clean[c.slot([]byte(s))] = s
	}
	var dirty, cleanTwin string
	for i := 0; dirty == ""; i++ {
		d := fmt.Sprintf("mail user%06d@example.com", i)
		if s, ok := clean[c.slot([]byte(d))]; ok {
			dirty, cleanTwin = d, s // same slot and length: only the bytes differ
		}
	}
	run := func(msg string) string {
		out, _ := p.Append(nil, []byte(`msg="`+msg+`"`), testTime)
		return string(out)
	}
	for round := range 3 {
		if got := run(cleanTwin); got != `msg="`+cleanTwin+`"` {
			t.Fatalf("round %d: clean text changed: %s", round, got)
		}
		got := run(dirty)
		if strings.Contains(got, "@example.com") && strings.Contains(got, "user") || got == `msg="`+dirty+`"` {
			t.Fatalf("round %d: the address passed through a cached slot: %s", round, got)
		}
	}
	if n := p.Stats.Detections[detect.Email]; n != 3 {
		t.Errorf("e-mail detections = %d, want 3 (one per line)", n)
	}
	long := strings.Repeat("a", cleanMax) + " bob@example.org"
	if got := run(long); strings.Contains(got, "bob@") {
		t.Errorf("a text longer than the cache holds passed: %s", got)
	}
}
