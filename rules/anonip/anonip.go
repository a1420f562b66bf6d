// Package anonip is a byte-identical re-implementation of anonip 1.1.0
// (https://github.com/DigitaleGesellschaft/Anonip, the Debian package
// "anonip", run by Debian's Python 3.11) for tarn filter's
// anonip-compatible mode.
//
// Given the same flags, AppendLine plus the framing described below produce
// exactly the bytes anonip writes, quirks included:
//
//   - every line is rstrip()ped (all Unicode whitespace, not only "\n"); a
//     line that is then empty is written as an empty line;
//   - the line is split on the delimiter (default " ") and each selected
//     column (1-based; a column that does not exist is skipped, an empty
//     column is left alone) goes through extract_ip: first the whole column
//     as ipaddress.ip_network (so "1.2.3.4/32" or "1.2.3.0/24" are
//     networks and the column becomes the masked address alone), then the
//     hostname urlparse("//"+column) finds, after one trailing ']' is cut
//     off (so "1.2.3.4:80", "[::1]:443", "user@1.2.3.4", "1.2.3.4/24"
//     work and keep their decoration);
//   - the hostname is lower-cased before anonip searches the column for it,
//     so "[2001:DB8::1]:80" stays unchanged (the search fails), while a bare
//     "2001:DB8::1" is replaced by "2001:db8::";
//   - the masked address replaces every occurrence of that text in the
//     column (or, with --regex, in the whole line);
//   - "-4 n"/"-6 n" zero the n LOW bits; IPv4-mapped IPv6 addresses are
//     IPv6 (::ffff:1.2.3.4 becomes "::" with the default mask); zone ids
//     are dropped; IPv6 output is compressed lower-case hex (mapped
//     addresses too: "::ffff:102:0");
//   - invalid addresses (999.1.1.1, 01.2.3.4, 1.2.3) stay unchanged, or
//     become the --replace string when it is set and not empty;
//   - --increment adds n to the masked address unless the sum overflows
//     (then the masked address is kept);
//   - --skip-private leaves addresses for which Python's is_private is true
//     unmasked, but still normalized (str() of the address replaces the
//     text, so "fe80::0001" becomes "fe80::1" and "10.0.0.1/32" "10.0.0.1").
//
// # Line framing
//
// anonip reads sys.stdin line by line. On Linux stdin splits lines only at
// "\n" ("\r" is an ordinary character, removed at the end of a line by
// rstrip), and every output line is printed with a "\n", so: a "\r\n"
// line ending becomes "\n"; a last line without "\n" still gets one; an
// empty input gives an empty output; a NUL byte is an ordinary character.
// ScanLines and AppendText implement exactly this. With --input FILE anonip
// opens the file with universal newlines instead, so a lone "\r" also ends
// a line (ScanLinesUniversal).
//
// Invalid UTF-8 is carried through byte for byte, as anonip does in the
// C, POSIX and C.UTF-8 locales or with PYTHONUTF8=1 (surrogateescape on
// stdin and stdout). Under another UTF-8 locale anonip dies with a
// UnicodeDecodeError on the first invalid byte, and with --input FILE it
// always does; tarn does not emulate those crashes.
//
// # Known divergences
//
//   - A column that is a network whose prefix is shorter than the kept
//     prefix ("10.0.0.0/8" with the default -4 12) makes anonip 1.1.0 crash
//     with "ValueError: new prefix must be shorter" and stop reading. tarn
//     treats such a column as "not an address" (unchanged, or --replace).
//   - --regex: anonip iterates over set(match.groups()), whose order is
//     randomized per Python process (PYTHONHASHSEED). When replacements
//     interact (one group's text contains another's), anonip's own output
//     varies between runs; tarn processes distinct groups in group order.
//   - --regex patterns are Python re syntax translated to Go's RE2; see
//     New for what is translated and what is rejected.
//   - Increments beyond the range of Go's int cannot be expressed.
//   - tarn filter cuts lines longer than 256 KiB (max_line_bytes of the
//     default mode) so that its memory stays bounded; anonip holds a line
//     whole, however long. This package itself has no limit.
package anonip

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"unicode/utf8"
)

// Options mirrors anonip's command-line flags.
type Options struct {
	IPv4Mask    int      // -4/--ipv4mask: number of LOW bits to zero, 1..32 (default 12)
	IPv6Mask    int      // -6/--ipv6mask: number of LOW bits to zero, 1..128 (default 84)
	Increment   int      // -i/--increment: added to the masked address, 0 = off, else >= 1
	Columns     []int    // -c/--column: 1-based column numbers (default [1]; nil means [1])
	Delimiter   string   // -l/--delimiter: column separator (default " ")
	Regex       []string // --regex: Python patterns, joined with "|"; replaces Columns/Delimiter
	Replace     string   // -r/--replace: written for columns/groups without an address; "" = off
	SkipPrivate bool     // -p/--skip-private: leave Python-is_private addresses unmasked
}

