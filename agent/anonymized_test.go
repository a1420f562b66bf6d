package agent

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// anonymizedConfig writes a configuration in dir that reads dir/logs/*.log
// as combined lines (with already_anonymized when anon) with the rules
// builtin:webhoster-7d and the key file key, into a file sink of lines.
func anonymizedConfig(t *testing.T, dir, key string, anon bool) string {
	t.Helper()
	os.MkdirAll(filepath.Join(dir, "logs"), 0o755)
	cfg := fmt.Sprintf(`data_dir: data
rules: builtin:webhoster-7d
key_file: %s
inputs:
  - name: web
    type: file
    paths: ["logs/*.log"]
    format: combined
    start_at: beginning
    already_anonymized: %t
    labels: {job: web}
sinks:
  - {name: archive, type: file, path: out, format: line}
server: {listen: ""}
`, key, anon)
	p := filepath.Join(dir, "tarn.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The one-pass rule: lines a first pass anonymized (as `tarn filter` in
// Apache's pipe does) are read by an input with already_anonymized
// unchanged — the same pseudonyms, so `tarn pseudonym` still finds them —
// while lines past retention are still dropped and a line that is not in
// the input's format still goes through the rules. Without the option
// the agent takes pseudonyms of the pseudonyms.
func TestAlreadyAnonymized(t *testing.T) {
	root := t.TempDir()
	key := filepath.Join(root, "key")
	os.WriteFile(key, []byte(strings.Repeat("ab", 32)+"\n"), 0o600)
	now := time.Now().UTC()
	clf := func(t time.Time) string { return t.Format("02/Jan/2006:15:04:05 -0700") }
	raw := fmt.Sprintf(`203.0.113.7 - alice [%s] "GET /account?email=alice@mail.example HTTP/1.1" 200 512 "-" "curl/8"
198.51.100.23 - bob [%s] "GET / HTTP/1.1" 200 99 "https://ref.example/?u=bob" "curl/8"
`, clf(now.Add(-time.Hour)), clf(now.Add(-2*time.Hour)))

	first := filepath.Join(root, "first")
	cfg := anonymizedConfig(t, first, key, false)
	os.WriteFile(filepath.Join(first, "logs", "access.log"), []byte(raw), 0o644)
	once := runOnce(t, cfg).output(t)
	if len(once) != 2 || strings.Contains(strings.Join(once, "\n"), "alice") {
		t.Fatalf("first pass: %q", once)
	}

	old := fmt.Sprintf(`192.0.2.0 - 0123456789abcdef [%s] "GET /old HTTP/1.1" 200 1 "-" "curl/8"`, clf(now.Add(-8*24*time.Hour)))
	junk := "not an access log line from 203.0.113.99 user=mallory@mail.example"
	input := strings.Join(once, "\n") + "\n" + old + "\n" + junk + "\n"
	second := filepath.Join(root, "second")
	cfg = anonymizedConfig(t, second, key, true)
	os.WriteFile(filepath.Join(second, "logs", "access.log"), []byte(input), 0o644)
	s := runOnce(t, cfg)
	got := s.output(t)
	if len(got) != 3 || got[0] != once[0] || got[1] != once[1] {
		t.Fatalf("already_anonymized changed the lines:\nfirst pass %q\nsecond     %q", once, got)
	}
	if strings.Contains(got[2], "203.0.113.99") || strings.Contains(got[2], "mallory") {
		t.Errorf("a line not in the input's format passed raw: %q", got[2])
	}
	if strings.Contains(strings.Join(got, "\n"), "/old") {
		t.Errorf("a line past retention was kept: %q", got)
	}

	twice := filepath.Join(root, "twice")
	cfg = anonymizedConfig(t, twice, key, false)
	os.WriteFile(filepath.Join(twice, "logs", "access.log"), []byte(strings.Join(once, "\n")+"\n"), 0o644)
	if again := runOnce(t, cfg).output(t); len(again) != 2 || again[0] == once[0] {
		t.Errorf("without already_anonymized the agent should anonymize again (the double pass the option avoids): %q", again)
	}
}
