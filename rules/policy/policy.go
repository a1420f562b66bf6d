// Package policy writes the privacy-statement paragraph on server log
// files, and the record of the processing activity (Art. 30 GDPR style),
// from the effective, merged rules, so what a web hoster tells its
// customers can never drift from what tarn enforces.
//
// The text is derived from the rules as the engine applies them,
// defaults included: the data categories from the input format and the
// field rules, the truncation prefixes, pseudonym key rotation,
// redaction, scrubbing by the free-text detectors, the retention period
// and the aggregates. The package is pure: no I/O.
package policy

import (
	"errors"
	"fmt"

	"github.com/tarn-project/tarn/rules"
)

// Options select the language and format of a statement.
type Options struct {
	// Lang is "en" (default) or "de".
	Lang string
	// Format is "md" (default), "html" or "text".
	Format string
	// Recipients are the types of the sinks the entries go to ("loki",
	// "file", "stdout"); known types are described, others shown as
	// given. Optional.
	Recipients []string
}

// ErrOption marks an unknown language or format.
var ErrOption = errors.New("policy: unknown option")

// Langs are the supported languages.
var Langs = []string{"en", "de"}

// Formats are the supported output formats.
var Formats = []string{"md", "html", "text"}

// Render writes the privacy-statement paragraph for the merged rules c.
func Render(c *rules.Config, o Options) ([]byte, error) {
	l, err := langOf(o.Lang)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, errors.New("policy: no rules")
	}
	d := build(analyze(c, o.Recipients), l)
	switch orDefault(o.Format, "md") {
	case "md":
		return markdown(d), nil
	case "html":
		return htmlDoc(d)
	case "text":
		return plainText(d), nil
	}
	return nil, fmt.Errorf("%w: format %q (md, html, text)", ErrOption, o.Format)
}

// langOf returns the language named tag ("" is English).
func langOf(tag string) (*lang, error) {
	l, ok := langs[orDefault(tag, "en")]
	if !ok {
		return nil, fmt.Errorf("%w: language %q (en, de)", ErrOption, tag)
	}
	return l, nil
}
