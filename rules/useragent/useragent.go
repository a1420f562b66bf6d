// Package useragent implements the generalize_user_agent action: it reduces a
// User-Agent header to a coarse, non-identifying summary such as
// "Chrome 120 / Android / mobile".
//
// The summary is built only from names in fixed tables and a major version
// number, never from bytes copied out of the input, so free text that
// clients put into their User-Agent (e-mail addresses, device serials,
// account names) cannot leak through it. Parsing is a single hand-written
// pass over the bytes with a 256-entry first-byte table; it allocates
// nothing and runs in time linear in the input.
package useragent

import "strconv"

// maxMajor is the largest major version reported; larger numbers are clamped.
const maxMajor = 9999

// Info is the parsed summary of a User-Agent. Browser, OS and Device are
// always constants from this package's tables (never substrings of the
// input). Parse is the zero-allocation core used by Generalize.
type Info struct {
	// Browser is the client family, e.g. "Chrome", "curl", "Googlebot",
	// GenericBot or Other.
	Browser string
	// Major is the major version, 1..9999, or 0 when unknown.
	Major int
	// OS is the operating-system family, e.g. OSAndroid, or Other.
	OS string
	// Device is one of DeviceDesktop, DeviceMobile, DeviceTablet,
	// DeviceBot and DeviceOther.
	Device string
	// Bot reports whether the client is a crawler or other robot.
	Bot bool
}

// tokSet is a set of markers, one bit per tok.
type tokSet [2]uint64

// numTok must fit into a tokSet.
var _ [128 - numTok]struct{}

// setOf returns the set holding ks.
func setOf(ks ...tok) (s tokSet) {
	for _, k := range ks {
		s.add(k)
	}
	return s
}

// add, has and meets are set insertion, membership and intersection.
func (s *tokSet) add(k tok)            { s[k>>6] |= 1 << (k & 63) }
func (s *tokSet) has(k tok) bool       { return s[k>>6]&(1<<(k&63)) != 0 }
func (s *tokSet) meets(o *tokSet) bool { return s[0]&o[0]|s[1]&o[1] != 0 }

// covers reports whether s holds every member of o.
func (s *tokSet) covers(o *tokSet) bool { return s[0]&o[0] == o[0] && s[1]&o[1] == o[1] }

// maxScan bounds the bytes of a User-Agent that are examined, so that
// offsets fit into an int32.
const maxScan = 1 << 30

// found records which markers occur and, per marker, the offset just past
// its first occurrence (valid only for markers in set).
type found struct {
	set tokSet
	end [numTok]int32
}

// has reports whether marker k occurs.
func (f *found) has(k tok) bool { return f.set.has(k) }

// Parse returns the summary of the User-Agent ua. It never fails: parts it
// cannot recognise are Other (Device DeviceOther, Major 0).
func Parse(ua []byte) Info {
	var f found
	scan(ua, &f)
	info := Info{Browser: Other, OS: Other, Device: DeviceOther}
	fam := matchFamily(&f)
	if fam != nil {
		info.Browser = fam.name
		info.Major = major(ua, &f, fam)
		info.Bot = fam.kind == kBot
	}
	osr := matchOS(&f)
	if osr != nil {
		info.OS = osr.name
	}
	info.Device = device(&f, fam, osr)
	return info
}

// Generalize appends to dst a coarse, non-identifying summary of the
// User-Agent ua: "<Browser family> <major> / <OS family> / <device class>",
// e.g. "Safari 9 / macOS / desktop", "Chrome 120 / Android / mobile",
// "Googlebot 2 / Other / bot". Unknown parts are "Other" (the major is
// omitted when unknown: "Other / Other / other"). An empty or "-" ua gives
// "-". It allocates only when dst lacks capacity.
func Generalize(dst, ua []byte) []byte {
	if len(ua) == 0 || (len(ua) == 1 && ua[0] == '-') {
		return append(dst, '-')
	}
	return Parse(ua).Append(dst)
}

// Append appends the summary form of i to dst, as Generalize does.
func (i Info) Append(dst []byte) []byte {
	dst = append(dst, i.Browser...)
	if i.Major > 0 {
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, int64(i.Major), 10)
	}
	dst = append(dst, " / "...)
	dst = append(dst, i.OS...)
	dst = append(dst, " / "...)
	return append(dst, i.Device...)
}

