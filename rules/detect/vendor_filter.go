package detect

import (
	"bytes"
	"encoding/binary"
)

// vendorMaxRules bounds the number of catalogue rules (ruleMask's size).
const vendorMaxRules = 256

// ruleMask holds one bit per catalogue rule.
type ruleMask [vendorMaxRules / 64]uint64

func (m *ruleMask) set(i int)      { m[i>>6] |= 1 << (i & 63) }
func (m *ruleMask) has(i int) bool { return m[i>>6]&(1<<(i&63)) != 0 }

// vendorFilter finds which rules' keywords occur in a text, ignoring case,
// in one pass and without allocating. It is a hand-written multi-pattern
// filter. On text without any keyword (the common case) it costs about 0.5
// ns a byte; an Aho-Corasick automaton costs one dependent table load per
// byte (github.com/coregx/ahocorasick v0.3.1's IsMatch took 30 ns a byte on
// the same lines, already lower-cased).
//
// Bytes are folded with OR 0x20 (upper-case letters become lower-case; a
// few punctuation pairs such as '_' and DEL fall together, which only lets
// more through to the exact comparison). At every even offset i the three
// folded bytes from i are hashed into a 128 Kibit table that holds two
// three-byte grams of every keyword, one at an even and one at an odd
// offset of the keyword: a keyword at an even offset of the text has its
// even-offset grams at even offsets, one at an odd offset its odd-offset
// grams. Of the grams possible the rarest in typical log text is used
// (rareGram), so "sentry" is looked for by "ntr" and "try", not by "sen"
// and "ent". A keyword of three bytes at an odd offset has only two of its
// bytes at the next even offset; the table holds them with every possible
// folded third byte. Keywords of two bytes (azure's "q~") are looked for
// separately by their second byte with bytes.IndexByte. Eight bytes (four
// grams) are tested at a time. Only where the table says yes does a second
// test run, on the four bytes from i where the keyword has four bytes from
// there (three-byte grams such as "est" of "test_" are common in text,
// four-byte ones much less), and then the exact comparison.
type vendorFilter struct {
	tri    [1 << triBits / 64]uint64   // first hash of the folded three bytes
	check3 [1 << checkBits / 64]uint64 // second hash of three bytes, for keywords ending there
	check4 [1 << checkBits / 64]uint64 // hash of the four bytes from there, for the others
	grams  map[uint32][]gramAt         // folded three bytes → keywords
	words  []vendorKeyword             // keywords of three or more bytes
	two    []vendorKeyword             // keywords of two bytes
}

// vendorKeyword is one keyword (lower case) of the rules with the indexes
// rules.
type vendorKeyword struct {
	word  string
	rules []int
}

// set marks k's rules in cand.
func (k *vendorKeyword) set(cand *ruleMask) {
	for _, r := range k.rules {
		cand.set(r)
	}
}

// gramAt is a keyword (index into words) whose three bytes from off are a
// gram; a keyword is found where a gram is, off bytes before.
type gramAt struct {
	word, off int
}

const (
	triBits   = 17
	checkBits = 16
)

func triHash(w uint32) uint32   { return (w << 8 * 0x9E3779B1) >> (32 - triBits) }
func checkHash(w uint32) uint32 { return (w << 8 * 0x85EBCA77) >> (32 - checkBits) }
func quadHash(w uint32) uint32  { return (w * 0xC2B2AE35) >> (32 - checkBits) }

// newVendorFilter builds the filter for the keywords of each rule.
// Keywords of one byte are ignored (a rule with only those never runs).
func newVendorFilter(keywords [][]string) *vendorFilter {
	f := &vendorFilter{grams: map[uint32][]gramAt{}}
	var words []vendorKeyword
	index := map[string]int{}
	for r, kws := range keywords {
		for _, k := range kws {
			if len(k) < 2 {
				continue
			}
			j, ok := index[k]
			if !ok {
				j = len(words)
				index[k] = j
				words = append(words, vendorKeyword{word: k})
			}
			words[j].rules = append(words[j].rules, r)
		}
	}
	freq := sampleGrams()
	for _, kw := range words {
		k := kw.word
		if len(k) == 2 {
			f.two = append(f.two, kw)
			continue
		}
		f.words = append(f.words, kw)
		j := len(f.words) - 1
		if len(k) >= 4 {
			e, o := rareGram(k, 0, freq), rareGram(k, 1, freq)
			f.add(k, j, e, fold3(k, e))
			f.add(k, j, o, fold3(k, o))
			continue
		}
		f.add(k, j, 0, fold3(k, 0))
		for c := uint32(0x20); c < 0x100; c++ {
			if c&0x20 != 0 {
				f.add(k, j, 1, fold3(k[1:3], 0)&0xffff|c<<16)
			}
		}
	}
	return f
}

