package format

import (
	"bytes"

	"github.com/tarn-project/tarn/rules/detect"
)

// Field names of the PHP stack-frame parser. They are shared by every
// Record and must not be modified.
var (
	namePHPFrame     = []byte("php.frame")
	namePHPArg       = []byte("php.arg")
	phpMain          = []byte("{main}")
	phpInternal      = []byte("[internal function]: ")
	phpFrameLineMark = []byte("): ")
)

// PHP's Throwable::getTraceAsString writes one line per frame:
//
//	#0 /var/www/html/index.php(12): Account->find('first.last+sh...', 42)
//	#1 [internal function]: App\Kernel->handle(Object(Request))
//	#2 {main}
//
// and cuts every string argument after zend.exception_string_param_max_len
// bytes (15 by default, 0 to 1000000) with "..." before the closing quote.
// The detectors cannot judge a cut value, whose end is missing (an e-mail
// address without its domain, a name without its last letters), so the
// parser names every cut string argument php.arg, which the rules
// pseudonymize; the rest of the frame is php.frame, scrubbed as text.

// looksPHPFrame reports whether line has the shape of a frame: "#<n> "
// and then "{main}", "[internal function]: " or "<file>(<line>): ".
func looksPHPFrame(line []byte) bool {
	s, ok := phpFrameStart(line)
	if !ok {
		return false
	}
	rest := line[s:]
	if bytes.HasPrefix(rest, phpMain) || bytes.HasPrefix(rest, phpInternal) {
		return true
	}
	c := bytes.Index(rest, phpFrameLineMark)
	if c <= 0 {
		return false
	}
	o := bytes.LastIndexByte(rest[:c], '(')
	return o > 0 && isDigits(rest[o+1:c])
}

// phpFrameStart returns the index after the "#<n> " a frame starts with.
func phpFrameStart(line []byte) (int, bool) {
	if len(line) < 3 || line[0] != '#' {
		return 0, false
	}
	i := 1
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	return i + 1, i > 1 && i < len(line) && line[i] == ' '
}

// parsePHPFrame parses a frame line "#<n> <rest>": php.frame is the rest,
// and each cut string argument in it a php.arg without its "...". Any rest
// is accepted, so a rewritten frame stays one.
func (r *Record) parsePHPFrame() bool {
	s, ok := phpFrameStart(r.Line)
	if !ok {
		return false
	}
	r.Format = PHPTrace
	e := len(r.Line)
	for e > s && (r.Line[e-1] == '\r' || r.Line[e-1] == ' ') {
		e--
	}
	m := r.addField(namePHPFrame, Span{}, Span{s, e}, Bare, false, -1)
	r.phpCutArgs(m, s, e)
	return true
}

// phpCutArgs adds a php.arg for every cut string argument in b[s:e]
// (detect.NextCutArg).
func (r *Record) phpCutArgs(m, s, e int) {
	for pos := s; ; {
		a, z, ok := detect.NextCutArg(r.Line[:e], pos)
		if !ok {
			return
		}
		r.addField(namePHPArg, Span{}, Span{a, z}, Bare, false, m)
		pos = z + len("...'")
	}
}
