package detect

import "bytes"

// Postal addresses in free text.
//
// nextStreet anchors on the postcode: a run of four or five digits (an
// optional country prefix "D-", "CH-"; the Dutch "1234 AB" form) followed
// by a space and a capitalized town. Only then does it look back, a
// bounded number of bytes, for a house number and a street in one of the
// shapes below, so plain prose ("the main street", "Weg 5 of the plan"),
// dates, versions, ports and years never pay more than the digit test:
//
//	Lindenstraße 69, 24103 Kiel        a capitalized word ending in a
//	Hauptstr. 5, D-10115 Berlin        German or Dutch street word (straße,
//	Keizersgracht 123, 1015 CJ Amsterdam  strasse, str., weg, gasse, platz,
//	Mariahilfer Straße 12, 1060 Wien   allee, ring, damm, ufer, chaussee,
//	                                   steig, pfad, straat, laan, plein,
//	                                   gracht), or the street word alone
//	                                   after a capitalized word
//	Via Roma 12, 00184 Roma            an Italian, Spanish or Catalan street
//	Calle de Alcalá, 42, 28014 Madrid  word first (via, viale, piazza, corso,
//	                                   calle, avenida, plaza, paseo, carrer, …)
//	An der Alster 93, 20099 Hamburg    a German preposition first (am, an,
//	                                   auf, im, in, zum, zur, unter, …), only
//	                                   before a five-digit postcode
//	12 rue de la Paix, 75002 Paris     the number first, then a French street
//	                                   word (rue, avenue, boulevard, place, …)
//
// The span is the whole address, street through town. Street and town
// words may hold UTF-8 letters (umlauts, ß, accents). English and US
// addresses (number, street, town, then a UK postcode or a state and ZIP
// code) are not found, nor other streets without a street word
// ("Platz der Republik 1", "Straße des 17. Juni 135"), nor addresses
// without a postcode and town.

// streetMinDigits is the fewest digits a postal address holds: a house
// number and a postcode.
const streetMinDigits = 5

// Limits of the look-back from a postcode, which keep the scan linear.
const (
	streetMaxWords = 6  // words of a street name between its street word and the number
	streetMaxWord  = 40 // bytes of one word
)

// streetSuffixes are the German and Dutch street words that end a street
// name, lower case: "Lindenstraße", "Hauptstr.", "Keizersgracht", or a
// word of their own ("Münchner Straße").
var streetSuffixes = [...]string{
	"stra\xc3\x9fe", "strasse", "str.", "str", "weg", "gasse", "platz", "allee", "ring", "damm",
	"ufer", "chaussee", "steig", "pfad", "straat", "laan", "plein", "gracht",
}

// streetPrefixes are the Italian, Spanish, Catalan and Portuguese street
// words that start a street name before its number: "Via Roma 12".
var streetPrefixes = [...]string{
	"via", "viale", "piazza", "piazzale", "corso", "largo", "vicolo", "calle", "c/",
	"avenida", "avda.", "avda", "plaza", "paseo", "carrer", "avinguda", "rua",
}

// streetPrepositions are the German prepositions that start a street
// name without a street word: "Am Markt", "An der Alster", "Unter den
// Linden". They count only capitalized and before a five-digit postcode.
var streetPrepositions = [...]string{
	"am", "an", "auf", "im", "in", "zum", "zur", "unter", "hinter", "vor", "beim", "bei", "\xc3\x9cber", // Über
}

// streetFrench are the French street words that follow the number:
// "12 rue de la Paix".
var streetFrench = [...]string{
	"rue", "avenue", "boulevard", "bd", "place", "all\xc3\xa9e", "impasse", "chemin",
	"quai", "cours", "route",
}

// streetConnectors are the lower-case words a street name may hold
// between its capitalized words: "rue de la Paix", "Via della Spiga".
var streetConnectors = [...]string{
	"de", "du", "des", "la", "le", "les", "et", "aux", "au", "sur", "en",
	"der", "dem", "den", "die", "das",
	"di", "del", "della", "dei", "degli", "delle", "dello", "las", "los", "el", "y", "i", "da", "do", "dos",
}

// townLinks are the words that continue a town name before another
// capitalized word: "Frankfurt am Main", "Frankfurt an der Oder".
var townLinks = [...]string{"am ", "an der ", "im ", "ob der ", "bei ", "in "}

