package rules

import (
	"errors"
	"regexp"
	"strconv"
	"time"

	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/pseudo"
	"github.com/tarn-project/tarn/rules/strictyaml"
)

// Validate checks every value the file sets and reports all problems at
// once as *strictyaml.FieldError values.
func (c *Config) Validate() error {
	var errs []error
	fail := func(path, f string, args ...any) { errs = append(errs, strictyaml.Errorf(path, f, args...)) }
	if c.Format != "" {
		if _, err := format.ParseFormat(c.Format); err != nil {
			fail("format", "unknown format %q (auto, combined, common, json, logfmt, text)", clip(c.Format))
		}
	}
	if c.Pseudonyms.Rotation != "" {
		if _, err := pseudo.ParseRotation(c.Pseudonyms.Rotation); err != nil {
			fail("pseudonyms.rotation", "must be daily, weekly, monthly or never, got %q", clip(c.Pseudonyms.Rotation))
		}
	}
	if l := c.Pseudonyms.Length; l != 0 && (l < 8 || l > 64) {
		fail("pseudonyms.length", "must be 8..64, got %d", l)
	}
	if c.Retention.MaxAge != nil && time.Duration(*c.Retention.MaxAge) <= 0 {
		fail("retention.max_age", "must be positive")
	}
	if b := c.Retention.BackupMaxAge; b != nil && (time.Duration(*b) <= 0 || c.Retention.MaxAge != nil && *b < *c.Retention.MaxAge) {
		fail("retention.backup_max_age", "must be positive and not shorter than retention.max_age")
	}
	if c.OnUnparsed != "" && c.OnUnparsed != "scrub" && c.OnUnparsed != "drop" {
		fail("on_unparsed", "must be scrub or drop, got %q", clip(c.OnUnparsed))
	}
	if c.MaxLineBytes < 0 || (c.MaxLineBytes != 0 && c.MaxLineBytes < 256) {
		fail("max_line_bytes", "must be at least 256 bytes")
	}
	if c.TruncateIP != nil {
		errs = append(errs, c.TruncateIP.validate("truncate_ip"))
	}
	for k, a := range c.Fields {
		errs = append(errs, a.validate(strictyaml.Join("fields", k), false))
	}
	for k, a := range c.Keys {
		errs = append(errs, a.validate(strictyaml.Join("keys", k), false))
	}
	errs = append(errs, c.Detect.validate())
	for i, d := range c.DropRecords {
		errs = append(errs, d.validate(strictyaml.Join("drop_records", index(i))))
	}
	for i, t := range c.Tests {
		errs = append(errs, t.validate(strictyaml.Join("tests", index(i))))
	}
	errs = append(errs, c.validateRoute())
	return errors.Join(errs...)
}

func index(i int) string { return "[" + strconv.Itoa(i) + "]" }

// validate checks one action at path; inDetect limits it to the actions a
// detector match can take.
func (a *Action) validate(path string, inDetect bool) error {
	name, n := a.name()
	switch {
	case n == 0:
		return strictyaml.Errorf(path, "no action given")
	case n > 1:
		return strictyaml.Errorf(path, "more than one action given")
	}
	p := strictyaml.Join(path, name)
	if inDetect {
		switch name {
		case "truncate_ip", "pseudonymize", "redact", "keep":
		default:
			return strictyaml.Errorf(p, "a detector's action must be truncate_ip, pseudonymize, redact or off")
		}
	}
	switch {
	case a.TruncateIP != nil:
		return a.TruncateIP.validate(p)
	case a.Pseudonymize != nil:
		switch a.Pseudonymize.Form {
		case "", "hex", "ipv6", "decimal":
		default:
			return strictyaml.Errorf(strictyaml.Join(p, "form"), "must be hex, ipv6 or decimal, got %q", clip(a.Pseudonymize.Form))
		}
		if l := a.Pseudonymize.Length; l != 0 && (l < 8 || l > 64) {
			return strictyaml.Errorf(strictyaml.Join(p, "length"), "must be 8..64, got %d", l)
		}
	case a.Redact != nil && a.Redact.With != nil:
		return checkPlaceholder(strictyaml.Join(p, "with"), *a.Redact.With)
	case a.Mask != nil:
		if a.Mask.KeepFirst < 0 || a.Mask.KeepLast < 0 {
			return strictyaml.Errorf(p, "keep_first and keep_last must not be negative")
		}
		if len(a.Mask.Char) > 1 {
			return strictyaml.Errorf(strictyaml.Join(p, "char"), "must be one character")
		}
		if a.Mask.Char != "" {
			return checkPlaceholder(strictyaml.Join(p, "char"), a.Mask.Char)
		}
	case a.CoarsenTime != nil:
		switch a.CoarsenTime.To {
		case "", "minute", "hour", "day":
		default:
			return strictyaml.Errorf(strictyaml.Join(p, "to"), "must be minute, hour or day, got %q", clip(a.CoarsenTime.To))
		}
	}
	return nil
}

