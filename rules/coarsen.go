package rules

import (
	"strconv"
	"time"
)

// appendCoarsened rounds the timestamp raw down to unit (minute, hour or
// day), keeping its format: CLF ("10/Oct/2000:13:55:36 -0700"), RFC 3339
// (fraction dropped) or epoch seconds/milliseconds. ok is false, and
// nothing is appended, when raw is none of these.
func appendCoarsened(dst, raw []byte, unit time.Duration) ([]byte, bool) {
	switch {
	case len(raw) >= 20 && raw[2] == '/' && raw[6] == '/' && raw[11] == ':':
		return appendClock(dst, raw, 12, unit), true
	case len(raw) >= 19 && raw[4] == '-' && raw[7] == '-' && (raw[10] == 'T' || raw[10] == ' ' || raw[10] == 't'):
		end := 19
		if end < len(raw) && raw[end] == '.' {
			for end++; end < len(raw) && raw[end] >= '0' && raw[end] <= '9'; end++ {
			}
		}
		dst = appendClock(dst, raw[:19], 11, unit)
		return append(dst, raw[end:]...), true
	}
	return appendEpoch(dst, raw, unit)
}

// appendClock copies raw with the "HH:MM:SS" at [at, at+8) zeroed below
// unit.
func appendClock(dst, raw []byte, at int, unit time.Duration) []byte {
	start := len(dst)
	dst = append(dst, raw...)
	c := dst[start+at : start+at+8]
	switch unit {
	case 24 * time.Hour:
		c[0], c[1] = '0', '0'
		fallthrough
	case time.Hour:
		c[3], c[4] = '0', '0'
		fallthrough
	default:
		c[6], c[7] = '0', '0'
	}
	return dst
}

// appendEpoch rounds an epoch number (seconds, or milliseconds when it has
// 13 or more integer digits) down to unit; a fraction is dropped.
func appendEpoch(dst, raw []byte, unit time.Duration) ([]byte, bool) {
	intPart := raw
	for i, c := range raw {
		if c == '.' {
			intPart = raw[:i]
			break
		}
	}
	n, err := strconv.ParseInt(string(intPart), 10, 64)
	if err != nil || n < 0 {
		return dst, false
	}
	per := int64(unit / time.Second)
	if len(intPart) >= 13 {
		per *= 1000
	}
	return strconv.AppendInt(dst, n-n%per, 10), true
}
