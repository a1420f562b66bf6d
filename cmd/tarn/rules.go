package main

import (
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/tarn-project/tarn/rules"
)

// rulesCommand is `tarn rules check|test|explain`.
var rulesCommand = &command{
	name: "rules", summary: "check, test or explain rules files: tarn rules check|test|explain FILE",
	about: "FILE may be builtin:NAME.",
	subs: []*command{
		{name: "check", summary: "validate rules files (file:line errors)", usage: "tarn rules check FILE...",
			minArgs: 1, maxArgs: -1, setup: noFlags(eachRulesFile(checkRules))},
		{name: "test", summary: "run the test cases embedded in rules files", usage: "tarn rules test FILE...",
			minArgs: 1, maxArgs: -1, setup: noFlags(eachRulesFile(testRules))},
		{name: "explain", summary: "print the effective rules, extends merged", usage: "tarn rules explain FILE",
			minArgs: 1, maxArgs: 1, setup: noFlags(func(pos []string, _ io.Reader, stdout, stderr io.Writer) int {
				return explainRules(pos[0], stdout, stderr)
			})},
	},
}

// eachRulesFile runs check over every file named and exits with the worst
// code it returned.
func eachRulesFile(check func(path string, stdout, stderr io.Writer) int) action {
	return func(pos []string, _ io.Reader, stdout, stderr io.Writer) int {
		code := 0
		for _, path := range pos {
			code = max(code, check(path, stdout, stderr))
		}
		return code
	}
}

// checkRules loads and compiles one rules file and reports the result.
// An invalid file is a configuration error (exit code 2).
func checkRules(path string, stdout, stderr io.Writer) int {
	cfg, ok := loadValid(path, stderr)
	if !ok {
		return 2
	}
	fmt.Fprintf(stdout, "%s: ok (%d fields, %d keys, %d tests)\n", path, len(cfg.Fields), len(cfg.Keys), len(cfg.Tests))
	return 0
}

// testRules runs the tests of one rules file under the fixed test key: 1
// when a test case fails, 2 when the file is invalid.
func testRules(path string, stdout, stderr io.Writer) int {
	cfg, err := rules.LoadConfig(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	eng, err := rules.Compile(cfg, rules.TestKey)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	fails := eng.RunTests()
	for _, f := range fails {
		fmt.Fprintf(stderr, "%s: FAIL %v\n", path, f)
	}
	fmt.Fprintf(stdout, "%s: %d passed, %d failed\n", path, len(cfg.Tests)-len(fails), len(fails))
	if len(fails) > 0 {
		return 1
	}
	return 0
}

// explainRules prints the effective rules of path: its extends merged in
// order (later files override earlier ones, the file itself last), as
// one YAML document without extends and tests.
func explainRules(path string, stdout, stderr io.Writer) int {
	cfg, ok := loadValid(path, stderr)
	if !ok {
		return 2
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
