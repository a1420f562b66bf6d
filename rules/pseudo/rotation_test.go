package pseudo

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// zone returns a fixed zone with the given UTC offset in hours.
func zone(hours int) *time.Location {
	return time.FixedZone("test", hours*3600)
}

// at is a shorthand for time.Date with seconds and a zone offset in hours.
func at(y int, m time.Month, d, hh, mm, ss, offHours int) time.Time {
	return time.Date(y, m, d, hh, mm, ss, 0, zone(offHours))
}

// epochCases are hand-checked epoch labels (ISO weeks verified with date +%G-W%V).
var epochCases = []struct {
	name  string
	rot   Rotation
	t     time.Time
	label string
}{
	{"daily noon utc", Daily, at(2026, 11, 20, 12, 0, 0, 0), "2026-11-20"},
	{"daily 23:30-05:00 is next day utc", Daily, at(2026, 11, 20, 23, 30, 0, -5), "2026-11-21"},
	{"daily 00:30+02:00 is previous day utc", Daily, at(2026, 11, 21, 0, 30, 0, 2), "2026-11-20"},
	{"daily last nanosecond", Daily, time.Date(2026, 11, 20, 23, 59, 59, 999999999, time.UTC), "2026-11-20"},
	{"daily midnight", Daily, at(2026, 11, 21, 0, 0, 0, 0), "2026-11-21"},
	{"daily leap day", Daily, at(2028, 2, 29, 6, 0, 0, 0), "2028-02-29"},
	{"daily year 1", Daily, time.Time{}, "0001-01-01"},
	{"daily year 10000", Daily, at(10000, 1, 1, 0, 0, 0, 0), "10000-01-01"},
	{"weekly friday", Weekly, at(2026, 11, 20, 12, 0, 0, 0), "2026-W47"},
	{"weekly 2026-12-31 thursday", Weekly, at(2026, 12, 31, 12, 0, 0, 0), "2026-W53"},
	{"weekly 2027-01-01 friday", Weekly, at(2027, 1, 1, 12, 0, 0, 0), "2026-W53"},
	{"weekly 2027-01-03 sunday", Weekly, at(2027, 1, 3, 12, 0, 0, 0), "2026-W53"},
	{"weekly 2027-01-04 monday", Weekly, at(2027, 1, 4, 0, 0, 0, 0), "2027-W01"},
	{"weekly sunday 23:30-05:00 is monday utc", Weekly, at(2027, 1, 3, 23, 30, 0, -5), "2027-W01"},
	{"weekly 2025-12-28 sunday", Weekly, at(2025, 12, 28, 23, 59, 59, 0), "2025-W52"},
	{"weekly 2025-12-29 monday", Weekly, at(2025, 12, 29, 0, 0, 0, 0), "2026-W01"},
	{"weekly 2020-12-31", Weekly, at(2020, 12, 31, 0, 0, 0, 0), "2020-W53"},
	{"monthly mid", Monthly, at(2026, 11, 20, 12, 0, 0, 0), "2026-11"},
	{"monthly 23:30-05:00 on 30 nov is december utc", Monthly, at(2026, 11, 30, 23, 30, 0, -5), "2026-12"},
	{"monthly last second of year", Monthly, at(2026, 12, 31, 23, 59, 59, 0), "2026-12"},
	{"monthly new year", Monthly, at(2027, 1, 1, 0, 0, 0, 0), "2027-01"},
	{"monthly 00:30+01:00 on 1 mar is february utc", Monthly, at(2026, 3, 1, 0, 30, 0, 1), "2026-02"},
	{"monthly leap february", Monthly, at(2024, 2, 29, 23, 0, 0, 0), "2024-02"},
	{"never", Never, at(2026, 11, 20, 12, 0, 0, 0), "never"},
	{"never year 1", Never, time.Time{}, "never"},
	{"unknown rotation behaves daily", Rotation(9), at(2026, 11, 20, 23, 30, 0, -5), "2026-11-21"},
}

func TestEpoch(t *testing.T) {
	for _, c := range epochCases {
		if got := c.rot.Epoch(c.t); got != c.label {
			t.Errorf("%s: Epoch = %q, want %q", c.name, got, c.label)
		}
	}
}

// TestBounds checks that the cached interval contains t, and that its first
// and last second and t all share one label while the neighbours do not.
func TestBounds(t *testing.T) {
	for _, c := range epochCases {
		if c.rot == Never || c.t.Year() > 9999 {
			continue
		}
		s, e := c.rot.bounds(c.t)
		sec := c.t.Unix()
		if sec < s || sec >= e {
			t.Errorf("%s: %d not in [%d, %d)", c.name, sec, s, e)
			continue
		}
		first, lastSec := time.Unix(s, 0), time.Unix(e-1, 0)
		if c.rot.Epoch(first) != c.label || c.rot.Epoch(lastSec) != c.label {
			t.Errorf("%s: interval ends have labels %q, %q", c.name, c.rot.Epoch(first), c.rot.Epoch(lastSec))
		}
		if c.rot.Epoch(time.Unix(s-1, 0)) == c.label || c.rot.Epoch(time.Unix(e, 0)) == c.label {
			t.Errorf("%s: interval [%d, %d) is not the whole epoch", c.name, s, e)
		}
	}
}

func TestParseRotation(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Rotation
		ok   bool
	}{
		{"daily", Daily, true}, {"weekly", Weekly, true}, {"monthly", Monthly, true}, {"never", Never, true},
		{"", 0, false}, {"Daily", 0, false}, {"hourly", 0, false}, {"daily ", 0, false}, {"secret-value", 0, false},
	} {
		got, err := ParseRotation(c.in)
		if c.ok != (err == nil) || (c.ok && got != c.want) {
			t.Errorf("ParseRotation(%q) = %v, %v", c.in, got, err)
		}
		if err != nil && (!errors.Is(err, ErrUnknownRotation) || (c.in != "" && strings.Contains(err.Error(), c.in))) {
			t.Errorf("ParseRotation(%q): bad error %v", c.in, err)
		}
		if c.ok && got.String() != c.in {
			t.Errorf("String() = %q, want %q", got.String(), c.in)
		}
	}
	if s := Rotation(7).String(); s != "Rotation(7)" {
		t.Errorf("Rotation(7).String() = %q", s)
	}
}

func TestRotationText(t *testing.T) {
	for r := Daily; r <= Never; r++ {
		b, err := r.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back Rotation = 99
		if err := back.UnmarshalText(b); err != nil || back != r {
			t.Errorf("round trip of %v: %v, %v", r, back, err)
		}
	}
	if _, err := Rotation(4).MarshalText(); err == nil {
		t.Error("MarshalText of invalid rotation succeeded")
	}
	r := Weekly
	if err := r.UnmarshalText([]byte("yearly")); err == nil || r != Weekly {
		t.Errorf("UnmarshalText(yearly) = %v, %v", r, err)
	}
}
