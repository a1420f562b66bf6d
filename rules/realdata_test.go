package rules

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules/strictyaml"
)

// realdataDir holds third-party logs beside the repository (see
// ../shared/realdata/README.txt); tests that need it skip without it.
var realdataDir = filepath.Join("..", "..", "shared", "realdata")

// Independent checkers: deliberately regexp and net/netip, not tarn's own
// scanners, so a blind spot of the scanners is not a blind spot here too.
var (
	checkV4    = regexp.MustCompile(`(?:^|[^0-9A-Za-z_.])((?:[0-9]{1,3}\.){3}[0-9]{1,3})(?:[^0-9.A-Za-z_]|\.[^0-9]|\.?$)`)
	checkV6    = regexp.MustCompile(`(?:^|[^0-9A-Za-z_:.])([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)`)
	checkEmail = regexp.MustCompile(`[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)
	// checkVersion matches the text before a dotted quad that makes it a
	// version, which the rules keep: a product "Name/", a version key, a
	// release directory. Group 1 is a product's name.
	checkVersion = regexp.MustCompile(`(?i)(?:(?:^|[ (;,"'=])([a-z][a-z0-9._-]+)/|(?:^|[^a-z0-9])(?:[a-z0-9]*version|ver|v)["']?[=:] ?["']?|/(?:releases?|downloads?|v)/)$`)
)

// notVersions are product names that announce an address instead.
var notVersions = map[string]bool{"ip": true, "from": true, "client": true, "host": true, "addr": true, "to": true}

// leakedAddresses returns the IP addresses in out that are not truncated:
// IPv4 with a non-zero last octet, IPv6 with a non-zero bit beyond /48.
func leakedAddresses(out []byte) []string {
	var bad []string
	for _, ix := range checkV4.FindAllSubmatchIndex(out, -1) {
		if v := checkVersion.FindSubmatch(out[max(0, ix[2]-64):ix[2]]); v != nil && !notVersions[strings.ToLower(string(v[1]))] {
			continue // a version, not an address
		}
		a, err := netip.ParseAddr(strings.TrimLeft(string(out[ix[2]:ix[3]]), "0"))
		if err != nil {
			continue // leading zeros or not an address
		}
		if b := a.As4(); b[3] != 0 {
			bad = append(bad, a.String())
		}
	}
	for _, ix := range checkV6.FindAllSubmatchIndex(out, -1) {
		m := out[ix[2]:ix[3]]
		if ix[3] < len(out) && isWordByte(out[ix[3]]) {
			continue // the run is glued to a word: no address
		}
		if strings.HasPrefix(string(m), ":::") {
			continue // ":::80" is "[::]:80", no address to leak
		}
		s := strings.TrimRight(string(m), ":.")
		if strings.HasPrefix(s, "::") {
			s = "::" + strings.TrimLeft(s, ":") // "::.1" stays no address
		} else {
			s = strings.TrimLeft(s, ":.")
		}
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() {
			continue
		}
		if a.Is4In6() {
			if b := a.Unmap().As4(); b[3] != 0 {
				bad = append(bad, s)
			}
			continue
		}
		b := a.As16()
		for _, x := range b[6:] {
			if x != 0 {
				bad = append(bad, s)
				break
			}
		}
	}
	return bad
}

// TestRealdata runs every third-party log through auto with the default
// rules: no crash, one output line per input line, and no address or
// e-mail left that the independent checkers can find.
func TestRealdata(t *testing.T) {
	if _, err := os.Stat(realdataDir); err != nil {
		t.Skipf("no %s: skipping the third-party log corpus", realdataDir)
	}
	cfg, err := LoadConfig("builtin:default")
	if err != nil {
		t.Fatal(err)
	}
	forever := strictyaml.Duration(100 * 365 * 24 * time.Hour) // the samples are years old
	cfg.Retention.MaxAge = &forever
	eng, err := Compile(cfg, TestKey)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	files := 0
	err = filepath.WalkDir(realdataDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), "LICENSE") || strings.HasSuffix(d.Name(), ".txt") {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checkFile(t, eng, path, data, now)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("only %d files found", files)
	}
}

func checkFile(t *testing.T, eng *Engine, path string, data []byte, now time.Time) {
	t.Helper()
	p := eng.NewProcessor()
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	kept := 0
	var out []byte
	for _, l := range lines {
		var res Result
		out, res = p.Append(out, l, now)
		if res.Reason == Kept {
			kept++
			out = append(out, '\n')
		}
	}
	if kept != len(lines) {
		t.Errorf("%s: %d lines in, %d out", path, len(lines), kept)
	}
	if bad := leakedAddresses(out); len(bad) > 0 {
		t.Errorf("%s: %d untruncated addresses in the output, e.g. %q", path, len(bad), bad[:min(3, len(bad))])
	}
	if m := checkEmail.FindAll(out, 3); len(m) > 0 {
		t.Errorf("%s: e-mail addresses in the output, e.g. %q", path, m)
	}
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
