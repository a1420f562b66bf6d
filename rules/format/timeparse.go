package format

import "time"

// The results of the time parsers are in UTC (the instant is exact; the
// original offset is applied, not kept), so no *time.Location is allocated.

// ParseCLFTime parses the Apache/nginx access-log time
// "10/Oct/2000:13:55:36 -0700" (month names case-insensitive).
func ParseCLFTime(b []byte) (time.Time, bool) {
	if len(b) != 26 || b[2] != '/' || b[6] != '/' || b[11] != ':' || b[14] != ':' || b[17] != ':' || b[20] != ' ' {
		return time.Time{}, false
	}
	mon := monthOf(b[3:6])
	d, ok1 := num(b, 0, 2)
	y, ok2 := num(b, 7, 4)
	if mon == 0 || !ok1 || !ok2 {
		return time.Time{}, false
	}
	off, ok := parseOffset(b[21:])
	if !ok {
		return time.Time{}, false
	}
	return civil(y, mon, d, b[12:20], 0, off)
}

// ParseTime parses an RFC 3339 time (fraction optional, 'T', 't' or a space
// between date and time, zone 'Z', 'z', ±hh:mm or ±hhmm required) or a Unix
// epoch as an integer or decimal: seconds below 1e11, milliseconds below
// 1e14, microseconds below 1e17, nanoseconds above.
func ParseTime(b []byte) (time.Time, bool) {
	if len(b) >= 20 && b[4] == '-' {
		return parseRFC3339(b)
	}
	return parseEpoch(b)
}

// parseRFC3339 parses "2006-01-02T15:04:05[.frac](Z|±07:00)".
func parseRFC3339(b []byte) (time.Time, bool) {
	if b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return time.Time{}, false
	}
	y, ok1 := num(b, 0, 4)
	m, ok2 := num(b, 5, 2)
	d, ok3 := num(b, 8, 2)
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 {
		return time.Time{}, false
	}
	i, ns := 19, 0
	if b[i] == '.' || b[i] == ',' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return time.Time{}, false
		}
		ns = fracNanos(b[i+1 : j])
		i = j
	}
	var off int
	switch {
	case i == len(b)-1 && (b[i] == 'Z' || b[i] == 'z'):
	default:
		var ok bool
		if off, ok = parseOffset(b[i:]); !ok {
			return time.Time{}, false
		}
	}
	return civil(y, time.Month(m), d, b[11:19], ns, off)
}

// civil builds the UTC instant of a local date, "hh:mm:ss" clock, nanosecond
// and offset in seconds east of UTC, validating every range.
func civil(y int, m time.Month, d int, clock []byte, ns, off int) (time.Time, bool) {
	hh, ok1 := num(clock, 0, 2)
	mm, ok2 := num(clock, 3, 2)
	ss, ok3 := num(clock, 6, 2)
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 60 || d < 1 || d > daysIn(m, y) {
		return time.Time{}, false
	}
	t := time.Date(y, m, d, hh, mm, ss, ns, time.UTC)
	return t.Add(-time.Duration(off) * time.Second), true
}

// parseOffset parses "+hh:mm", "-hh:mm", "+hhmm" or "-hhmm" filling all of
// b and returns seconds east of UTC.
func parseOffset(b []byte) (int, bool) {
	mi := 3
	switch {
	case len(b) == 6 && b[3] == ':':
		mi = 4
	case len(b) != 5:
		return 0, false
	}
	h, ok1 := num(b, 1, 2)
	m, ok2 := num(b, mi, 2)
	if !ok1 || !ok2 || h > 23 || m > 59 || (b[0] != '+' && b[0] != '-') {
		return 0, false
	}
	off := h*3600 + m*60
	if b[0] == '-' {
		off = -off
	}
	return off, true
}

// num parses n decimal digits at b[i:].
func num(b []byte, i, n int) (int, bool) {
	if i+n > len(b) {
		return 0, false
	}
	v := 0
	for _, c := range b[i : i+n] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// fracNanos converts the digits of a decimal fraction to nanoseconds,
// ignoring digits past the ninth.
func fracNanos(digits []byte) int {
	ns := 0
	for k := 0; k < 9; k++ {
		ns *= 10
		if k < len(digits) {
			ns += int(digits[k] - '0')
		}
	}
	return ns
}

var monthNames = [12]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}

// monthOf returns the month of a three-letter English name, 0 if none.
func monthOf(b []byte) time.Month {
	lower := [3]byte{b[0] | 0x20, b[1] | 0x20, b[2] | 0x20}
	for i, n := range monthNames {
		if string(lower[:]) == n {
			return time.Month(i + 1)
		}
	}
	return 0
}

// daysIn returns the number of days of month m in year y.
func daysIn(m time.Month, y int) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

// epochUnits are the nanoseconds per unit for seconds, milliseconds,
// microseconds and nanoseconds, with the integer bound below which each
// applies.
var epochUnits = [...]struct{ below, ns uint64 }{{1e11, 1e9}, {1e14, 1e6}, {1e17, 1e3}, {1 << 63, 1}}

// parseEpoch parses "digits[.digits]" as a Unix time, picking the unit from
// the magnitude.
func parseEpoch(b []byte) (time.Time, bool) {
	i := skipDigits(b, 0)
	if i == 0 || i > 19 {
		return time.Time{}, false
	}
	var v uint64
	for _, c := range b[:i] {
		v = v*10 + uint64(c-'0')
	}
	frac := 0
	if i < len(b) {
		j := skipDigits(b, i+1)
		if b[i] != '.' || j == i+1 || j != len(b) {
			return time.Time{}, false
		}
		frac = fracNanos(b[i+1 : j])
	}
	for _, u := range epochUnits {
		if v < u.below {
			perSec := uint64(1e9) / u.ns
			nsec := int64(v%perSec*u.ns) + int64(frac)*int64(u.ns)/1e9
			return time.Unix(int64(v/perSec), nsec).UTC(), true
		}
	}
	return time.Time{}, false
}

// RecordTime parses the record's time field with the parser its format
// uses: the CLF time (or RFC 3339, for nginx $time_iso8601) for combined and
// common, RFC 3339 or a Unix epoch for JSON and logfmt.
func (r *Record) RecordTime() (time.Time, bool) {
	if r.Time < 0 || r.Time >= len(r.Fields) {
		return time.Time{}, false
	}
	f := &r.Fields[r.Time]
	v := r.Line[f.Value.Start:f.Value.End]
	if r.Format == Combined || r.Format == Common {
		if t, ok := ParseCLFTime(v); ok {
			return t, true
		}
		return ParseTime(v)
	}
	switch r.Format {
	case Syslog:
		return syslogTime(v, r.Now)
	case NginxError:
		return parseNginxTime(v)
	}
	if f.Escaped {
		if len(v) > 64 {
			return time.Time{}, false
		}
		var buf [64]byte
		v = r.AppendValue(buf[:0], r.Time)
	}
	return ParseTime(v)
}