// DefaultOptions returns anonip's defaults: -4 12 -6 84 -c 1 -l " ".
func DefaultOptions() Options {
	return Options{IPv4Mask: 12, IPv6Mask: 84, Columns: []int{1}, Delimiter: " "}
}

// Anonymizer applies one anonip configuration to lines. It is immutable
// after New and safe for concurrent use.
type Anonymizer struct {
	keep4, keep6 int    // prefix lengths kept: 32-IPv4Mask, 128-IPv6Mask
	increment    uint64 // 0 = off
	cols         []column
	delim        []byte
	re           *regexp.Regexp // nil in column mode
	replace      []byte         // nil = off
	skipPrivate  bool
}

// column is a 0-based column index and how often -c named it (anonip
// processes a repeated column repeatedly).
type column struct{ index, count int }

// ErrInvalidOptions is wrapped by every error New returns.
var ErrInvalidOptions = errors.New("anonip: invalid options")

// New validates o like anonip's argument parser and compiles it.
//
// Ranges: IPv4Mask 1..32, IPv6Mask 1..128, Increment 0 (off) or >= 1,
// every column >= 1. The Delimiter must be non-empty (anonip crashes on an
// empty one) and valid UTF-8 (only then are byte and character splits the
// same). The caller must reject -c/-l together with --regex, as anonip's
// parser does; New ignores Columns and Delimiter when Regex is set.
//
// Regex: the patterns are joined with "|" and translated from Python re to
// RE2. Translated: \d \w \s and their negations to their Unicode meaning
// (Python's default; ASCII under a leading (?a)), \Z, \xhh, \uhhhh,
// \Uhhhhhhhh, octal escapes, {,n}, a literal '[' inside a class, (?#...)
// comments, and leading global flags (?imsau). Rejected with an error:
// backreferences, lookaround, atomic groups, possessive quantifiers,
// conditionals, (?x) verbose mode, (?L), \N{...}, \W or \S inside a
// class, escapes Python does not know (\z, \p, \Q, ...) and global flags
// that are not at the start. Remaining differences: \b and \B use ASCII
// word characters; (?i) uses Go's simple case folding; Go tables are a
// newer Unicode version; a class containing U+FFFD also matches a byte
// of invalid UTF-8; RE2 rejects repeat counts above 1000.
func New(o Options) (*Anonymizer, error) {
	return build(o, true)
}

// build validates and compiles o. Without cliRanges masks of 0 are
// accepted, as anonip's Anonip class (unlike its command line) does; the
// tests use that for the upstream cases with a mask of 0.
func build(o Options, cliRanges bool) (*Anonymizer, error) {
	lo := 0
	if cliRanges {
		lo = 1
	}
	var errs []error
	if o.IPv4Mask < lo || o.IPv4Mask > 32 {
		errs = append(errs, fmt.Errorf("ipv4mask: must be an integer between 1 and 32, got %d", o.IPv4Mask))
	}
	if o.IPv6Mask < lo || o.IPv6Mask > 128 {
		errs = append(errs, fmt.Errorf("ipv6mask: must be an integer between 1 and 128, got %d", o.IPv6Mask))
	}
	if o.Increment < 0 {
		errs = append(errs, fmt.Errorf("increment: must be a positive integer, got %d", o.Increment))
	}
	a := &Anonymizer{
		keep4: 32 - o.IPv4Mask, keep6: 128 - o.IPv6Mask,
		increment: uint64(max(o.Increment, 0)), skipPrivate: o.SkipPrivate,
	}
	if o.Replace != "" {
		a.replace = []byte(o.Replace)
	}
	var err error
	if len(o.Regex) > 0 {
		a.re, err = compileRegex(o.Regex)
	} else {
		a.cols, a.delim, err = columnSetup(o.Columns, o.Delimiter)
	}
	if err := errors.Join(append(errs, err)...); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	return a, nil
}

// columnSetup validates -c and -l and groups repeated columns.
func columnSetup(cols []int, delim string) ([]column, []byte, error) {
	var errs []error
	if delim == "" {
		errs = append(errs, errors.New("delimiter: must not be empty"))
	} else if !utf8.ValidString(delim) {
		errs = append(errs, errors.New("delimiter: must be valid UTF-8"))
	}
	if len(cols) == 0 {
		cols = []int{1}
	}
	sorted := slices.Sorted(slices.Values(cols))
	var out []column
	for _, c := range sorted {
		switch {
		case c < 1:
			errs = append(errs, fmt.Errorf("column: must be a positive integer, got %d", c))
		case len(out) > 0 && out[len(out)-1].index == c-1:
			out[len(out)-1].count++
		default:
			out = append(out, column{index: c - 1, count: 1})
		}
	}
	return out, []byte(delim), errors.Join(errs...)
}

