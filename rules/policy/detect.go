package policy

import (
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/detect"
)

// detItem is a free-text detector (or both address detectors, "ip") and
// what happens to what it finds.
type detItem struct {
	id    string // a detect.Kind name, "ip", or "custom" for patterns
	treat treat
	paths []string // the rules: "detect.ipv4", "detect.patterns.NAME"
}

// detectors resolves the detectors' actions like the engine does (a
// detector without an action gets its default) and reports whether any
// detector is on. Detectors that are off are left out.
func detectors(c *rules.Config) ([]detItem, bool) {
	var out []detItem
	v4 := detectorTreat(c, detect.IPv4)
	v6 := detectorTreat(c, detect.IPv6)
	switch {
	case v4.kind == kTruncate && v6.kind == kTruncate:
		out = append(out, detItem{"ip", treat{kind: kTruncate, v4: v4.v4, v6: v6.v6}, []string{"detect.ipv4", "detect.ipv6"}})
	case v4.kind == v6.kind:
		out = append(out, detItem{"ip", v4, []string{"detect.ipv4", "detect.ipv6"}})
	default:
		out = append(out, detItem{"ipv4", v4, []string{"detect.ipv4"}}, detItem{"ipv6", v6, []string{"detect.ipv6"}})
	}
	for k := detect.Email; k < detect.Custom; k++ {
		out = append(out, detItem{k.String(), detectorTreat(c, k), []string{"detect." + k.String()}})
	}
	for _, p := range c.Detect.Patterns {
		t := treat{kind: kRedact}
		if p.Action != nil {
			t = treatOf(c, p.Action)
		}
		out = append(out, detItem{"custom", t, []string{"detect.patterns." + p.Name}})
	}
	on := out[:0]
	for _, d := range out {
		if d.treat.kind != kKeep {
			on = append(on, d)
		}
	}
	return on, len(on) > 0
}

// detectorTreat is the treatment of one built-in kind: its configured
// action or the engine's default (rules.DefaultDetectAction). A
// truncation keeps only the prefix of its own family.
func detectorTreat(c *rules.Config, k detect.Kind) treat {
	a, ok := c.Detect.Actions[k.String()]
	if !ok {
		a = rules.DefaultDetectAction(k)
	}
	if a.TruncateIP == nil {
		return treatOf(c, &a)
	}
	t := truncateOf(c, a.TruncateIP)
	if t.kind == kKeep {
		return t
	}
	if k == detect.IPv4 {
		t.v6 = -1
		if t.v4 >= 32 {
			return treat{kind: kKeep}
		}
	} else {
		t.v4 = -1
		if t.v6 >= 128 {
			return treat{kind: kKeep}
		}
	}
	return t
}
