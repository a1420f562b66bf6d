package detect

// Quoted local parts and display names of e-mail addresses.

// nameReach bounds how far back a quoted local part or a display name is
// looked for, so that scanning stays linear.
const nameReach = 64

// nameWords is the most words of an unquoted display name.
const nameWords = 4

// quotedLocal returns the start of a quoted local part that ends at the
// separator at sep (`"john doe"@`, or `\"john doe\"@` inside a JSON
// string), not before from; sep when there is none. The span includes the
// quotes and their backslashes.
func quotedLocal(text []byte, sep, from int) int {
	q, esc := sep-1, false
	if q <= from || text[q] != '"' {
		return sep
	}
	if text[q-1] == '\\' {
		q, esc = q-1, true
	}
	open := quoteStart(text, q, from, esc)
	if open < 0 || open+1 == q {
		return sep
	}
	if esc {
		open--
	}
	return open
}

// quoteStart returns the index of the '"' that opens the quoted string
// whose closing quote (or its backslash, when esc) is at end, at most
// nameReach bytes back and not before from; -1 when there is none. An
// escaped string opens at `\"`.
func quoteStart(text []byte, end, from int, esc bool) int {
	for k := end - 1; k >= from && end-k <= nameReach; k-- {
		c := text[k]
		if c < ' ' || c == 0x7f {
			return -1
		}
		if c != '"' {
			continue
		}
		if !esc {
			return k
		}
		if k-1 >= from && text[k-1] == '\\' {
			return k
		}
		return -1
	}
	return -1
}

// displayName returns the display name of the address [s,e) when it is
// written `Name <addr>` or `"Name" <addr>`: the quoted string (without its
// quotes), or up to nameWords words with a letter each, at most nameReach
// bytes, that end before the '<' and start after ':', ',', '=', a bracket,
// a quote, a word without a letter, a glue word such as "to", or from. ok is false when there is no
// name starting at or after from.
func displayName(text []byte, s, e, from int) (start, end int, ok bool) {
	if s-1 <= from || text[s-1] != '<' || e >= len(text) || text[e] != '>' {
		return 0, 0, false
	}
	j := s - 1
	for j > from && text[j-1] == ' ' && s-j < 3 {
		j--
	}
	if j > from && text[j-1] == '"' {
		q, esc := j-1, j-2 >= from && text[j-2] == '\\'
		if esc {
			q--
		}
		open := quoteStart(text, q, from, esc)
		if open < 0 || open+1 >= q {
			return 0, 0, false
		}
		return open + 1, q, true
	}
	start = nameStart(text, j, from)
	return start, j, start < j
}

// nameStart returns the start of the unquoted display name that ends at
// end (see displayName); end when there is none.
func nameStart(text []byte, end, from int) int {
	start, words := end, 0
	for k := end; k > from && end-k < nameReach; {
		w := k
		letter := false
		for w > from && end-w < nameReach && nameByte(text[w-1]) {
			w--
			letter = letter || is(text[w], cAlpha) || text[w] >= 0x80
		}
		if w == k || !letter || glueWord(text[w:k]) {
			break
		}
		start, words = w, words+1
		if words == nameWords || w == from || text[w-1] != ' ' {
			break
		}
		k = w - 1
	}
	return start
}

// glueWords are lower-case words that come before a display name in logs
// ("mail to Hannah Schwarz <...>") and are not part of it.
var glueWords = []string{"to", "from", "for", "by", "and", "or", "via", "sent", "mail", "cc", "bcc",
	"reply", "at", "user", "sender", "recipient", "rcpt"}

// glueWord reports whether w is one of glueWords, in lower case.
func glueWord(w []byte) bool {
	for _, g := range glueWords {
		if string(w) == g {
			return true
		}
	}
	return false
}

// nameByte reports whether c may be part of a word of a display name:
// letters, digits, '.', '-', '\” and the bytes of UTF-8 letters.
func nameByte(c byte) bool {
	return is(c, cAlnum) || c == '.' || c == '-' || c == '\'' || c >= 0x80
}
