package format

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// phpFrameCases are frame lines of PHP stack traces with the fields the
// parser must find.
var phpFrameCases = []struct {
	line   string
	fields []string
}{
	{`#0 /var/www/html/index.php(12): Account->find('first.last+sh...')`, []string{
		"php.frame:bare=/var/www/html/index.php(12): Account->find('first.last+sh...')",
		"php.arg:bare=first.last+sh^php.frame",
	}},
	{`#0 /var/www/mail.php(12): send('anna@exampl...', 42, 'ok', NULL, 'SELECT * FROM u...')`, []string{
		"php.frame:bare=/var/www/mail.php(12): send('anna@exampl...', 42, 'ok', NULL, 'SELECT * FROM u...')",
		"php.arg:bare=anna@exampl^php.frame",
		"php.arg:bare=SELECT * FROM u^php.frame",
	}},
	{`#12 [internal function]: App\Kernel->handle(Object(App\Request), 'jane@example.de')`, []string{
		"php.frame:bare=[internal function]: App\\Kernel->handle(Object(App\\Request), 'jane@example.de')",
	}},
	{"#2 {main}\r", []string{"php.frame:bare={main}"}},
	// PHP does not escape quotes: the string ends at "...'" before ", " or ')'
	{`#3 /a.php(7): f('it's a...', 'x...'y...', 'b...')`, []string{
		"php.frame:bare=/a.php(7): f('it's a...', 'x...'y...', 'b...')",
		"php.arg:bare=it's a^php.frame",
		"php.arg:bare=x...'y^php.frame",
		"php.arg:bare=b^php.frame",
	}},
	// zend.exception_string_param_max_len = 0: nothing is left to name
	{`#0 /a.php(1): f('...')`, []string{"php.frame:bare=/a.php(1): f('...')"}},
	{`#0 /a.php(1): f(Array, '...x')`, []string{"php.frame:bare=/a.php(1): f(Array, '...x')"}},
}

// TestPHPFrame parses every case as php_trace and as auto: the same
// fields, and Rewrite without edits gives the line back.
func TestPHPFrame(t *testing.T) {
	for _, c := range phpFrameCases {
		for _, f := range []Format{PHPTrace, Auto} {
			var rec Record
			if !Parse(f, []byte(c.line), nil, &rec) || rec.Format != PHPTrace {
				t.Fatalf("Parse(%v, %q): format %v", f, c.line, rec.Format)
			}
			if got := dump(&rec); !slices.Equal(got, c.fields) {
				t.Errorf("Parse(%v, %q) fields:\n got %q\nwant %q", f, c.line, got, c.fields)
			}
			checkInvariants(t, &rec)
		}
	}
}

// TestPHPFrameNot: lines that are no frame are not php_trace under auto;
// php_trace itself takes any "#<n> " line, so that a rewritten frame
// still parses.
func TestPHPFrameNot(t *testing.T) {
	for _, l := range []string{`#1 priority: call bob`, `# comment`, `#x /a.php(1): f()`, `#0`, `#0 /a.php(x): f()`, `#0 /a.php: f()`, `#12`, `##0 {main}`} {
		var rec Record
		Parse(Auto, []byte(l), nil, &rec)
		if rec.Format == PHPTrace {
			t.Errorf("Auto %q: php_trace", l)
		}
	}
	var rec Record
	if !Parse(PHPTrace, []byte(`#1 priority: call bob`), nil, &rec) || Parse(PHPTrace, []byte(`#x y`), nil, &rec) || Parse(PHPTrace, []byte(`#1`), nil, &rec) {
		t.Errorf("Parse(PHPTrace) accepts the wrong lines")
	}
}

// FuzzPHPFrame checks the parser on any line: invariants, every php.arg
// inside php.frame and followed by "...'", and edits keep the line a
// frame with the same number of fields.
func FuzzPHPFrame(f *testing.F) {
	for _, c := range phpFrameCases {
		f.Add(c.line, []byte("x y'\n"))
	}
	f.Fuzz(func(t *testing.T, line string, value []byte) {
		var rec Record
		if !Parse(PHPTrace, []byte(line), nil, &rec) {
			if strings.HasPrefix(line, "#") && looksPHPFrame([]byte(line)) {
				t.Fatalf("%q looks like a frame but does not parse", line)
			}
			return
		}
		checkInvariants(t, &rec)
		for _, fd := range rec.Fields[1:] {
			if fd.Parent != 0 || !bytes.HasPrefix(rec.Line[fd.Value.End:], []byte("...'")) {
				t.Fatalf("%q: php.arg %v not a cut argument of the frame", line, fd.Value)
			}
		}
		edits := []Edit{{Field: 0, Value: value}}
		var again Record
		out := Rewrite(nil, &rec, edits)
		if !Parse(PHPTrace, out, nil, &again) || bytes.Count(out, []byte("\n")) > strings.Count(line, "\n") {
			t.Fatalf("edit broke the frame: %q -> %q", line, out)
		}
	})
}

// TestPHPFrameLong: a frame of many quotes and cut marks parses in one
// pass, with one php.arg per cut argument.
func TestPHPFrameLong(t *testing.T) {
	line := "#0 /a.php(1): f(" + strings.Repeat("'x...'y...', ", 50000) + "'z...')"
	var rec Record
	if !Parse(Auto, []byte(line), nil, &rec) || rec.Format != PHPTrace || len(rec.Fields) != 50002 {
		t.Fatalf("format %v, %d fields", rec.Format, len(rec.Fields))
	}
}