// nextStreet finds the next postal address in free text that starts at or
// after from. It allocates nothing and runs in time linear in the text: a
// postcode is followed by a space (after the two letters of a Dutch one),
// so only the bytes before each space are looked at, and each postcode
// candidate looks at no more than a fixed number of bytes around it.
func nextStreet(text []byte, from int) (start, end int, ok bool) {
	for i := max(from, 0); i < len(text); {
		j := bytes.IndexByte(text[i:], ' ')
		if j < 0 {
			break
		}
		e := i + j
		i = e + 1
		if e >= 2 && is(text[e-1], cUpper) && is(text[e-2], cUpper) {
			e -= 2 // "1015CJ Amsterdam"
		}
		b := e
		for b > 0 && e-b <= 5 && text[b-1]-'0' <= 9 {
			b--
		}
		if n := e - b; (n == 4 || n == 5) && !at(text, b-1, cAlnum|cUnder) {
			if te, ok := townAfter(text, e, n); ok {
				if s, ok := streetBefore(text, b, n == 5); ok && s >= from {
					return s, te, true
				}
			}
		}
	}
	return 0, 0, false
}

// townAfter returns the end of the town that follows a postcode of n
// digits ending at e: a space and a capitalized word, after the two
// letters of a Dutch postcode ("1015 CJ Amsterdam", "1015CJ Amsterdam").
func townAfter(text []byte, e, n int) (int, bool) {
	if n == 4 {
		switch {
		case e+3 < len(text) && text[e] == ' ' && is(text[e+1], cUpper) && is(text[e+2], cUpper) && text[e+3] == ' ':
			e += 3
		case e+2 < len(text) && is(text[e], cUpper) && is(text[e+1], cUpper) && text[e+2] == ' ':
			e += 2
		}
	}
	if e >= len(text) || text[e] != ' ' {
		return 0, false
	}
	te, ok := capWord(text, e+1)
	if !ok {
		return 0, false
	}
	// "St. Gallen", "Frankfurt am Main", "Halle (Saale)"
	if te-e <= 4 && te+2 < len(text) && text[te] == '.' && text[te+1] == ' ' {
		if e2, ok := capWord(text, te+2); ok {
			return e2, true
		}
	}
	for _, l := range townLinks {
		if hasPrefix(text, te+1, l) && te < len(text) && text[te] == ' ' {
			if e2, ok := capWord(text, te+1+len(l)); ok {
				return e2, true
			}
		}
	}
	if te+2 < len(text) && text[te] == ' ' && text[te+1] == '(' {
		if e2, ok := capWord(text, te+2); ok && e2 < len(text) && text[e2] == ')' {
			return e2 + 1, true
		}
	}
	return te, true
}

// capWord returns the end of the capitalized word of at least two letters
// at i ("Kiel", "München", "Villingen-Schwenningen", "L'Aquila").
// A word that runs on into a dot and a letter ("Foo.Bar", a host or a
// class name) is none.
func capWord(text []byte, i int) (int, bool) {
	if !capitalAt(text, i) {
		return 0, false
	}
	e := i
	for e < len(text) && e-i <= streetMaxWord && (letter(text[e]) || (text[e] == '-' || text[e] == '\'') && e+1 < len(text) && letter(text[e+1])) {
		e++
	}
	if e-i < 2 || e-i > streetMaxWord || at(text, e, cDigit|cUnder) {
		return 0, false
	}
	if e+1 < len(text) && (text[e] == '.' || text[e] == '@' || text[e] == '/') && (is(text[e+1], cDigit) || letter(text[e+1])) {
		return 0, false
	}
	return e, true
}

// capitalAt reports whether text[i] starts an upper-case letter: A-Z, or
// the two-byte UTF-8 form of an upper-case Latin letter (À-Þ, and the
// even letters of Latin Extended-A such as Ł, Ś, Ž).
func capitalAt(text []byte, i int) bool {
	if i < 0 || i >= len(text) {
		return false
	}
	c := text[i]
	if is(c, cUpper) {
		return true
	}
	if i+1 >= len(text) {
		return false
	}
	d := text[i+1]
	switch c {
	case 0xc3:
		return d >= 0x80 && d <= 0x9e && d != 0x97
	case 0xc4, 0xc5:
		return d >= 0x80 && d <= 0xbf && d&1 == 0
	}
	return false
}

