package detect

import (
	"bytes"
	"encoding/binary"
)

// User names in free text, named by the word before them: "User 'jdoe'
// not found" (Java), "card declined for user jdoe" (Python), "user jdoe
// (jdoe@example.org) from 203.0.113.7", "login <jdoe>", "username:
// \"jdoe\"" — the words user, username and login, whole and in any case,
// then spaces or ": ", then the name. A quoted name ('…', "…", `…`, <…>) is
// taken whole; a bare one (not after "login") is a run of name bytes that is not one of the
// common words that follow "user" in prose ("user agent", "user not
// found", "user id"). A name the rules would keep anyway (a word like
// "clicked") may be pseudonymized: here, a leak would be worse.

// maxUserName bounds a user name taken from free text.
const maxUserName = 64

// userWordStops are the words after "user", "username" or "login" that
// are no name, in lower case.
var userWordStops = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range bytes.Fields([]byte(`a an the and or not no is was are were be been has had have
		does did do can cannot could will would should may must with without from for to of in on at by
		as if via into this that which who agent agents id ids uid name names account accounts data
		profile profiles session sessions request requests input interface error errors list info
		information management service services settings role roles group groups permission permissions
		record records object objects count type mode level space context details preferences
		logged login logout authenticated authentication unknown null none nil undefined failed
		succeeded successful success attempt attempts denied locked created deleted updated changed
		found exists already ok okay page form`)) {
		m[string(w)] = true
	}
	return m
}()

// userNameByte marks the bytes of a bare user name: letters, digits,
// ._@+- and the bytes of multi-byte UTF-8 characters.
var userNameByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 0x80 || is(byte(c), cAlnum) || bytes.IndexByte([]byte("._@+-"), byte(c)) >= 0
	}
	return t
}()

// nextUserWord finds the first user name at or after from that one of the
// words user, username or login names. It looks only at the bytes before
// each space, so a text without spaces costs one IndexByte.
func nextUserWord(text []byte, from int) (start, end int, ok bool) {
	for i := max(from-len("username: '"), 0); i < len(text); {
		j := bytes.IndexByte(text[i:], ' ')
		if j < 0 {
			break
		}
		sp := i + j
		i = sp + 1
		w := userWordBefore(text, sp)
		if w < 0 {
			continue
		}
		if s, e, ok := userNameAt(text, sp, w != wordLogin); ok && s >= from {
			return s, e, true
		}
	}
	return 0, 0, false
}

// The words that name a user; after "login" only a quoted name counts
// ("login ok", "login page").
var userWords = [...]string{"user", "username", "login"}

// wordLogin is the index of "login" in userWords.
const wordLogin = 2

// userWordBefore returns the index in userWords of the word (with an
// optional ':') that ends right before the space at sp, or -1.
func userWordBefore(text []byte, sp int) int {
	e := sp
	if e > 0 && text[e-1] == ':' {
		e--
	}
	if e == 0 {
		return -1
	}
	switch lower(text[e-1]) {
	case 'r', 'e', 'n': // the last letters of userWords
	default:
		return -1
	}
	for k, w := range userWords {
		s := e - len(w)
		if s < 0 || (s > 0 && is(text[s-1], cWord)) {
			continue
		}
		if foldedIs(text[s:e], w) {
			return k
		}
	}
	return -1
}

// foldedIs reports whether b is w in any case; w is lower case.
func foldedIs(b []byte, w string) bool {
	if len(b) != len(w) {
		return false
	}
	if len(b) >= 4 && binary.LittleEndian.Uint32(b)|0x20202020 != binary.LittleEndian.Uint32([]byte(w)) {
		return false // the common case: four bytes that are no keyword
	}
	for k := range len(b) {
		if lower(b[k]) != w[k] {
			return false
		}
	}
	return true
}

// userNameAt reads the name after the space at sp: spaces, then a quoted
// name or, when bare is set, a bare one that is not a stop word.
func userNameAt(text []byte, sp int, bare bool) (start, end int, ok bool) {
	i := sp
	for i < len(text) && text[i] == ' ' {
		i++
	}
	if i >= len(text) {
		return 0, 0, false
	}
	if q := closingQuote(text[i]); q != 0 {
		k := i + 1
		for k < len(text) && k-i <= maxUserName && text[k] != q && text[k] != '\n' {
			k++
		}
		if k < len(text) && text[k] == q && k > i+1 {
			return i + 1, k, true
		}
		return 0, 0, false
	}
	if !bare {
		return 0, 0, false
	}
	k := i
	for k < len(text) && k-i <= maxUserName && userNameByte[text[k]] {
		k++
	}
	for k > i && bytes.IndexByte([]byte(".,:;-"), text[k-1]) >= 0 {
		k-- // sentence punctuation after the name
	}
	if k == i || k-i > maxUserName || userStop(text[i:k]) {
		return 0, 0, false
	}
	return i, k, true
}

// closingQuote returns the byte that closes a name opened by c, or 0.
func closingQuote(c byte) byte {
	switch c {
	case '\'', '"', '`':
		return c
	case '<':
		return '>'
	}
	return 0
}

// userStop reports whether w, in any case, is one of userWordStops.
func userStop(w []byte) bool {
	if len(w) > 16 {
		return false
	}
	var b [16]byte
	for k, c := range w {
		b[k] = lower(c)
	}
	return userWordStops[string(b[:len(w)])]
}
