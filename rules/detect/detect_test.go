package detect

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// scanCase is one table test: the matches of text, each written as
// "kind:value".
type scanCase struct {
	name string
	text string
	want []string
}

// mustSet compiles c or fails the test.
func mustSet(t testing.TB, c Config) *Set {
	t.Helper()
	s, err := New(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// render writes matches as "kind:value".
func render(text string, ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Kind.String()+":"+text[m.Start:m.End])
	}
	return out
}

// runCases scans every case with s and compares the rendered matches.
func runCases(t *testing.T, s *Set, cases []scanCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := render(tc.text, s.Scan([]byte(tc.text), nil))
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("Scan(%q)\n got %q\nwant %q", tc.text, got, tc.want)
			}
		})
	}
}

// only returns the default configuration with only kinds k enabled.
func only(k ...Kind) Config {
	c := DefaultConfig()
	c.Kinds = [NumKinds]bool{}
	for _, k := range k {
		c.Kinds[k] = true
	}
	return c
}

func TestKindNames(t *testing.T) {
	for k := Kind(0); k < NumKinds; k++ {
		got, err := ParseKind(k.String())
		if err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), got, err)
		}
	}
	for _, bad := range []string{"", "IPv4", "numkinds", "kind(12)", "mail"} {
		if _, err := ParseKind(bad); !errors.Is(err, ErrUnknownKind) {
			t.Errorf("ParseKind(%q): err = %v, want ErrUnknownKind", bad, err)
		}
	}
	if got := NumKinds.String(); got != "kind(12)" {
		t.Errorf("NumKinds.String() = %q", got)
	}
}

func TestNewErrors(t *testing.T) {
	c := DefaultConfig()
	c.Patterns = []Pattern{{Name: "ok", Regex: `x(\d+)`}, {Name: "broken", Regex: `secret(abc`}}
	n := len(c.SecretParams)
	c.SecretParams = append(c.SecretParams, "", "bad name", "token", "-_")
	_, err := New(c)
	if err == nil {
		t.Fatal("New accepted a bad config")
	}
	msg := err.Error()
	for _, want := range []string{"patterns[1]", `"broken"`, "missing closing )", fmt.Sprintf("secret_params[%d]", n),
		fmt.Sprintf("secret_params[%d]", n+1), fmt.Sprintf("secret_params[%d]", n+3), "token_params[0]"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
	if strings.Contains(msg, "secret(abc") || strings.Contains(msg, "bad name") {
		t.Errorf("error %q quotes configuration content", msg)
	}
	if err := c.Validate(); err == nil {
		t.Error("Validate accepted a bad config")
	}
	good := DefaultConfig()
	if err := good.Validate(); err != nil {
		t.Errorf("Validate(DefaultConfig()) = %v", err)
	}
}
