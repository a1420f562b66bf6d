// Package rules turns raw log lines into anonymized entries: it loads and
// validates rules files, and runs their actions and detectors over lines.
//
// Everything here is pure: no goroutines, no network, and file reads only
// when loading a rules file. A Processor runs the compiled rules over one
// line at a time, reusing its buffers, so the hot path allocates nothing.
package rules

import (
	"fmt"

	"github.com/tarn-project/tarn/rules/aggregate"
	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/strictyaml"
)

// Config is one rules file, as written by the user.
type Config struct {
	// Name names the rule set in messages and in the privacy statement.
	Name string `yaml:"name,omitempty"`
	// Version is the rule set's own version, free text.
	Version string `yaml:"version,omitempty"`
	// Description says what the rule set is for.
	Description string `yaml:"description,omitempty"`
	// Extends lists rule sets this one builds on: "builtin:NAME" or a path
	// relative to this file. Later entries and this file override earlier ones.
	Extends []string `yaml:"extends,omitempty"`
	// Format is the input format when the caller sets none (default auto).
	Format string `yaml:"format,omitempty"`
	// TimeKeys are the JSON/logfmt keys that may hold the record time.
	TimeKeys []string `yaml:"time_keys,omitempty"`
	// Retention bounds the age of records that are kept.
	Retention Retention `yaml:"retention,omitempty"`
	// Pseudonyms sets key rotation and the default pseudonym form.
	Pseudonyms Pseudonyms `yaml:"pseudonyms,omitempty"`
	// TruncateIP sets the default prefixes of every IP truncation.
	TruncateIP *TruncateIP `yaml:"truncate_ip,omitempty"`
	// Fields maps exact field names or dotted JSON paths to an action; a
	// path ending in ".*" applies to every field below it (a request body).
	Fields map[string]Action `yaml:"fields,omitempty"`
	// Keys maps key names, matched case-insensitively against the last
	// element of a field's path, to an action.
	Keys map[string]Action `yaml:"keys,omitempty"`
	// ScrubUnknown runs the detectors over string fields no rule names
	// (default true). Off, such fields are kept as they are.
	ScrubUnknown *bool `yaml:"scrub_unknown,omitempty"`
	// Detect configures the free-text detectors.
	Detect Detect `yaml:"detect,omitempty"`
	// DropRecords drops whole records whose fields match.
	DropRecords []DropRecord `yaml:"drop_records,omitempty"`
	// OnUnparsed is what happens to a line no parser understands: scrub
	// (default) or drop.
	OnUnparsed string `yaml:"on_unparsed,omitempty"`
	// MaxLineBytes cuts longer lines (default 256KiB), where no identifier
	// is cut in half (the word at the cut is dropped); cuts are counted.
	MaxLineBytes strictyaml.Size `yaml:"max_line_bytes,omitempty"`
	// Metadata maps structured metadata names to fields: each entry
	// carries the keyed pseudonym of the field's raw value beside its line
	// (Loki's structured metadata, never a stream label), e.g.
	// `client: remote_addr` to follow one client through an incident. An
	// empty field (`client: ""`) removes an entry a parent rule set made.
	Metadata map[string]string `yaml:"metadata,omitempty"`
	// Tenant routes records to a tenant by a field's value.
	Tenant *Tenant `yaml:"tenant,omitempty"`
	// Aggregate configures the privacy-safe aggregates (requests, bytes,
	// durations, routes, distinct visitors) computed from the records.
	Aggregate *aggregate.Config `yaml:"aggregate,omitempty"`
	// Tests are example lines with their expected output.
	Tests []Test `yaml:"tests,omitempty"`
}

// Retention bounds the age of kept records.
type Retention struct {
	// MaxAge drops records older than this (default 168h, 7 days).
	MaxAge *strictyaml.Duration `yaml:"max_age,omitempty"`
	// BackupMaxAge is how long backups keep the logs at most. tarn does
	// not make backups; the value documents the operator's promise in the
	// generated privacy statement and must not be shorter than MaxAge.
	BackupMaxAge *strictyaml.Duration `yaml:"backup_max_age,omitempty"`
}

// Pseudonyms configures keyed pseudonyms.
type Pseudonyms struct {
	// Rotation is daily (default), weekly, monthly or never.
	Rotation string `yaml:"rotation,omitempty"`
	// Length is the default number of hex characters (default 16).
	Length int `yaml:"length,omitempty"`
}

// Detect configures the free-text detectors.
type Detect struct {
	// Actions maps a detector kind (ipv4, ipv6, email, phone, iban, card,
	// jwt, auth, secret, token) to its action; "off" disables it.
	Actions map[string]Action `yaml:"actions,omitempty"`
	// SecretParams are parameter names whose values are redacted secrets.
	SecretParams []string `yaml:"secret_params,omitempty"`
	// TokenParams are parameter names whose values are tokens or session ids.
	TokenParams []string `yaml:"token_params,omitempty"`
	// Patterns are user-defined RE2 patterns with their action.
	Patterns []Pattern `yaml:"patterns,omitempty"`
	// Phone tunes the phone number detector.
	Phone *PhoneDetect `yaml:"phone,omitempty"`
}

// PhoneDetect tunes the phone number detector.
type PhoneDetect struct {
	// Regions are the regions whose national spellings are recognized,
	// tried in order (default detect.DefaultPhoneRegions); international
	// spellings (+, 00) are recognized for every country.
	Regions []PhoneRegion `yaml:"regions"`
}

// PhoneRegion is an upper-case ISO 3166-1 alpha-2 region code known to the
// phone number metadata, such as DE.
type PhoneRegion string

// DecodeScalar accepts a known region code.
func (r *PhoneRegion) DecodeScalar(s string) error {
	if !detect.KnownPhoneRegion(s) {
		return fmt.Errorf("unknown phone region %q (an upper-case ISO 3166-1 code such as DE)", clip(s))
	}
	*r = PhoneRegion(s)
	return nil
}

// Pattern is a user-defined detector.
type Pattern struct {
	// Name identifies the pattern in counters and messages.
	Name string `yaml:"name,omitempty"`
	// Regex is an RE2 expression; its first capture group, if any, is the
	// part replaced.
	Regex string `yaml:"regex,omitempty"`
	// Action is applied to each match (default redact).
	Action *Action `yaml:"action,omitempty"`
}

// DropRecord drops records whose field matches.
type DropRecord struct {
	// Field is the field name or dotted path.
	Field string `yaml:"field,omitempty"`
	// Equals lists exact values.
	Equals []string `yaml:"equals,omitempty"`
	// Prefix lists value prefixes.
	Prefix []string `yaml:"prefix,omitempty"`
	// Contains lists substrings.
	Contains []string `yaml:"contains,omitempty"`
	// Regex is an RE2 expression matched against the value.
	Regex string `yaml:"regex,omitempty"`
}

// Test is one example of the rule set's behaviour.
type Test struct {
	// Name describes the case.
	Name string `yaml:"name,omitempty"`
	// Format overrides the rule set's format for this case.
	Format string `yaml:"format,omitempty"`
	// Now is the processing time (RFC 3339); default: the record's own time.
	Now string `yaml:"now,omitempty"`
	// Input is the raw line.
	Input string `yaml:"input,omitempty"`
	// Expected is the anonymized line, or "" with Dropped set.
	Expected string `yaml:"expected,omitempty"`
	// Dropped says the record must be dropped.
	Dropped bool `yaml:"dropped,omitempty"`
}
