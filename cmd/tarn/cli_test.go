package main

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestHelpEverywhere: tarn --help, tarn help CMD and -h/--help of every
// command print the help to stdout and exit 0; tarn help CMD is CMD
// --help.
func TestHelpEverywhere(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := tarn(t, "", args...)
		if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, "usage: tarn <command>") ||
			!strings.Contains(r.stdout, "exit codes:") || !strings.Contains(r.stdout, "  top ") {
			t.Errorf("tarn %q: exit %d, stderr %q, stdout:\n%s", args, r.code, r.stderr, r.stdout)
		}
	}
	root.walk(func(c *command) {
		if c == root {
			return
		}
		words := strings.Fields(c.path())[1:]
		want := "usage: " + c.path()
		if c == helpCommand {
			want = "usage: tarn help"
		}
		for _, h := range []string{"-h", "--help"} {
			r := tarn(t, "", append(words, h)...)
			if r.code != 0 || r.stderr != "" || !strings.Contains(r.stdout, want) {
				t.Errorf("tarn %q: exit %d, stderr %q, stdout:\n%s", append(words, h), r.code, r.stderr, r.stdout)
			}
		}
		if c == helpCommand {
			return
		}
		viaHelp := tarn(t, "", append([]string{"help"}, words...)...)
		direct := tarn(t, "", append(words, "--help")...)
		if viaHelp.code != 0 || viaHelp.stdout != direct.stdout {
			t.Errorf("tarn help %s (exit %d) differs from --help:\n%s\n---\n%s", c.path(), viaHelp.code, viaHelp.stdout, direct.stdout)
		}
	})
	// The cases of the issue: pseudonym -h is no unknown flag, rules
	// check -h opens no file named -h, help run is run's help.
	if r := tarn(t, "", "help", "run"); !strings.Contains(r.stdout, "--config") || !strings.Contains(r.stdout, "--once") {
		t.Errorf("help run:\n%s", r.stdout)
	}
	if r := tarn(t, "", "pseudonym", "--key-file", "k", "-h"); r.code != 0 || !strings.Contains(r.stdout, "--date") {
		t.Errorf("pseudonym -h: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := tarn(t, "", "rules", "check", "-h"); r.code != 0 || strings.Contains(r.stdout+r.stderr, "open -h") {
		t.Errorf("rules check -h: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	// "--" ends the flags: after it -h is an argument.
	if r := tarn(t, "", "rules", "check", "--", "-h"); r.code != 2 || !strings.Contains(r.stderr, "-h") {
		t.Errorf("rules check -- -h: exit %d %q", r.code, r.stderr)
	}
	if r := tarn(t, "", "help", "nosuch"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "nosuch"`) {
		t.Errorf("help nosuch: exit %d %q", r.code, r.stderr)
	}
}

func TestVersionFlag(t *testing.T) {
	a, b := mustTarn(t, "", "--version"), mustTarn(t, "", "version")
	if a.stdout != b.stdout || !strings.HasPrefix(a.stdout, "tarn ") {
		t.Fatalf("--version %q, version %q", a.stdout, b.stdout)
	}
}

// TestExitCodes: 0 ok, 1 runtime error, 2 usage or configuration error,
// for every kind of failure of every command.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	key := newKeyFile(t)
	badRulesFile := writeFile(t, dir, "bad.yaml", "truncate_ip: {ipv4_prefix: 40}\n")
	badConfig := writeFile(t, dir, "tarn.yaml", "data_dir: d\ninputs: []\nsinks: [{name: s, type: nosuch}]\n")
	failing := writeFile(t, dir, "failing.yaml", "extends: [builtin:default]\ntests:\n  - {input: '203.0.113.7 - - [20/Nov/2026:13:55:36 +0100] \"GET / HTTP/1.1\" 200 5 \"-\" \"-\"', expected: 'nope'}\n")
	missing := filepath.Join(dir, "missing")
	for _, tc := range []struct {
		code int
		args []string
	}{
		{0, []string{"version"}},
		{0, []string{"rules", "check", "builtin:default"}},
		{0, []string{"completion", "bash"}},
		{2, nil},
		{2, []string{"nosuch"}},
		{2, []string{"rules"}},
		{2, []string{"rules", "nosuch"}},
		{2, []string{"completion", "tcsh"}},
		{2, []string{"version", "extra"}},
		{2, []string{"filter", "--nosuch"}},
		{2, []string{"filter", "--now", "yesterday"}},
		{2, []string{"filter", "--key-file", missing}},
		{2, []string{"filter", "--rules", badRulesFile, "--key-file", key}},
		{2, []string{"aggregate", "--rules", missing, "--key-file", key}},
		{2, []string{"rules", "check", badRulesFile}},
		{2, []string{"rules", "explain", missing}},
		{2, []string{"run", "--config", missing}},
		{2, []string{"run", "--config", badConfig, "--check"}},
		{2, []string{"pseudonym", "x"}},
		{2, []string{"pseudonym", "--key-file", missing, "x"}},
		{2, []string{"policy", "render", badRulesFile}},
		{2, []string{"keygen", "-o", key}}, // exists
		{2, []string{"top", "--interval", "0s"}},
		{1, []string{"filter", "--input", missing, "--key-file", key}},
		{1, []string{"filter", "--key-file", key, "-o", filepath.Join(missing, "out.log")}},
		{1, []string{"aggregate", "--input", dir, "--key-file", key}},
		{1, []string{"aggregate", "--merge", missing}},
		{1, []string{"rules", "test", failing}},
		{1, []string{"keygen", "-o", filepath.Join(missing, "key")}},
		{1, []string{"top", "--once", "--url", "http://127.0.0.1:1/metrics"}},
	} {
		r := tarn(t, "", tc.args...)
		if r.code != tc.code {
			t.Errorf("tarn %q: exit %d, want %d; stderr %q", tc.args, r.code, tc.code, r.stderr)
		}
	}
}

// completeBash loads the bash completion script and returns the
// completions bash offers for line (the last word being completed).
func completeBash(t *testing.T, script, line string) []string {
	t.Helper()
	words := strings.Fields(line)
	if strings.HasSuffix(line, " ") {
		words = append(words, "")
	}
	var quoted []string
	for _, w := range words {
		quoted = append(quoted, "'"+w+"'")
	}
	prog := "source " + script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
		strconv.Itoa(len(words)-1) + "\n_tarn\nprintf '%s\\n' \"${COMPREPLY[@]}\"\ncomplete -p tarn\n"
	out, err := exec.Command("bash", "-c", prog).CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if last := lines[len(lines)-1]; last != "complete -o default -F _tarn tarn" {
		t.Fatalf("complete -p tarn = %q", last)
	}
	return lines[:len(lines)-1]
}

// TestCompletionBash: bash accepts the script, and its completion
// function offers commands, subcommands and flags.
func TestCompletionBash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	script := writeFile(t, t.TempDir(), "tarn.bash", mustTarn(t, "", "completion", "bash").stdout)
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("bash -n: %v\n%s", err, out)
	}
	for line, want := range map[string]string{
		"tarn ":                    "run aggregate completion help version --version",
		"tarn ru":                  "run",
		"tarn to":                  "top",
		"tarn rules ":              "check test explain",
		"tarn rules c":             "check",
		"tarn policy r":            "render record",
		"tarn filter --ke":         "--key-file",
		"tarn filter --rules x -":  "--input --now -4 --help",
		"tarn rules check --h":     "--help",
		"tarn keygen --f":          "--force",
		"tarn top --":              "--url --once --interval",
		"tarn help ag":             "aggregate",
		"tarn completion ":         "bash zsh fish",
		"tarn policy render --for": "--format",
	} {
		got := completeBash(t, script, line)
		for _, w := range strings.Fields(want) {
			if !contains(got, w) {
				t.Errorf("%q completes to %q, want %q among them", line, got, w)
			}
		}
	}
	// A positional argument is left to file completion (-o default).
	if got := completeBash(t, script, "tarn rules check te"); len(got) != 0 {
		t.Errorf("file argument completes to %q, want nothing (files)", got)
	}
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// TestCompletionZshFish: zsh and fish parse their scripts (where
// installed), and each names every command and flag.
func TestCompletionZshFish(t *testing.T) {
	for shell, check := range map[string][]string{"zsh": {"zsh", "-n"}, "fish": {"fish", "--no-execute"}} {
		script := mustTarn(t, "", "completion", shell).stdout
		for _, w := range []string{"run", "top", "check", "render", "key-file", "interval", "force"} {
			if !strings.Contains(script, w) {
				t.Errorf("%s script lacks %q", shell, w)
			}
		}
		if _, err := exec.LookPath(check[0]); err != nil {
			t.Logf("%s not installed: syntax not checked", shell)
			continue
		}
		p := writeFile(t, t.TempDir(), "tarn."+shell, script)
		if out, err := exec.Command(check[0], append(check[1:], p)...).CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", check, err, out)
		}
	}
	if _, err := exec.LookPath("fish"); err == nil {
		// fish itself completes from the script.
		p := writeFile(t, t.TempDir(), "tarn.fish", mustTarn(t, "", "completion", "fish").stdout)
		out, err := exec.Command("fish", "--no-config", "-c", "source "+p+"; complete -C 'tarn rules '; complete -C 'tarn filter --key'").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "check") || !strings.Contains(string(out), "--key-file") {
			t.Errorf("fish complete -C: %v\n%s", err, out)
		}
	}
}
