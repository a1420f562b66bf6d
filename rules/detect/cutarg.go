package detect

import "bytes"

// PHP's Throwable::getTraceAsString cuts every string argument of a frame
// after zend.exception_string_param_max_len bytes (15 by default) and
// marks the cut with "..." before the closing quote:
//
//	#0 /var/www/html/mail.php(12): send('first.last+sh...', 42)
//
// A cut value has lost its end (an e-mail address its domain, a name its
// last letters), so no other detector can judge it; the cut argument
// detector finds every such argument, in frame lines and wherever frames
// are quoted (JSON strings, nginx's "PHP message:"), and its value is a
// token. PHP does not escape quotes inside strings, so the value is taken
// to start at the last quote after '(' or ", " before the cut.

// cutMark is the end of a cut string argument.
var cutMark = []byte("...'")

// maxCutArg bounds how far back from a cut its opening quote is looked
// for (PHP allows up to a million bytes; beyond this the start is lost).
const maxCutArg = 1024

// NextCutArg finds the first cut string argument of a PHP frame in text
// that starts at or after from: a quote after '(' or ", ", the value, and
// "...'" before ", ", ')' or the end of text. It returns the value's span
// without the "...".
func NextCutArg(text []byte, from int) (start, end int, ok bool) {
	for i := max(from, 0); i < len(text); {
		j := bytes.Index(text[i:], cutMark)
		if j < 0 {
			return 0, 0, false
		}
		c := i + j // the "..."
		if argEnd(text, c+len(cutMark)) {
			if q := openQuote(text, max(from, c-maxCutArg), c); q >= 0 && q+1 < c {
				return q + 1, c, true
			}
		}
		i = c + 1
	}
	return 0, 0, false
}

// openQuote returns the last quote in text[from:c] that opens an
// argument (after '(' or ", "), or -1.
func openQuote(text []byte, from, c int) int {
	for q := c - 1; q > from; q-- {
		if text[q] == '\'' && (text[q-1] == '(' || q-2 >= from && text[q-1] == ' ' && text[q-2] == ',') {
			return q
		}
	}
	return -1
}

// argEnd reports whether an argument may end before text[i:]: at the end,
// ')' or ", ".
func argEnd(text []byte, i int) bool {
	return i == len(text) || text[i] == ')' || bytes.HasPrefix(text[i:], []byte(", "))
}

// nextCutArg is NextCutArg for the detector set: an argument with '@' or
// "%40" is left to the e-mail detector, which finds an address cut after
// its '@' ('anna@exampl...') as an e-mail.
func nextCutArg(text []byte, from int) (start, end int, ok bool) {
	for {
		start, end, ok = NextCutArg(text, from)
		v := text[start:end]
		if !ok || bytes.IndexByte(v, '@') < 0 && !bytes.Contains(v, []byte("%40")) {
			return start, end, ok
		}
		from = end
	}
}
