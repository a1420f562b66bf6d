package detect

// MaxCutWalk bounds how far CutEnd walks back from a cut. It is longer than
// every identifier the detectors recognize by its whole shape (an e-mail
// address is at most 254 bytes, 256 with "%40"; an IBAN with spaces 42; an
// IPv6 address with a zone id about 60) and than a JSON Web Token as
// browsers send one (a cookie holds at most 4096 bytes). Longer tokens
// (Bearer credentials, URL tokens) are found by the scheme or parameter
// name before them, which is kept.
const MaxCutWalk = 4096

// Byte classes of CutEnd.
const (
	cutHard  = 1 << iota // ends every identifier: controls, quotes, brackets, ",;|<>`"
	cutGroup             // may make up a group of a spaced number: digits, A-Z, +()-/
)

var cutClass = func() (t [256]uint8) {
	for c := 0; c < 0x20; c++ {
		t[c] = cutHard
	}
	t[0x7f] = cutHard
	for _, c := range []byte("\"'`<>[]{}|,;") {
		t[c] = cutHard
	}
	for _, c := range []byte("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+()-/") {
		t[c] = cutGroup
	}
	return t
}()

// CutEnd returns how many bytes of kept, the start of a line that goes on
// with the byte next, to keep when the line is cut there, so that no part
// of an identifier that continues past the cut is kept: a detector could
// not recognize it and it would stay raw (max.mustermann@gmail.c,
// 2001:db8:1234:, DE89 3704 0044).
//
// The word at the cut is dropped back to the previous space or hard
// separator (a control byte, a quote, a bracket or one of ",;|<>`", none
// of which occurs in an identifier); nothing is dropped when next is a
// hard separator, or a space after a word that cannot be part of a spaced
// number. Spaced numbers (IBANs, cards, phones: "DE89 3704 0044",
// "+33 6 12 34 56", "(415) 971-8223") are dropped group by group: a space
// is crossed while the groups on both sides of it may be groups of such a
// number (made of digits, capitals and "+()-/", or four letters and
// digits like an IBAN group; the group at the cut may be empty). The walk
// stops after MaxCutWalk bytes, so a line without separators loses at most
// that much.
// CutEnd scans bytes and allocates nothing.
func CutEnd(kept []byte, next byte) int {
	n := len(kept)
	if cutClass[next]&cutHard != 0 {
		return n
	}
	lo := max(n-MaxCutWalk, 0)
	i := groupStart(kept, n, lo)
	if next == ' ' && !spacedGroup(kept[i:n]) {
		return n // a whole word ends at the cut
	}
	for end := n; i > lo && kept[i-1] == ' ' && spacedGroup(kept[i:end]); {
		j := groupStart(kept, i-1, lo)
		if !spacedGroup(kept[j : i-1]) {
			break
		}
		end, i = i-1, j
	}
	return i
}

// groupStart returns the start of the group that ends at end: just after
// the last space or hard separator before end, or lo.
func groupStart(b []byte, end, lo int) int {
	for i := end; i > lo; i-- {
		if c := b[i-1]; c == ' ' || cutClass[c]&cutHard != 0 {
			return i
		}
	}
	return lo
}

// spacedGroup reports whether g may be one group of a number written with
// spaces.
func spacedGroup(g []byte) bool {
	num := true
	for _, c := range g {
		if cutClass[c]&cutGroup == 0 {
			num = false
			if !is(c, cAlnum) {
				return false
			}
		}
	}
	return num || len(g) == 4
}

// CutStart returns how many bytes to drop from the start of b, which
// continues a line whose earlier part (ending with byte prev) was lost, so
// that no part of an identifier that began before the cut is kept: the
// mirror image of CutEnd, computed by it on b's start reversed into
// *scratch (reused, so CutStart allocates nothing once *scratch has grown
// to MaxCutWalk bytes). Container inputs and `tarn filter` cut so the
// record after one that could not be read.
func CutStart(b []byte, prev byte, scratch *[]byte) int {
	w := min(len(b), MaxCutWalk)
	rev := (*scratch)[:0]
	for i := w - 1; i >= 0; i-- {
		rev = append(rev, b[i])
	}
	*scratch = rev
	return w - CutEnd(rev, prev)
}
