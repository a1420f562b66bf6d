package rules

import (
	"strings"
	"testing"

	"github.com/tarn-project/tarn/rules/profiles"
)

// TestBuiltinProfiles runs the tests embedded in every built-in rule set.
func TestBuiltinProfiles(t *testing.T) {
	for _, name := range profiles.Names() {
		t.Run(name, func(t *testing.T) {
			cfg, err := LoadConfig(BuiltinPrefix + name)
			if err != nil {
				t.Fatal(err)
			}
			if len(cfg.Tests) == 0 {
				t.Fatal("a built-in rule set must carry tests")
			}
			eng, err := Compile(cfg, TestKey)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range eng.RunTests() {
				t.Error(f)
			}
		})
	}
}

// TestRunTestsReportsFailures makes sure a wrong expectation fails.
func TestRunTestsReportsFailures(t *testing.T) {
	cfg, err := ParseConfig("t.yaml", []byte(`
name: t
format: text
tests:
  - {name: wrong, input: "from 192.0.2.7", expected: "from 192.0.2.7"}
  - {name: right, input: "from 192.0.2.7", expected: "from 192.0.2.0"}
  - {name: not dropped, input: "x", dropped: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	fails := eng.RunTests()
	if len(fails) != 2 || fails[0].Name != "wrong" || fails[1].Name != "not dropped" || !strings.Contains(fails[0].Error(), "192.0.2.0") {
		t.Fatalf("failures = %v", fails)
	}
}