// scan records the first occurrence of every marker in the first maxScan
// bytes of ua.
func scan(ua []byte, f *found) {
	if len(ua) > maxScan {
		ua = ua[:maxScan]
	}
	for i := 0; i+1 < len(ua); i++ {
		h := bucket(ua[i], ua[i+1])
		lo, hi := pairOff[h], pairOff[h+1]
		for ; lo < hi; lo++ {
			k := pairToks[lo]
			if !f.set.has(k) && matchAt(ua, i, &markers[k]) {
				f.set.add(k)
				f.end[k] = int32(i + len(markers[k].s))
			}
		}
	}
}

// matchAt reports whether marker m occurs at ua[i:].
func matchAt(ua []byte, i int, m *marker) bool {
	n := len(m.s)
	if len(ua)-i < n {
		return false
	}
	if m.bound && i+n < len(ua) && class[ua[i+n]]&cLetter != 0 {
		return false
	}
	if !m.fold {
		return ua[i+n-1] == m.s[n-1] && string(ua[i:i+n]) == m.s
	}
	for j := 0; j < n; j++ {
		if lower[ua[i+j]] != m.s[j] {
			return false
		}
	}
	return true
}

// matchFamily returns the first family whose markers were found, or nil.
func matchFamily(f *found) *family {
	if !f.set.meets(&familyMarkers) {
		return nil
	}
	for i := range families {
		fam := &families[i]
		if f.set.meets(&fam.anySet) && f.set.covers(&fam.alsoSet) {
			return fam
		}
	}
	return nil
}

// matchOS returns the first OS rule whose markers were found, or nil.
func matchOS(f *found) *osRule {
	for i := range osRules {
		if f.set.meets(&osRules[i].anySet) {
			return &osRules[i]
		}
	}
	return nil
}

// firstFound returns the first of ks that was found, or tNone.
func firstFound(f *found, ks []tok) tok {
	for _, k := range ks {
		if f.set.has(k) {
			return k
		}
	}
	return tNone
}

// major reads the major version of family fam.
func major(ua []byte, f *found, fam *family) int {
	k := firstFound(f, fam.any)
	switch markers[k].ver {
	case verNone:
		return 0
	case verVersion:
		if f.has(tVersion) {
			return digits(ua, int(f.end[tVersion]))
		}
	case verTrident:
		if v := versionAfter(ua, int(f.end[k])); v > 0 {
			return min(v+4, maxMajor)
		}
		return 0
	}
	return versionAfter(ua, int(f.end[k]))
}

// versionAfter reads the number after a marker ending at i, skipping one
// separator ('/' or ' ') and a 'v' prefix ("MJ12bot/v1.4").
func versionAfter(ua []byte, i int) int {
	if i < len(ua) && (ua[i] == '/' || ua[i] == ' ') {
		i++
	}
	if i < len(ua) && ua[i] == 'v' {
		i++
	}
	return digits(ua, i)
}

// digits reads the decimal number at ua[i:], clamped to maxMajor; 0 when
// there is none.
func digits(ua []byte, i int) int {
	v := 0
	for ; i < len(ua) && class[ua[i]]&cDigit != 0; i++ {
		v = v*10 + int(ua[i]-'0')
		if v > maxMajor {
			return maxMajor
		}
	}
	return v
}

// device classifies the device from the family, the OS and the hints.
func device(f *found, fam *family, osr *osRule) string {
	switch {
	case fam != nil && fam.kind == kBot:
		return DeviceBot
	case fam != nil && fam.kind == kClient:
		return DeviceOther
	case f.has(tIPad) || (f.has(tTablet) && (osr == nil || osr.name != OSWindows)):
		return DeviceTablet
	case f.has(tIPhone) || f.has(tIPod) || f.has(tMobi) || f.has(tOperaMini):
		return DeviceMobile
	case f.has(tAndroid):
		return DeviceTablet
	case osr != nil && osr.desktop:
		return DeviceDesktop
	}
	return DeviceOther
}