// rareGram returns the offset of the three bytes of k, at an even offset
// (parity 0) or an odd one (parity 1), least likely in log text: fewest in
// vendorLogSample (freq), then by the frequency of their bytes. A keyword
// at an even offset of the text has its even-offset grams at even offsets,
// one at an odd offset its odd-offset grams. Of "sentry", "ntr" and "try"
// are tested, not "sen" and "ent".
func rareGram(k string, parity int, freq map[uint32]int) int {
	best, bestScore := parity, 0.0
	for off := parity; off+3 <= len(k); off += 2 {
		score := float64(freq[fold3(k, off)]) * 1e6
		for _, c := range []byte(k[off : off+3]) {
			score += byteFreq(c) * 1e3
		}
		if off == parity || score < bestScore {
			best, bestScore = off, score
		}
	}
	return best
}

// sampleGrams counts the folded three-byte grams of vendorLogSample.
func sampleGrams() map[uint32]int {
	m := map[uint32]int{}
	for i := 0; i+3 <= len(vendorLogSample); i++ {
		m[fold3(vendorLogSample, i)]++
	}
	return m
}

// vendorLogSample is typical log text (written for this purpose, not from
// real logs), to tell common grams from rare ones.
const vendorLogSample = `203.0.113.7 - - [20/Nov/2026:13:55:36 +0100] "GET /api/v1/products?page=2&lang=en HTTP/1.1" 200 5120 "https://www.example.com/search?q=test" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
198.51.100.23 - alice [20/Nov/2026:13:55:37 +0100] "POST /account/login HTTP/2.0" 302 0 "-" "curl/8.4.0"
{"ts":"2026-11-20T13:55:36.123Z","level":"info","logger":"http.server","msg":"request completed","method":"GET","path":"/static/app.js","status":200,"duration_ms":3.2,"bytes":48213,"remote_addr":"192.0.2.10","user_agent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"}
{"time":"2026-11-20T13:55:40Z","severity":"ERROR","service":"payment-service","message":"connection refused while contacting database","error":"dial tcp 10.0.0.5:5432: connect: connection refused","attempt":3,"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}
time=2026-11-20T13:55:41Z level=warn component=scheduler msg="job took longer than expected" job=cleanup-temporary-files duration=12.5s content_type=application/json
Nov 20 13:55:42 web01 sshd[1234]: Accepted publickey for deploy from 198.51.100.4 port 52114 ssh2: ED25519 SHA256:abcdefghijklmnop
Nov 20 13:55:43 web01 systemd[1]: Started Daily Cleanup of Temporary Directories; kernel: eth0 link is up, network interface configured
2026/11/20 13:55:44 [error] 1234#1234: *5678 open() "/var/www/html/favicon.ico" failed (2: No such file or directory), client: 203.0.113.9, server: example.org, request: "GET /favicon.ico HTTP/1.1", host: "example.org", referrer: "https://example.org/index.html"
INFO  [main] org.springframework.boot.StartupInfoLogger: Starting application using Java 21 with PID 4242; Tomcat initialized with port 8080 (http); the test suite passed; internal interface restarted`

// byteFreq is a rough frequency (per cent) of a lower-case byte in log
// text: English letter frequencies; digits, '.', '/' and '-' frequent in
// addresses, paths and times; other punctuation rare.
func byteFreq(c byte) float64 {
	if c >= 'a' && c <= 'z' {
		return letterFreq[c-'a']
	}
	switch {
	case c >= '0' && c <= '9':
		return 3
	case c == '.' || c == '/' || c == '-' || c == ' ' || c == ':':
		return 4
	}
	return 1
}

// letterFreq is the frequency (per cent) of each letter in English text.
var letterFreq = [26]float64{
	8.2, 1.5, 2.8, 4.3, 12.7, 2.2, 2.0, 6.1, 7.0, 0.15, 0.8, 4.0, 2.4,
	6.7, 7.5, 1.9, 0.1, 6.0, 6.3, 9.1, 2.8, 1.0, 2.4, 0.15, 2.0, 0.07,
}

// fold3 returns the three folded bytes of s from i, little-endian.
func fold3(s string, i int) uint32 {
	var w uint32
	for j := 2; j >= 0; j-- {
		var c uint32
		if i+j < len(s) {
			c = uint32(s[i+j])
		}
		w = w<<8 | c | 0x20
	}
	return w
}

// add enters the gram w at offset off of keyword k, words[j]. When k has
// four bytes from off, the second check is on all four.
func (f *vendorFilter) add(k string, j, off int, w uint32) {
	t := triHash(w)
	f.tri[t>>6] |= 1 << (t & 63)
	if len(k) >= off+4 {
		h := quadHash(w | (uint32(k[off+3])|0x20)<<24)
		f.check4[h>>6] |= 1 << (h & 63)
	} else {
		h := checkHash(w)
		f.check3[h>>6] |= 1 << (h & 63)
	}
	f.grams[w] = append(f.grams[w], gramAt{word: j, off: off})
}

