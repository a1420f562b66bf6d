package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/rules"
)

// The README's YAML snippets are checked as what they claim to be, so
// that a user who copies one gets what the README says:
//
//   - A snippet with top-level inputs: or sinks: is a tarn configuration.
//     It is loaded with config.Load from a temporary directory; a snippet
//     with only sinks gets a stdin input, one with only inputs a stdout
//     sink (the minimal config around it). Files it names need not exist:
//     config.Load checks keys, types and values, not files (the agent
//     opens them at start-up).
//   - Any other snippet is a rules file (fields:, keys:, extends:, detect:,
//     aggregate:, tenant:, ...): it is loaded with rules.LoadConfig,
//     compiled, and its tests: are run as `tarn rules test` runs them.
//     Every test must pass.
//   - A snippet that continues another one (keys of an input shown on
//     their own, indented) is marked by an HTML comment right before its
//     fence, which GitHub does not render, holding the YAML it continues:
//
//     <!-- readme-test: continues
//     inputs:
//     - {name: apps, type: loki_push}
//     -->
//
//     (the YAML keeps its indentation); the snippet is appended to it.
//   - `<!-- readme-test: skip REASON -->` skips the next snippet. An
//     indented snippet without one of these comments fails the test.
//
// Snippets in other languages (sh, plain) are not checked here.

// snippet is one fenced YAML block of a Markdown file.
type snippet struct {
	line      int    // line of the opening fence
	text      string // content, the fence's indentation removed
	directive string // the readme-test comment before it ("" if none)
}

// yamlSnippets returns the ```yaml blocks of the Markdown file at path.
func yamlSnippets(t *testing.T, path string) []snippet {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out       []snippet
		cur       *snippet
		indent    string
		comment   []string // lines of the HTML comment being read
		inComment bool
		directive string // the last readme-test comment, until the next non-blank line
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur != nil:
			if strings.HasPrefix(trimmed, "```") {
				out, cur = append(out, *cur), nil
				continue
			}
			cur.text += strings.TrimPrefix(line, indent) + "\n"
		case inComment:
			if trimmed == "-->" {
				inComment, directive = false, strings.Join(comment, "\n")+"\n"
				continue
			}
			comment = append(comment, line)
		case strings.HasPrefix(trimmed, "<!-- readme-test:"):
			body := strings.TrimPrefix(trimmed, "<!-- readme-test:")
			if strings.HasSuffix(body, "-->") {
				directive = strings.TrimSpace(strings.TrimSuffix(body, "-->"))
				continue
			}
			inComment, comment = true, []string{strings.TrimSpace(body)}
		case strings.HasPrefix(trimmed, "```yaml"):
			indent = line[:len(line)-len(strings.TrimLeft(line, " "))]
			cur, directive = &snippet{line: n, directive: directive}, ""
		case trimmed != "":
			directive = ""
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s:%d: unterminated code block", path, cur.line)
	}
	return out
}

// TestReadmeSnippets loads every YAML snippet of the README as a
// configuration or a rules file and runs the rules files' tests.
func TestReadmeSnippets(t *testing.T) {
	snips := yamlSnippets(t, filepath.Join("..", "..", "README.md"))
	if len(snips) < 10 {
		t.Fatalf("found only %d YAML snippets in README.md", len(snips))
	}
	for _, s := range snips {
		t.Run(fmt.Sprintf("line%d", s.line), func(t *testing.T) {
			if err := checkSnippet(t.TempDir(), s); err != nil {
				t.Errorf("README.md:%d: %v\n%s", s.line, err, s.text)
			}
		})
	}
}

// checkSnippet checks one snippet in dir (see the comment above).
func checkSnippet(dir string, s snippet) error {
	text := s.text
	switch {
	case strings.HasPrefix(s.directive, "skip"):
		return nil
	case strings.HasPrefix(s.directive, "continues\n"):
		text = strings.TrimPrefix(s.directive, "continues\n") + text
	case s.directive != "":
		return fmt.Errorf("unknown readme-test comment %q", s.directive)
	case strings.HasPrefix(text, " "):
		return fmt.Errorf("an indented snippet needs a <!-- readme-test: continues ... --> comment")
	}
	var top map[string]yaml.Node
	if err := yaml.Unmarshal([]byte(text), &top); err != nil {
		return fmt.Errorf("not YAML: %v", err)
	}
	_, hasInputs := top["inputs"]
	_, hasSinks := top["sinks"]
	if !hasInputs && !hasSinks {
		return checkRulesSnippet(dir, text)
	}
	if !hasInputs {
		text += "inputs: [{name: readme, type: stdin}]\n"
	}
	if !hasSinks {
		text += "sinks: [{name: readme, type: stdout}]\n"
	}
	text = strings.ReplaceAll(text, "/etc/tarn/", filepath.Join(dir, "etc", "tarn")+"/")
	for _, m := range rulesFileRef.FindAllStringSubmatch(text, -1) {
		if err := os.MkdirAll(filepath.Dir(m[1]), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(m[1], []byte("extends: [builtin:default]\n"), 0o600); err != nil {
			return err
		}
	}
	p := filepath.Join(dir, "tarn.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		return err
	}
	_, _, err := config.Load(p)
	return err
}

// rulesFileRef finds the rules files a configuration names (absolute
// after the /etc/tarn/ rewrite).
var rulesFileRef = regexp.MustCompile(`(?m)\brules:\s*["']?(/[^\s"']+\.ya?ml)`)

// checkRulesSnippet loads text as a rules file, compiles it and runs its
// tests.
func checkRulesSnippet(dir, text string) error {
	p := filepath.Join(dir, "rules.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		return err
	}
	cfg, err := rules.LoadConfig(p)
	if err != nil {
		return err
	}
	eng, err := rules.Compile(cfg, rules.TestKey)
	if err != nil {
		return err
	}
	var msgs []string
	for _, f := range eng.RunTests() {
		msgs = append(msgs, f.Error())
	}
	if len(msgs) > 0 {
		return fmt.Errorf("%d of %d tests failed:\n%s", len(msgs), len(cfg.Tests), strings.Join(msgs, "\n"))
	}
	return nil
}