// streetBefore returns the start of the street and house number that end
// before the postcode at ps, after an optional country prefix ("D-") and
// a separator (spaces, a comma). long says the postcode has five digits.
func streetBefore(text []byte, ps int, long bool) (int, bool) {
	q := ps
	if q >= 2 && text[q-1] == '-' {
		k := q - 1
		for k > 0 && q-1-k < 2 && is(text[k-1], cUpper) {
			k--
		}
		if k == q-1 {
			return 0, false
		}
		q = k
	}
	q, ok := sepBefore(text, q)
	if !ok {
		return 0, false
	}
	if s, ok := numberLast(text, q, long); ok {
		return s, true
	}
	return numberFirst(text, q)
}

// sepBefore skips back over the separator that ends at q: one to three
// spaces, tabs or line breaks, with at most one comma or semicolon among
// them, or a comma alone.
func sepBefore(text []byte, q int) (int, bool) {
	k, comma := q, false
	for k > 0 && q-k < 3 {
		c := text[k-1]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			k--
		} else if (c == ',' || c == ';') && !comma {
			comma = true
			k--
		} else {
			break
		}
	}
	return k, k < q
}

// houseNumberBack returns the start of the house number that ends at q:
// one to four digits with an optional letter ("12a", "221B", "69 a"),
// and up to two more groups after '-' or '/' (a range "12-14", an
// Austrian staircase and door "12/3/7").
func houseNumberBack(text []byte, q int) (int, bool) {
	j := q
	switch {
	case j >= 2 && is(text[j-1], cAlpha) && is(text[j-2], cDigit):
		j-- // "12a"
	case j >= 3 && is(text[j-1], cAlpha) && text[j-2] == ' ' && is(text[j-3], cDigit) && !at(text, j, cAlpha):
		j -= 2 // "69 a"
	}
	k, ok := digitsBack(text, j)
	if !ok {
		return 0, false
	}
	for g := 0; g < 2 && k >= 2 && (text[k-1] == '-' || text[k-1] == '/') && is(text[k-2], cDigit); g++ {
		m, ok := digitsBack(text, k-1)
		if !ok {
			break
		}
		k = m
	}
	return k, true
}

// digitsBack returns the start of the run of one to four digits that
// ends at j.
func digitsBack(text []byte, j int) (int, bool) {
	k := j
	for k > 0 && j-k <= 4 && is(text[k-1], cDigit) {
		k--
	}
	return k, k < j && j-k <= 4
}

// numberLast finds a street whose house number ends at q and follows it
// (German, Dutch, Italian, Spanish order).
func numberLast(text []byte, q int, long bool) (int, bool) {
	ns, ok := houseNumberBack(text, q)
	if !ok || ns < 2 || text[ns-1] != ' ' {
		return 0, false
	}
	r, comma := ns-1, false
	if text[r-1] == ',' {
		r, comma = r-1, true
	}
	if !comma {
		if s, ok := suffixStreet(text, r); ok {
			return s, true
		}
	}
	return prefixStreet(text, r, long)
}

// wordBack returns the start of the word that ends at j: letters, UTF-8
// bytes, hyphens, apostrophes, dots and slashes, at most streetMaxWord bytes.
func wordBack(text []byte, j int) int {
	k := j
	for k > 0 && j-k < streetMaxWord {
		c := text[k-1]
		if !(letter(c) || c == '-' || c == '\'' || c == '.' || c == '/') {
			break
		}
		k--
	}
	if k > 0 && j-k >= streetMaxWord {
		return j // too long to be a word of a street name
	}
	return k
}

// suffixStreet finds a street name that ends at r in a street word:
// "Lindenstraße", "Theodor-Heuss-Ring", "Hauptstr.", or "Münchner Straße".
func suffixStreet(text []byte, r int) (int, bool) {
	ws := wordBack(text, r)
	if ws == r || !capitalAt(text, ws) {
		return 0, false
	}
	w := text[ws:r]
	for _, s := range streetSuffixes {
		if !hasFoldSuffix(w, s) {
			continue
		}
		stem := len(w) - len(s)
		if hasInnerDot(w) {
			return 0, false
		}
		if stem == 0 {
			// The street word alone: a capitalized word before it names
			// the street ("Münchner Straße", "Berliner Allee").
			if ws < 2 || text[ws-1] != ' ' {
				return 0, false
			}
			ps := wordBack(text, ws-1)
			if ps == ws-1 || !capitalAt(text, ps) || hasInnerDot(text[ps:ws-1]) {
				return 0, false
			}
			return ps, true
		}
		if w[stem-1] == '-' {
			return ws, true
		}
		if stem < 3 {
			return 0, false
		}
		if s == "ring" && isVowel(w[stem-1]) {
			return 0, false // "Offering", "Monitoring": English words in -ing
		}
		return ws, true
	}
	return 0, false
}

