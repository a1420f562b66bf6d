package journald

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/rules/strictyaml"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(s *Settings)
		want []string // substrings of the error; none: valid
	}{
		{"defaults", func(*Settings) {}, nil},
		{"all keys", func(s *Settings) {
			s.Directory, s.Matches, s.Units, s.Identifiers = "/var/log/journal", []string{"_SYSTEMD_UNIT=ssh.service", "+", "SYSLOG_IDENTIFIER=sudo"}, []string{"postfix@-.service"}, []string{"dovecot"}
			s.Priority, s.StartAt, s.Since, s.MaxAge, s.Line = "err..alert", "beginning", "2026-01-02T15:04:05Z", strictyaml.Duration(time.Hour), "message"
			s.MetadataFields = map[string]string{"code_file": "CODE_FILE"}
		}, nil},
		{"directory and files", func(s *Settings) { s.Directory, s.Files = "/x", []string{"/y.journal"} }, []string{"files: set directory or files"}},
		{"bad matches", func(s *Settings) { s.Matches = []string{"_SYSTEMD_UNIT", "unit=x", "--since=now", "-"} }, []string{"matches[0]", "matches[1]", "matches[2]", "matches[3]"}},
		{"flag as unit", func(s *Settings) { s.Units, s.Identifiers = []string{"--all"}, []string{""} }, []string{"units[0]", "identifiers[0]"}},
		{"priority", func(s *Settings) { s.Priority = "loud" }, []string{"priority: unknown priority"}},
		{"priority range", func(s *Settings) { s.Priority = "err..x" }, []string{"priority"}},
		{"start_at", func(s *Settings) { s.StartAt = "middle" }, []string{"start_at"}},
		{"since needs beginning", func(s *Settings) { s.Since = "2026-01-02T15:04:05Z" }, []string{"since: needs start_at: beginning"}},
		{"since format", func(s *Settings) { s.StartAt, s.Since = "beginning", "yesterday" }, []string{"since: must be an RFC 3339 time"}},
		{"line", func(s *Settings) { s.Line = "json" }, []string{"line"}},
		{"label fields", func(s *Settings) {
			s.LabelFields = map[string]string{"input": "_HOSTNAME", "bad-name": "_PID", "unit": "lower"}
		}, []string{"label_fields.input", "label_fields.bad-name", "label_fields.unit"}},
		{"batch", func(s *Settings) { s.BatchEntries = 0 }, []string{"batch_entries"}},
		{"max_age", func(s *Settings) { s.MaxAge = -1 }, []string{"max_age"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := DefaultSettings()
			tc.mod(s)
			err := s.Validate()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("valid, want errors %q", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestDefaultLabels(t *testing.T) {
	s := DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range s.named {
		got = append(got, n.name+"="+n.field)
	}
	if want := []string{"host=_HOSTNAME", "identifier=SYSLOG_IDENTIFIER", "level=PRIORITY", "unit=_SYSTEMD_UNIT"}; !slices.Equal(got, want) {
		t.Fatalf("labels %q, want %q", got, want)
	}
	s = DefaultSettings()
	s.LabelFields = map[string]string{}
	if s.Validate(); len(s.named) != 0 {
		t.Fatalf("label_fields: {} kept %v", s.named)
	}
}

func TestArgs(t *testing.T) {
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	mk := func(mod func(s *Settings)) *Input {
		s := DefaultSettings()
		mod(s)
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		return &Input{s: s, env: inputs.Env{Now: func() time.Time { return now }}}
	}
	in := mk(func(s *Settings) {
		s.Files, s.Units, s.Identifiers, s.Priority = []string{"/j/a.journal", "/j/b.journal"}, []string{"ssh.service"}, []string{"sudo", "su"}, "warning"
		s.Matches = []string{"_TRANSPORT=syslog", "+", "_TRANSPORT=kernel"}
	})
	got := strings.Join(in.args("s=1;i=2"), " ")
	want := "--output=export --no-pager --quiet --file=/j/a.journal --file=/j/b.journal --after-cursor=s=1;i=2 --priority=0..4 --unit=ssh.service --identifier=sudo --identifier=su _TRANSPORT=syslog + _TRANSPORT=kernel"
	if got != want {
		t.Errorf("args\n got %s\nwant %s", got, want)
	}
	// A fresh start: since and max_age, the later wins; no cursor.
	in = mk(func(s *Settings) {
		s.Directory, s.StartAt, s.Since, s.MaxAge = "/var/log/journal", "beginning", "2026-12-01T00:00:00Z", strictyaml.Duration(24*time.Hour)
	})
	if got, want := strings.Join(in.args(""), " "), "--output=export --no-pager --quiet --directory=/var/log/journal --since=@"+itoa(now.Add(-24*time.Hour).Unix()); got != want {
		t.Errorf("args\n got %s\nwant %s", got, want)
	}
	in.s.MaxAge = 0
	if got := in.args(""); got[len(got)-1] != "--since=@"+itoa(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC).Unix()) {
		t.Errorf("since: %q", got)
	}
	// A saved cursor wins over since.
	if got := strings.Join(in.args("s=1"), " "); strings.Contains(got, "--since") {
		t.Errorf("cursor and since: %s", got)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestParsePriority(t *testing.T) {
	for in, want := range map[string][2]int{"emerg": {0, 0}, "warning": {0, 4}, "7": {0, 7}, "err..alert": {1, 3}, "0..debug": {0, 7}} {
		if got, err := parsePriority(in); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
}