func (t *TruncateIP) validate(path string) error {
	var errs []error
	if t.IPv4Prefix != nil && (*t.IPv4Prefix < 0 || *t.IPv4Prefix > 32) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "ipv4_prefix"), "must be 0..32, got %d", *t.IPv4Prefix))
	}
	if t.IPv6Prefix != nil && (*t.IPv6Prefix < 0 || *t.IPv6Prefix > 128) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "ipv6_prefix"), "must be 0..128, got %d", *t.IPv6Prefix))
	}
	if t.Placeholder != nil {
		errs = append(errs, checkPlaceholder(strictyaml.Join(path, "placeholder"), *t.Placeholder))
	}
	return errors.Join(errs...)
}

// checkPlaceholder allows printable ASCII without quotes, backslashes or
// spaces, so a placeholder never breaks the structure of a line.
func checkPlaceholder(path, s string) error {
	if s == "" {
		return strictyaml.Errorf(path, "must not be empty")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == '"' || c == '\\' || c == '=' {
			return strictyaml.Errorf(path, "may hold only printable ASCII without spaces, quotes, '=' or backslashes")
		}
	}
	return nil
}

func (d *Detect) validate() error {
	var errs []error
	for k, a := range d.Actions {
		p := strictyaml.Join("detect.actions", k)
		kind, err := detect.ParseKind(k)
		if err != nil || kind == detect.Custom {
			errs = append(errs, strictyaml.Errorf(p, "unknown detector (ipv4, ipv6, email, phone, iban, card, jwt, auth, secret, token)"))
			continue
		}
		errs = append(errs, a.validate(p, true))
		if a.TruncateIP != nil && kind != detect.IPv4 && kind != detect.IPv6 {
			errs = append(errs, strictyaml.Errorf(p, "truncate_ip applies only to ipv4 and ipv6"))
		}
	}
	for i, pt := range d.Patterns {
		p := strictyaml.Join("detect.patterns", index(i))
		if pt.Name == "" {
			errs = append(errs, strictyaml.Errorf(strictyaml.Join(p, "name"), "required"))
		}
		if _, err := regexp.Compile(pt.Regex); err != nil || pt.Regex == "" {
			errs = append(errs, strictyaml.Errorf(strictyaml.Join(p, "regex"), "not a valid RE2 expression"))
		}
		if pt.Action != nil {
			errs = append(errs, pt.Action.validate(strictyaml.Join(p, "action"), true))
			if pt.Action.TruncateIP != nil {
				errs = append(errs, strictyaml.Errorf(strictyaml.Join(p, "action"), "truncate_ip applies only to ipv4 and ipv6"))
			}
		}
	}
	return errors.Join(errs...)
}

func (d *DropRecord) validate(path string) error {
	var errs []error
	if d.Field == "" {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "field"), "required"))
	}
	if d.Regex != "" {
		if _, err := regexp.Compile(d.Regex); err != nil {
			errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "regex"), "not a valid RE2 expression"))
		}
	}
	if len(d.Equals)+len(d.Prefix)+len(d.Contains) == 0 && d.Regex == "" {
		errs = append(errs, strictyaml.Errorf(path, "needs one of equals, prefix, contains, regex"))
	}
	return errors.Join(errs...)
}

func (t *Test) validate(path string) error {
	var errs []error
	if t.Input == "" {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "input"), "required"))
	}
	if t.Expected == "" && !t.Dropped {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "expected"), "required unless dropped: true"))
	}
	if t.Format != "" {
		if _, err := format.ParseFormat(t.Format); err != nil {
			errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "format"), "unknown format %q", clip(t.Format)))
		}
	}
	if t.Now != "" {
		if _, err := time.Parse(time.RFC3339, t.Now); err != nil {
			errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, "now"), "must be an RFC 3339 time"))
		}
	}
	return errors.Join(errs...)
}
