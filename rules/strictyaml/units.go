package strictyaml

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that also accepts days and weeks ("7d",
// "2w", "1d12h") in YAML.
type Duration time.Duration

// DecodeScalar parses s as a duration.
func (d *Duration) DecodeScalar(s string) error {
	v, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ParseDuration parses Go durations extended with "d" (24h) and "w" (7d).
func ParseDuration(s string) (time.Duration, error) {
	var total time.Duration
	rest := strings.TrimSpace(s)
	if rest == "" {
		return 0, fmt.Errorf("empty duration")
	}
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) || (rest[i] != 'd' && rest[i] != 'w') {
			break
		}
		n, err := strconv.ParseInt(rest[:i], 10, 32)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q", clip(s))
		}
		unit := 24 * time.Hour
		if rest[i] == 'w' {
			unit *= 7
		}
		total += time.Duration(n) * unit
		rest = rest[i+1:]
	}
	if rest != "" {
		d, err := time.ParseDuration(rest)
		if err != nil {
			return 0, fmt.Errorf("invalid duration %q (use e.g. 30s, 15m, 168h, 7d)", clip(s))
		}
		total += d
	}
	if total < 0 {
		return 0, fmt.Errorf("duration must not be negative, got %q", clip(s))
	}
	return total, nil
}

// String formats d like time.Duration, with whole days as "Nd".
func (d Duration) String() string {
	v := time.Duration(d)
	if v > 0 && v%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(v/(24*time.Hour)), 10) + "d"
	}
	return v.String()
}

// Size is a byte count that accepts units in YAML: "512", "64KiB", "128MiB",
// "1GiB", "10MB" (decimal units are powers of 1000).
type Size int64

// DecodeScalar parses s as a size.
func (z *Size) DecodeScalar(s string) error {
	v, err := ParseSize(s)
	if err != nil {
		return err
	}
	*z = Size(v)
	return nil
}

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1},
}

// ParseSize parses a byte count with an optional unit.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("invalid size %q (use e.g. 256KiB, 128MiB, 1GiB)", clip(s))
	}
	return n * mult, nil
}

// MarshalYAML writes d as String does ("7d", "90m0s").
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// String formats z with the largest binary unit that divides it
// ("256KiB", "1GiB"), or as a plain byte count.
func (z Size) String() string {
	for i := 3; i >= 0; i-- {
		if u := sizeUnits[i]; z != 0 && int64(z)%u.mult == 0 {
			return strconv.FormatInt(int64(z)/u.mult, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(z), 10)
}

// MarshalYAML writes z as String does.
func (z Size) MarshalYAML() (any, error) { return z.String(), nil }
