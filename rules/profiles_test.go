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

// TestStrictHasNoPseudonyms: builtin:strict promises no pseudonyms at
// all, so no action of its merged rules may pseudonymize.
func TestStrictHasNoPseudonyms(t *testing.T) {
	cfg, err := LoadConfig(BuiltinPrefix + "strict")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []map[string]Action{cfg.Fields, cfg.Keys, cfg.Detect.Actions} {
		for name, a := range m {
			if a.Pseudonymize != nil {
				t.Errorf("%s pseudonymizes", name)
			}
		}
	}
	if len(cfg.Metadata) != 0 {
		t.Errorf("metadata %v: pseudonyms as structured metadata", cfg.Metadata)
	}
	eng, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	if eng.HasRoutes() {
		t.Error("strict sends metadata")
	}
}