// prefixStreet finds a street name that ends at r and starts with an
// Italian, Spanish or Catalan street word: "Via Roma", "Calle de Alcalá";
// or, before a five-digit (German) postcode, with a capitalized German
// preposition: "Am Markt", "An der Alster", "Unter den Linden". A
// four-digit postcode is too often a year for those ("In Room 12, 2025").
func prefixStreet(text []byte, r int, long bool) (int, bool) {
	return streetWordBack(text, r, func(word []byte, ws int) bool {
		return inFold(word, streetPrefixes[:]) || long && capitalAt(text, ws) && inFold(word, streetPrepositions[:])
	})
}

// streetWordBack walks back over the words of a street name that ends at
// j, at most streetMaxWords, to the first one after the last for which
// isStreetWord holds, and returns that word's start. Every word walked
// over must be a name word, one space before the next.
func streetWordBack(text []byte, j int, isStreetWord func(word []byte, ws int) bool) (int, bool) {
	for w := 0; w <= streetMaxWords; w++ {
		ws := wordBack(text, j)
		if ws == j {
			return 0, false
		}
		if w > 0 && isStreetWord(text[ws:j], ws) {
			return ws, true
		}
		if !nameWord(text, ws, j, w == 0) {
			return 0, false
		}
		if ws < 2 || text[ws-1] != ' ' {
			return 0, false
		}
		j = ws - 1
	}
	return 0, false
}

// numberFirst finds a French street whose name ends at q and whose house
// number comes first: "12 rue de la Paix", "3, Rue de Général-Leclerc",
// "7 bis avenue Foch".
func numberFirst(text []byte, q int) (int, bool) {
	k, ok := streetWordBack(text, q, func(word []byte, _ int) bool { return inFold(word, streetFrench[:]) })
	if !ok || k < 2 || text[k-1] != ' ' {
		return 0, false
	}
	k--
	if text[k-1] == ',' {
		k--
	}
	for _, x := range [...]string{" bis", " ter"} {
		if k >= len(x) && hasFoldSuffix(text[:k], x) {
			k -= len(x)
			break
		}
	}
	ns, ok := houseNumberBack(text, k)
	if !ok || at(text, ns-1, cDomain|cUnder) {
		return 0, false
	}
	return ns, true
}

// nameWord reports whether text[ws:we] may be a word of a street name: a
// capitalized word ("Roma", "Général-Leclerc"), an elided article before
// one ("dell'Indipendenza", "d'Alsace"), or, except as the last word, a
// connector ("de", "della").
func nameWord(text []byte, ws, we int, last bool) bool {
	w := text[ws:we]
	if hasInnerDot(w) {
		return false
	}
	if capitalAt(text, ws) {
		return true
	}
	for k := 1; k < len(w) && k <= 5; k++ {
		if w[k] == '\'' {
			return capitalAt(text, ws+k+1)
		}
	}
	return !last && inFold(w, streetConnectors[:])
}

// hasInnerDot reports whether w holds a '.' or '/' before its last byte:
// a host, package, file name or path, not a word.
func hasInnerDot(w []byte) bool {
	for k := 0; k+1 < len(w); k++ {
		if w[k] == '.' || w[k] == '/' {
			return true
		}
	}
	return false
}

// letter reports whether c is an ASCII letter or a byte of a UTF-8
// multi-byte sequence (umlauts, ß, accented letters).
func letter(c byte) bool { return is(c, cAlpha) || c >= 0x80 }

// inFold reports whether w is one of the lower-case words, ignoring the
// case of ASCII letters.
func inFold(w []byte, words []string) bool {
	for _, s := range words {
		if len(s) == len(w) && hasFoldPrefix(w, 0, s) {
			return true
		}
	}
	return false
}

// hasFoldSuffix reports whether w ends with the lower-case s, ignoring
// the case of ASCII letters.
func hasFoldSuffix(w []byte, s string) bool {
	return len(w) >= len(s) && hasFoldPrefix(w, len(w)-len(s), s)
}

// isVowel reports whether c is an ASCII vowel.
func isVowel(c byte) bool {
	switch lower(c) {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}
