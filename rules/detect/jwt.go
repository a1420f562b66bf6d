package detect

import "bytes"

// jwtMinHeader is the length of the shortest plausible encoded JOSE header
// ({"alg":"x"} is 14 characters long).
const jwtMinHeader = 16

// nextJWT finds the first JSON Web Token at or after from: a base64url
// header starting with "eyJ" (the encoding of `{"`), a payload and a
// signature (empty for alg "none"), separated by dots; a JWE's five parts
// are taken whole.
func nextJWT(text []byte, from int) (start, end int, ok bool) {
	// 'J' is rarer in text than 'e': look for it first.
	for j := max(from, 0) + 2; j < len(text); j++ {
		k := bytes.IndexByte(text[j:], 'J')
		if k < 0 {
			break
		}
		j += k
		i := j - 2
		if i >= from && text[i] == 'e' && text[i+1] == 'y' && !at(text, i-1, cB64URL) {
			if e, ok := parseJWT(text, i); ok {
				return i, e, true
			}
		}
	}
	return 0, 0, false
}

// parseJWT returns the end of the token starting at i.
func parseJWT(text []byte, i int) (int, bool) {
	h := runEnd(text, i, cB64URL)
	if h-i < jwtMinHeader || !hasPrefix(text, h, ".") {
		return 0, false
	}
	p := runEnd(text, h+1, cB64URL)
	if p-h-1 < 2 || !hasPrefix(text, p, ".") {
		return 0, false
	}
	end := runEnd(text, p+1, cB64URL)
	// A JWE has two more parts: ciphertext and tag.
	if hasPrefix(text, end, ".") {
		c := runEnd(text, end+1, cB64URL)
		if c > end+1 && hasPrefix(text, c, ".") {
			if t := runEnd(text, c+1, cB64URL); t > c+1 {
				end = t
			}
		}
	}
	return end, true
}
