package journald

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tarn-project/tarn/rules/strictyaml"
)

// Settings are the keys of a journald input.
type Settings struct {
	// Directory is a journal directory to read (journalctl -D), e.g. a
	// host's /var/log/journal mounted into a container. Without it and
	// without Files, journalctl reads the system journal.
	Directory string `yaml:"directory"`
	// Files are journal files to read (journalctl --file, globs allowed).
	Files []string `yaml:"files"`
	// Matches are journalctl matches: FIELD=VALUE terms (terms of the
	// same field are alternatives, of different fields all must hold)
	// and "+" between alternative groups.
	Matches []string `yaml:"matches"`
	// Units keeps the entries of these systemd units (journalctl -u: the
	// unit's own messages and systemd's about it; globs allowed).
	Units []string `yaml:"units"`
	// Identifiers keeps the entries with these syslog identifiers
	// (journalctl -t, SYSLOG_IDENTIFIER). Units, Identifiers, Priority
	// and Matches must all hold, as in journalctl; "this unit or that
	// identifier" is a match with "+".
	Identifiers []string `yaml:"identifiers"`
	// Priority keeps the entries of this priority or a more important one
	// ("warning"), or of a range ("err..alert"), as journalctl -p.
	Priority string `yaml:"priority"`
	// StartAt is where an input without a saved cursor starts: end
	// (default; only new entries) or beginning (everything the journal
	// holds, bounded by since and max_age).
	StartAt string `yaml:"start_at"`
	// Since, with start_at beginning, is the time (RFC 3339) an input
	// without a saved cursor starts at.
	Since string `yaml:"since"`
	// MaxAge skips entries older than this (at a fresh start and after a
	// cursor saved long ago); 0 leaves it to the retention.
	MaxAge strictyaml.Duration `yaml:"max_age"`
	// Line is what the rules see: syslog (default), the entry as a
	// syslog line "TIME HOST IDENTIFIER[PID]: MESSAGE" whose message the
	// syslog parsers (sshd, sudo, PAM, postfix, dovecot) understand, or
	// message, MESSAGE alone, in the input's format.
	Line string `yaml:"line"`
	// LabelFields maps stream label names to journal fields (default
	// unit: _SYSTEMD_UNIT, identifier: SYSLOG_IDENTIFIER, host:
	// _HOSTNAME, level: PRIORITY); PRIORITY becomes its keyword. {} sets
	// no labels.
	LabelFields map[string]string `yaml:"label_fields"`
	// MetadataFields maps structured metadata names to journal fields
	// (default none).
	MetadataFields map[string]string `yaml:"metadata_fields"`
	// Journalctl is the journalctl binary (default: journalctl on PATH).
	Journalctl string `yaml:"journalctl"`
	// BatchEntries bounds the entries of one batch (default 2048).
	BatchEntries int `yaml:"batch_entries"`
	// PollInterval is how long the input waits, at the journal's end,
	// before it reads on from its cursor (default 250ms). The input polls
	// rather than `journalctl --follow`: following, journalctl (systemd
	// 252) was seen to skip an entry now and then while a writer appended
	// (about one in 12,000, found by the SIGKILL test); a fresh read from
	// the cursor did not.
	PollInterval strictyaml.Duration `yaml:"poll_interval"`

	since time.Time     // compiled Since
	prio  [2]int        // compiled Priority: most and least important
	line  lineKind      // compiled Line
	named []fieldTarget // compiled LabelFields and MetadataFields
}

// lineKind is what the rules see of an entry.
type lineKind uint8

const (
	lineSyslog lineKind = iota
	lineMessage
)

// fieldTarget is a label or a metadata entry taken from a journal field.
type fieldTarget struct {
	name, field string
	label       bool
}

// Defaults of a journald input.
const (
	DefaultBatchEntries = 2048
	// DefaultPollInterval is poll_interval's default.
	DefaultPollInterval = 250 * time.Millisecond
	DefaultJournalctl   = "journalctl"
)

// DefaultLabelFields are the stream labels of a journald input without
// label_fields.
func DefaultLabelFields() map[string]string {
	return map[string]string{"unit": "_SYSTEMD_UNIT", "identifier": "SYSLOG_IDENTIFIER", "host": "_HOSTNAME", "level": "PRIORITY"}
}

// DefaultSettings returns the settings of a journald input without keys.
func DefaultSettings() *Settings {
	return &Settings{StartAt: "end", Line: "syslog", Journalctl: DefaultJournalctl, BatchEntries: DefaultBatchEntries,
		PollInterval: strictyaml.Duration(DefaultPollInterval)}
}

// priorities are the syslog priority keywords by number, as journalctl
// -p takes them.
var priorities = [...]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// levels are the level label values of the priorities (Promtail's
// __journal_priority_keyword, which Grafana colours).
var levels = [...]string{"emerg", "alert", "crit", "error", "warning", "notice", "info", "debug"}

