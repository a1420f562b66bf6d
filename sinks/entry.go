// Package sinks defines what tarn ships and to where: the anonymized
// Entry, the Sink contract every storage backend implements (Send with a
// Batch identity, Permanent, Partial and Throttled errors), and the
// registry of sink types with their Settings and Factory. One package per
// sink (sinks/loki, sinks/file, sinks/stdout, sinks/s3) registers itself
// and is linked by sinks/all; README.md in this directory says how to add
// a sink, an input or a detector.
//
// Sinks never see raw records. An Entry is only ever built by the rules
// engine from a line it has already anonymized, so every byte a sink writes
// or sends has passed the rules.
package sinks

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Label is one name/value pair of a stream label set or of structured
// metadata.
type Label struct {
	// Name is the label name, e.g. "job".
	Name string
	// Value is the label value, e.g. "nginx".
	Value string
}

// Entry is one anonymized record ready to ship.
type Entry struct {
	// Time is the record's own timestamp (from its time field), or the time
	// it was read when the line carries none.
	Time time.Time
	// Labels identify the stream (job, host, input, file); never personal
	// data.
	Labels []Label
	// Line is the anonymized line in its original format.
	Line []byte
	// Metadata is structured metadata attached to the entry (for example the
	// pseudonym of the client), sent beside the line, never as a label.
	Metadata []Label
	// Tenant is the tenant the entry belongs to (Loki's X-Scope-OrgID), set
	// by a rule or the input; "" leaves it to the sink's default.
	Tenant string
}

// ValidLabelName reports whether s is a valid Loki and Prometheus label
// name: [a-zA-Z_][a-zA-Z0-9_]*.
func ValidLabelName(s string) bool {
	for i := 0; i < len(s); i++ {
		if !LabelNameChar(s[i], i == 0) {
			return false
		}
	}
	return s != ""
}

// LabelNameChar reports whether c may stand in a label name, at its
// start when first.
func LabelNameChar(c byte, first bool) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}

// ValidTenant checks a tenant ID (Loki's X-Scope-OrgID) the way Loki
// does: 1 to 150 characters of a-z, A-Z, 0-9 and !-_.*'(), not "." or
// "..".
func ValidTenant(t string) error {
	if t == "" || len(t) > 150 || t == "." || t == ".." {
		return errors.New("tenant IDs have 1 to 150 characters and are not \".\" or \"..\"")
	}
	for i := 0; i < len(t); i++ {
		if !TenantChar(t[i]) {
			return fmt.Errorf("tenant IDs may hold only a-z, A-Z, 0-9 and !-_.*'() (character %d)", i+1)
		}
	}
	return nil
}

// TenantChar reports whether c may stand in a tenant ID.
func TenantChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!-_.*'()", c) >= 0
}
