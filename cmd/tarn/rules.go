package main

import (
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/tarn-project/tarn/rules"
)

const rulesUsage = `usage: tarn rules check FILE...   validate rules files (file:line errors)
       tarn rules test FILE...    run the test cases embedded in rules files
       tarn rules explain FILE    print the effective rules, extends merged
FILE may be builtin:NAME.
`

func runRules(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 2 && args[0] == "explain" {
		return explainRules(args[1], stdout, stderr)
	}
	if len(args) < 2 || (args[0] != "check" && args[0] != "test") {
		fmt.Fprint(stderr, rulesUsage)
		return 2
	}
	code := 0
	for _, path := range args[1:] {
		var ok bool
		if args[0] == "check" {
			ok = checkRules(path, stdout, stderr)
		} else {
			ok = testRules(path, stdout, stderr)
		}
		if !ok {
			code = 1
		}
	}
	return code
}

// checkRules loads and compiles one rules file and reports the result.
func checkRules(path string, stdout, stderr io.Writer) bool {
	cfg, ok := loadValid(path, stderr)
	if !ok {
		return false
	}
	fmt.Fprintf(stdout, "%s: ok (%d fields, %d keys, %d tests)\n", path, len(cfg.Fields), len(cfg.Keys), len(cfg.Tests))
	return true
}

// testRules runs the tests of one rules file under the fixed test key.
func testRules(path string, stdout, stderr io.Writer) bool {
	cfg, err := rules.LoadConfig(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return false
	}
	eng, err := rules.Compile(cfg, rules.TestKey)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return false
	}
	fails := eng.RunTests()
	for _, f := range fails {
		fmt.Fprintf(stderr, "%s: FAIL %v\n", path, f)
	}
	fmt.Fprintf(stdout, "%s: %d passed, %d failed\n", path, len(cfg.Tests)-len(fails), len(fails))
	return len(fails) == 0
}

// explainRules prints the effective rules of path: its extends merged in
// order (later files override earlier ones, the file itself last), as
// one YAML document without extends and tests.
func explainRules(path string, stdout, stderr io.Writer) int {
	cfg, ok := loadValid(path, stderr)
	if !ok {
		return 1
	}
	c := *cfg
	c.Extends, c.Tests = nil, nil
	out, err := yaml.Marshal(&c)
	if err != nil {
		return fail(stderr, err)
	}
	e, err := rules.Compile(cfg, rules.TestKey)
	if err != nil {
		return fail(stderr, err)
	}
	fmt.Fprintf(stdout, "# effective rules of %s (extends merged)\n%s", path, out)
	fmt.Fprintln(stdout, "# built-in detectors: every scrubbed field and unparsed line is searched for")
	for _, d := range e.Detectors() {
		fmt.Fprintf(stdout, "#   %-8s %-13s %s\n", d.Kind, d.Action, d.Finds)
	}
	return 0
}

// loadValid loads the merged rules of path and compiles them once to
// validate them; problems go to stderr.
func loadValid(path string, stderr io.Writer) (*rules.Config, bool) {
	cfg, err := rules.LoadConfig(path)
	if err == nil {
		_, err = rules.Compile(cfg, rules.TestKey)
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, false
	}
	return cfg, true
}