// Validate checks every key and compiles since, priority, line and the
// field maps.
func (s *Settings) Validate() error {
	var errs []error
	fail := func(field, f string, args ...any) { errs = append(errs, strictyaml.Errorf(field, f, args...)) }
	if s.Directory != "" && len(s.Files) > 0 {
		fail("files", "set directory or files, not both")
	}
	for i, f := range s.Files {
		if f == "" {
			fail("files["+strconv.Itoa(i)+"]", "must not be empty")
		}
	}
	for i, m := range s.Matches {
		if err := validMatch(m); err != nil {
			fail("matches["+strconv.Itoa(i)+"]", "%v", err)
		}
	}
	for i, u := range s.Units {
		if u == "" || strings.HasPrefix(u, "-") {
			fail("units["+strconv.Itoa(i)+"]", "not a unit name: %q", u)
		}
	}
	for i, id := range s.Identifiers {
		if id == "" || strings.HasPrefix(id, "-") {
			fail("identifiers["+strconv.Itoa(i)+"]", "not a syslog identifier: %q", id)
		}
	}
	s.prio = [2]int{0, 7}
	if s.Priority != "" {
		p, err := parsePriority(s.Priority)
		if err != nil {
			fail("priority", "%v", err)
		}
		s.prio = p
	}
	if s.StartAt != "beginning" && s.StartAt != "end" {
		fail("start_at", "must be beginning or end, got %q", s.StartAt)
	}
	s.since = time.Time{}
	if s.Since != "" {
		t, err := time.Parse(time.RFC3339, s.Since)
		switch {
		case err != nil:
			fail("since", "must be an RFC 3339 time such as 2026-01-02T15:04:05Z, got %q", s.Since)
		case s.StartAt != "beginning":
			fail("since", "needs start_at: beginning")
		}
		s.since = t
	}
	if s.MaxAge < 0 {
		fail("max_age", "must not be negative")
	}
	switch s.Line {
	case "syslog":
		s.line = lineSyslog
	case "message":
		s.line = lineMessage
	default:
		fail("line", "must be syslog or message, got %q", s.Line)
	}
	if s.LabelFields == nil {
		s.LabelFields = DefaultLabelFields()
	}
	s.named = s.named[:0]
	errs = append(errs, s.compileFields("label_fields", s.LabelFields, true)...)
	errs = append(errs, s.compileFields("metadata_fields", s.MetadataFields, false)...)
	if s.Journalctl == "" {
		fail("journalctl", "must not be empty")
	}
	if s.PollInterval < strictyaml.Duration(10*time.Millisecond) || s.PollInterval > strictyaml.Duration(time.Minute) {
		fail("poll_interval", "must be 10ms..1m, got %s", s.PollInterval)
	}
	if s.BatchEntries < 1 || s.BatchEntries > 100000 {
		fail("batch_entries", "must be 1..100000, got %d", s.BatchEntries)
	}
	return errors.Join(errs...)
}

// compileFields checks one of the field maps and adds it to s.named in
// the order of its names.
func (s *Settings) compileFields(key string, m map[string]string, label bool) []error {
	var errs []error
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		f := m[n]
		switch {
		case !labelName(n):
			errs = append(errs, strictyaml.Errorf(key+"."+n, "not a valid name: must match [a-zA-Z][a-zA-Z0-9_]*"))
		case n == "input":
			errs = append(errs, strictyaml.Errorf(key+"."+n, "input is the input's own label"))
		case !fieldName(f):
			errs = append(errs, strictyaml.Errorf(key+"."+n, "not a journal field name: %q (upper-case letters, digits and _)", f))
		default:
			s.named = append(s.named, fieldTarget{name: n, field: f, label: label})
		}
	}
	return errs
}

// ResolvePaths makes directory and files relative to the configuration
// file.
func (s *Settings) ResolvePaths(abs func(string) string) {
	if s.Directory != "" {
		s.Directory = abs(s.Directory)
	}
	for i, f := range s.Files {
		s.Files[i] = abs(f)
	}
}

// validMatch checks one journalctl match: "+" or FIELD=VALUE.
func validMatch(m string) error {
	if m == "+" {
		return nil
	}
	f, _, ok := strings.Cut(m, "=")
	if !ok || !fieldName(f) {
		return fmt.Errorf("must be FIELD=VALUE (FIELD of upper-case letters, digits and _) or +, got %q", m)
	}
	return nil
}

// fieldName reports whether s is a journal field name: upper-case
// letters, digits and '_', not starting with a digit, at most 64 bytes.
func fieldName(s string) bool {
	if s == "" || len(s) > 64 || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// labelName reports whether s is a label name tarn accepts:
// [a-zA-Z][a-zA-Z0-9_]*.
func labelName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && (c >= '0' && c <= '9' || c == '_')) {
			return false
		}
	}
	return true
}

// parsePriority parses journalctl -p's argument: a priority (keyword or
// 0..7), meaning it and the more important ones, or a range "a..b".
func parsePriority(s string) ([2]int, error) {
	one := func(p string) (int, error) {
		for i, n := range priorities {
			if p == n || p == strconv.Itoa(i) {
				return i, nil
			}
		}
		return 0, fmt.Errorf("unknown priority %q (want one of %s or 0..7)", p, strings.Join(priorities[:], ", "))
	}
	a, b, rng := strings.Cut(s, "..")
	if !rng {
		p, err := one(s)
		return [2]int{0, p}, err
	}
	x, err := one(a)
	if err != nil {
		return [2]int{}, err
	}
	y, err := one(b)
	if err != nil {
		return [2]int{}, err
	}
	return [2]int{min(x, y), max(x, y)}, nil
}
