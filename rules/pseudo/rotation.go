package pseudo

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Rotation says how often the epoch key, and with it every pseudonym, changes.
type Rotation uint8

// The supported rotations. Unknown values behave like Daily (the most private
// choice) in Epoch, so a corrupted value never weakens unlinkability.
const (
	// Daily rotates at 00:00 UTC every day.
	Daily Rotation = iota
	// Weekly rotates at 00:00 UTC every Monday (ISO-8601 weeks).
	Weekly
	// Monthly rotates at 00:00 UTC on the first day of every month.
	Monthly
	// Never uses one key forever; pseudonyms are linkable across all time.
	Never
)

// ErrUnknownRotation is returned by ParseRotation for an unsupported name.
var ErrUnknownRotation = errors.New("pseudo: unknown rotation, must be one of daily, weekly, monthly, never")

var rotationNames = [...]string{Daily: "daily", Weekly: "weekly", Monthly: "monthly", Never: "never"}

// ParseRotation parses "daily", "weekly", "monthly" or "never" (exact,
// lower-case). The error does not repeat the input.
func ParseRotation(s string) (Rotation, error) {
	for i, name := range rotationNames {
		if s == name {
			return Rotation(i), nil
		}
	}
	return Daily, ErrUnknownRotation
}

// String returns the rotation's name as accepted by ParseRotation, or
// "Rotation(N)" for an unknown value.
func (r Rotation) String() string {
	if int(r) < len(rotationNames) {
		return rotationNames[r]
	}
	return "Rotation(" + strconv.Itoa(int(r)) + ")"
}

// MarshalText implements encoding.TextMarshaler (for YAML/JSON configs).
func (r Rotation) MarshalText() ([]byte, error) {
	if int(r) >= len(rotationNames) {
		return nil, fmt.Errorf("pseudo: cannot marshal invalid rotation %d", uint8(r))
	}
	return []byte(rotationNames[r]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler using ParseRotation.
func (r *Rotation) UnmarshalText(b []byte) error {
	v, err := ParseRotation(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// Epoch returns the epoch label of t in UTC: "2026-11-20" daily, the ISO week
// "2026-W47" weekly, "2026-11" monthly, "never" for Never. It allocates; the
// Pseudonymizer caches its result per epoch.
func (r Rotation) Epoch(t time.Time) string {
	u := t.UTC()
	switch r {
	case Never:
		return "never"
	case Weekly:
		y, w := u.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case Monthly:
		return fmt.Sprintf("%04d-%02d", u.Year(), int(u.Month()))
	default:
		y, m, d := u.Date()
		return fmt.Sprintf("%04d-%02d-%02d", y, int(m), d)
	}
}

// bounds returns the epoch containing t as a half-open interval
// [start, end) of Unix seconds. Every second in it has the same Epoch label.
func (r Rotation) bounds(t time.Time) (start, end int64) {
	u := t.UTC()
	y, m, d := u.Date()
	var s, e time.Time
	switch r {
	case Never:
		return math.MinInt64, math.MaxInt64
	case Weekly:
		sinceMonday := (int(u.Weekday()) + 6) % 7
		s = time.Date(y, m, d-sinceMonday, 0, 0, 0, 0, time.UTC)
		e = s.AddDate(0, 0, 7)
	case Monthly:
		s = time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
		e = s.AddDate(0, 1, 0)
	default:
		s = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		e = s.AddDate(0, 0, 1)
	}
	return s.Unix(), e.Unix()
}
