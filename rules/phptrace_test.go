package rules

import (
	"strings"
	"testing"
)

// TestPHPTraceCutArguments: under the default rules the string arguments
// PHP cut in a stack-trace frame are pseudonymized (their local parts do
// not survive), whole arguments go through the detectors and the frame
// keeps its shape.
func TestPHPTraceCutArguments(t *testing.T) {
	p := defaultEngine(t).NewProcessor()
	for _, c := range []struct{ line, gone, kept string }{
		{`#0 /var/www/html/index.php(12): Account->find('lukas.okonkwo12...')`, "lukas.okonkwo12", `#0 /var/www/html/index.php(12): Account->find('`},
		{`#0 /var/www/mail.php(12): send('first.last+sh...', 42)`, "first.last", `...', 42)`},
		{`#1 [internal function]: Mailer->to('anna@example.de', 'anna@exampl...')`, "anna", `#1 [internal function]: Mailer->to('`},
		{`#2 {main}`, "", `#2 {main}`},
	} {
		out, res := p.Append(nil, []byte(c.line), testTime)
		if c.gone != "" && strings.Contains(string(out), c.gone) || !strings.Contains(string(out), c.kept) || res.Format.String() != "php_trace" {
			t.Errorf("%s\n got %s (%v)\nwant no %q, with %q", c.line, out, res.Format, c.gone, c.kept)
		}
	}
}