// match sets in cand the rules with a keyword in text and reports whether
// there was any.
func (f *vendorFilter) match(text []byte, cand *ruleMask) bool {
	found := false
	for i := range f.two {
		found = f.twoByte(text, &f.two[i], cand) || found
	}
	t := &f.tri
	i := 0
	for ; i+9 <= len(text); i += 8 {
		x := binary.LittleEndian.Uint64(text[i:]) | 0x2020202020202020
		y := uint32(text[i+8]) | 0x20
		h0, h1, h2, h3 := triHash(uint32(x)), triHash(uint32(x>>16)), triHash(uint32(x>>32)), triHash(uint32(x>>48)|y<<16)
		if (t[h0>>6]>>(h0&63)|t[h1>>6]>>(h1&63)|t[h2>>6]>>(h2&63)|t[h3>>6]>>(h3&63))&1 != 0 {
			found = f.block(text, i, cand) || found
		}
	}
	if i+2 <= len(text) {
		// The last one to eight bytes, padded with folded zeros (spaces,
		// which no gram has in the default catalogue).
		var b [9]byte
		copy(b[:], text[i:])
		x := binary.LittleEndian.Uint64(b[:]) | 0x2020202020202020
		y := uint32(b[8]) | 0x20
		h0, h1, h2, h3 := triHash(uint32(x)), triHash(uint32(x>>16)), triHash(uint32(x>>32)), triHash(uint32(x>>48)|y<<16)
		if (t[h0>>6]>>(h0&63)|t[h1>>6]>>(h1&63)|t[h2>>6]>>(h2&63)|t[h3>>6]>>(h3&63))&1 != 0 {
			for ; i+2 <= len(text); i += 2 {
				found = f.gram(text, i, cand) || found
			}
		}
	}
	return found
}

// block looks at the even offsets i to i+6 of a block the table let
// through.
func (f *vendorFilter) block(text []byte, i int, cand *ruleMask) bool {
	x := binary.LittleEndian.Uint64(text[i:]) | 0x2020202020202020
	found := false
	for k := 0; k < 4; k++ {
		if h := triHash(uint32(x >> (16 * k))); f.tri[h>>6]&(1<<(h&63)) != 0 || k == 3 {
			found = f.gram(text, i+2*k, cand) || found
		}
	}
	return found
}

// gram compares the keywords one of whose two grams may be the three folded
// bytes at the even offset i.
func (f *vendorFilter) gram(text []byte, i int, cand *ruleMask) bool {
	var w4 uint32
	if i+4 <= len(text) {
		w4 = binary.LittleEndian.Uint32(text[i:]) | 0x20202020
	} else {
		var b [4]byte
		copy(b[:], text[i:])
		w4 = binary.LittleEndian.Uint32(b[:]) | 0x20202020
	}
	w := w4 & 0xffffff
	if h := triHash(w); f.tri[h>>6]&(1<<(h&63)) == 0 {
		return false
	}
	h3, h4 := checkHash(w), quadHash(w4)
	if f.check3[h3>>6]&(1<<(h3&63)) == 0 && f.check4[h4>>6]&(1<<(h4&63)) == 0 {
		return false
	}
	found := false
	for _, g := range f.grams[w] {
		k := &f.words[g.word]
		if st := i - g.off; st >= 0 && hasFold(text, st, k.word) {
			k.set(cand)
			found = true
		}
	}
	return found
}

// twoByte looks for the two-byte keyword k by its second byte.
func (f *vendorFilter) twoByte(text []byte, k *vendorKeyword, cand *ruleMask) bool {
	for i := 1; i < len(text); {
		j := indexFold(text[i:], k.word[1])
		if j < 0 {
			break
		}
		i += j
		if lower(text[i-1]) == k.word[0] {
			k.set(cand)
			return true
		}
		i++
	}
	return false
}

// indexFold is bytes.IndexByte for the lower-case byte c, ignoring the
// case of a letter.
func indexFold(b []byte, c byte) int {
	i := bytes.IndexByte(b, c)
	if u := c - 'a' + 'A'; c >= 'a' && c <= 'z' {
		if j := bytes.IndexByte(b, u); j >= 0 && (i < 0 || j < i) {
			i = j
		}
	}
	return i
}

// hasFold reports whether text holds the lower-case word w at i, ignoring
// the case of ASCII letters in text.
func hasFold(text []byte, i int, w string) bool {
	if len(text)-i < len(w) {
		return false
	}
	for j := 0; j < len(w); j++ {
		if lower(text[i+j]) != w[j] {
			return false
		}
	}
	return true
}