// AppendLine appends the anonymized form of one input line to dst, without
// a line terminator. line is one line as anonip's stdin loop reads it, with
// or without its trailing "\n" (see the package documentation for
// framing); the result is what anonip prints before its "\n". The caller
// must not pass a line containing "\n" elsewhere.
//
// In column mode AppendLine allocates nothing when dst has enough capacity
// (about twice the line), except for a bracketed IPv6 address whose zone id
// ends in a truncated UTF-8 sequence. In --regex mode each matching line
// costs one small allocation (the submatch indexes).
func (a *Anonymizer) AppendLine(dst, line []byte) []byte {
	line = rstrip(line)
	if len(line) == 0 {
		return dst
	}
	if a.re != nil {
		return a.appendRegexLine(dst, line)
	}
	return a.appendColumns(dst, line)
}

// appendColumns is process_line_column: split, process the selected
// columns, join. Columns after the last selected one are copied unsplit.
func (a *Anonymizer) appendColumns(dst, line []byte) []byte {
	cols := a.cols
	for index := 0; len(cols) > 0; index++ {
		end := bytes.Index(line, a.delim)
		col := line
		if end >= 0 {
			col = line[:end]
		}
		if cols[0].index == index {
			dst = a.appendColumnN(dst, col, cols[0].count)
			cols = cols[1:]
		} else {
			dst = append(dst, col...)
		}
		if end < 0 {
			return dst
		}
		dst = append(dst, a.delim...)
		line = line[end+len(a.delim):]
	}
	return append(dst, line...)
}

// appendColumnN processes one column n times in a row, as anonip does for
// a column named n times; intermediate results live in dst's tail.
func (a *Anonymizer) appendColumnN(dst, col []byte, n int) []byte {
	mark := len(dst)
	dst = a.appendColumn(dst, col)
	for ; n > 1; n-- {
		end := len(dst)
		dst = a.appendColumn(dst, dst[mark:end])
		dst = dst[:mark+copy(dst[mark:], dst[end:])]
	}
	return dst
}

// appendColumn appends one processed column.
func (a *Anonymizer) appendColumn(dst, col []byte) []byte {
	if len(col) == 0 {
		return dst
	}
	if ref, ok := extractIP(col); ok {
		if ref.whole {
			if out, ok := a.appendProcessed(dst, ref.net); ok {
				return out
			}
		} else if out, ok := a.appendIPReplaced(dst, col, col, ref); ok {
			return out
		}
	}
	if a.replace != nil {
		return append(dst, a.replace...)
	}
	return append(dst, col...)
}

// appendIPReplaced appends hay.replace(ip_str, str(process_ip(net))) where
// ip_str is ref's text in in. It reports false, appending nothing, where
// anonip would crash.
func (a *Anonymizer) appendIPReplaced(dst, hay, in []byte, ref ipRef) ([]byte, bool) {
	mark := len(dst)
	dst, ok := a.appendProcessed(dst, ref.net)
	if !ok {
		return dst, false
	}
	repl := dst[mark:]
	needle, matchable := in, true
	if !ref.whole {
		dst, needle, matchable = ref.appendNeedle(dst, in)
	}
	out := len(dst)
	if matchable {
		dst = appendReplaceAll(dst, hay, needle, repl)
	} else {
		dst = append(dst, hay...)
	}
	return dst[:mark+copy(dst[mark:], dst[out:])], true
}

// appendProcessed appends str(process_ip(net)): the network address if
// --skip-private applies, else the address truncated to the kept prefix
// plus the increment. It reports false where anonip 1.1.0 crashes
// (supernet: "new prefix must be shorter").
func (a *Anonymizer) appendProcessed(dst []byte, n network) ([]byte, bool) {
	if a.skipPrivate && isPrivate(n.a) {
		return appendAddr(dst, n.a), true
	}
	keep := a.keep4
	if n.a.v6 {
		keep = a.keep6
	}
	t := n.a
	if n.prefix != 0 { // supernet() of a /0 returns the network itself
		if keep > n.prefix {
			return dst, false
		}
		t = t.maskLow(keep)
	}
	if a.increment != 0 {
		if u, ok := t.add(a.increment); ok {
			t = u
		}
	}
	return appendAddr(dst, t), true
}
