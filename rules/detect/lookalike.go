package detect

// Look-alikes: identifiers that have the shape of a phone number, card
// number or IBAN but are part of, or are, a machine id (UUIDs, hex ids,
// commit hashes, trace and queue ids). A detector must never replace part
// of such an id; an id named as one by its key is not replaced either.

// idReach bounds how far a token is followed on each side of a match, so
// that a check costs a constant and scanning stays linear.
const idReach = 48

// idLike reports whether the word match [start,end) is a look-alike: part
// of a longer id token, the value of a key naming an id, or a mail queue
// id.
func idLike(text []byte, start, end int) bool {
	return inIDToken(text, start, end) || idKey(text, start) || queueID(text, start, end)
}

// inIDToken reports whether [start,end) lies inside a token of letters and
// digits joined by '-' that is a UUID, or whose other parts mix letters and
// digits ("9573b92c-0325-4711-9936-1a2b3c4d5e6f", "0325-4711-ab12"). Parts
// of letters only ("Tel-0171-1234567") or digits only ("030 1234567-0")
// leave the match alone.
func inIDToken(text []byte, start, end int) bool {
	ls := start
	for ls > 0 && start-ls < idReach && (is(text[ls-1], cAlnum) || text[ls-1] == '-') {
		ls--
	}
	re := end
	for re < len(text) && re-end < idReach && (is(text[re], cAlnum) || text[re] == '-') {
		re++
	}
	if ls == start && re == end {
		return false
	}
	return uuidShape(text[ls:re]) || mixedPart(text[ls:start]) || mixedPart(text[end:re])
}

// uuidShape reports whether b is a UUID: 8-4-4-4-12 hex digits.
func uuidShape(b []byte) bool {
	if len(b) != 36 {
		return false
	}
	for k, c := range b {
		if k == 8 || k == 13 || k == 18 || k == 23 {
			if c != '-' {
				return false
			}
		} else if !is(c, cHex) {
			return false
		}
	}
	return true
}

// mixedPart reports whether one of the '-'-separated parts of b holds both
// a letter and a digit.
func mixedPart(b []byte) bool {
	var seen uint16
	for _, c := range b {
		if c == '-' {
			seen = 0
			continue
		}
		seen |= class[c] & cAlnum
		if seen&cDigit != 0 && seen&cAlpha != 0 {
			return true
		}
	}
	return false
}

// idKeys are the keys, lower case and without '_', '-' and '.', whose
// values are machine ids; a key matches when it ends with one of them
// ("git_commit", "X-Request-ID", "parent_span_id").
var idKeys = []string{
	"commit", "sha", "sha1", "hash", "rev", "revision", "traceid", "spanid", "parentid",
	"requestid", "reqid", "uuid", "guid", "queueid", "qid", "orderid", "ordernumber", "orderno",
	"buildid", "snowflake", "messageid", "msgid", "eventid", "txid", "correlationid",
}

// idKey reports whether the value starting at i follows a key that names an
// id: `key=`, `key: `, `"key":"`, `key="`.
func idKey(text []byte, i int) bool {
	b, e, ok := keyBefore(text, i)
	return ok && idName(text[b:e])
}

// idName reports whether the key name is one of idKeys, or ends with one,
// ignoring case and '_', '-' and '.'.
func idName(name []byte) bool {
	var key [24]byte
	n := 0
	for j := len(name); j > 0 && n < len(key); j-- {
		if c := name[j-1]; c != '_' && c != '-' && c != '.' {
			key[len(key)-1-n] = lower(c)
			n++
		}
	}
	for _, w := range idKeys {
		if n >= len(w) && string(key[len(key)-len(w):]) == w {
			return true
		}
	}
	return false
}

// LookAlikeValue reports whether value is short enough for FieldLookAlike
// to hold: a test on its length only, cheap enough to come first.
func LookAlikeValue(value []byte) bool {
	return len(value) > 0 && len(value) <= idReach+16
}

// LookAlikeName reports whether FieldLookAlike can hold for some value
// under key: whether key is a version key or an id key. It depends on the
// key only, so a caller may remember it per field name.
func LookAlikeName(key []byte) bool {
	return len(key) > 0 && len(key) <= maxNameLen && (versionName(key) || idName(key))
}

// FieldLookAlike reports whether value, the whole value of a field named
// key (a JSON, logfmt or header key), is a look-alike the detectors must
// leave alone: a dotted quad under a version key ("app_version":
// "2.15.3.12"), or a single id token of letters, digits, '-' and '_' under
// an id key (commit=0870902, "trace_id": ...). The rules engine asks this
// before it scrubs a field's value, as the value is scanned without its
// key.
func FieldLookAlike(key, value []byte) bool {
	if len(key) == 0 || len(key) > maxNameLen || !LookAlikeValue(value) {
		return false
	}
	if versionName(key) && ipaddrV4(value) {
		return true
	}
	for _, c := range value {
		if !is(c, cAlnum) && c != '-' && c != '_' {
			return false
		}
	}
	return idName(key)
}

// keyBefore returns the span [b,e) of the key of the value starting at i:
// `key=v`, `key: v`, `"key":"v"`, `key="v"`. ok is false when no key is
// there.
func keyBefore(text []byte, i int) (b, e int, ok bool) {
	j := i
	if j > 0 && (text[j-1] == '"' || text[j-1] == '\'') {
		j--
	}
	for j > 0 && text[j-1] == ' ' && i-j < 2 {
		j--
	}
	if j == 0 || (text[j-1] != '=' && text[j-1] != ':') {
		return 0, 0, false
	}
	j--
	if j > 0 && (text[j-1] == '"' || text[j-1] == '\'') {
		j--
	}
	b = j
	for b > 0 && j-b < maxNameLen && is(text[b-1], cName) {
		b--
	}
	return b, j, b < j
}

// queueID reports whether [start,end) is a mail queue id in the position
// Postfix and Sendmail log it: after "]: " and followed by ':'
// ("postfix/smtpd[812]: 0292898515: client=...").
func queueID(text []byte, start, end int) bool {
	return hasPrefix(text, end, ":") && start >= 3 && hasPrefix(text, start-3, "]: ")
}
