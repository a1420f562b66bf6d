package agent

import (
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReloadSwapsRulesAndKeepsOldOnError(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	body, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, []byte(strings.Replace(string(body), "rules: builtin:default", "rules: rules.yaml", 1)), 0o644)
	rulesFile := filepath.Join(dir, "rules.yaml")
	writeRules := func(prefix string) {
		os.WriteFile(rulesFile, []byte("extends: [builtin:default]\ntruncate_ip: {ipv4_prefix: "+prefix+"}\n"), 0o644)
	}
	writeRules("24")
	log := filepath.Join(dir, "logs", "access.log")
	now := time.Now().UTC()
	reload := make(chan struct{})
	s := start(t, cfg, Options{Reload: reload, WatchEvery: -1})
	appendLines(t, log, 0, 10, now)
	waitFor(t, "first lines", func() bool { return len(s.output(t)) == 10 })

	writeRules("16")
	reload <- struct{}{}
	waitFor(t, "reload", func() bool { return strings.Contains(s.metrics(), `tarn_config_reloads_total{result="ok"} 1`) })
	appendLines(t, log, 10, 20, now)
	waitFor(t, "lines after reload", func() bool { return len(s.output(t)) == 20 })
	for _, l := range s.output(t)[10:] {
		if !strings.HasPrefix(l, "203.0.0.0 ") {
			t.Fatalf("new rules not applied: %q", l)
		}
	}

	os.WriteFile(rulesFile, []byte("extends: [builtin:default]\ntruncate_ip: {ipv4_prefix: 40}\n"), 0o644)
	reload <- struct{}{}
	waitFor(t, "failed reload", func() bool { return strings.Contains(s.metrics(), `tarn_config_reloads_total{result="failed"} 1`) })
	if !strings.Contains(s.metrics(), "tarn_config_last_reload_successful 0") {
		t.Error("failed reload not shown in tarn_config_last_reload_successful")
	}
	if !strings.Contains(s.logs.String(), "ipv4_prefix") {
		t.Errorf("log does not say why the reload failed:\n%s", s.logs.String())
	}
	appendLines(t, log, 20, 30, now)
	waitFor(t, "lines after failed reload", func() bool { return len(s.output(t)) == 30 })
	checkExactlyOnce(t, s.output(t), 0, 30)
	for _, l := range s.output(t)[20:] {
		if !strings.HasPrefix(l, "203.0.0.0 ") {
			t.Fatalf("old rules not kept after a failed reload: %q", l)
		}
	}
}

func TestReloadOnFileChange(t *testing.T) {
	dir := t.TempDir()
	cfg := writeConfig(t, dir, "")
	s := start(t, cfg, Options{WatchEvery: 10 * time.Millisecond})
	waitFor(t, "start", func() bool { s.a.mu.Lock(); defer s.a.mu.Unlock(); return s.a.gen != nil })
	time.Sleep(20 * time.Millisecond)
	body, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(body, []byte("retention: {max_age: 72h}\n")...), 0o644)
	waitFor(t, "reload", func() bool { return strings.Contains(s.metrics(), `tarn_config_reloads_total{result="ok"} 1`) })
}

func TestHealthAndReadiness(t *testing.T) {
	dir := t.TempDir()
	s := start(t, writeConfig(t, dir, ""), Options{NotReadyAfter: 50 * time.Millisecond})
	get := func(path string) int {
		rec := httptest.NewRecorder()
		s.a.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code
	}
	if get("/healthz") != 200 {
		t.Fatal("/healthz not 200")
	}
	waitFor(t, "ready", func() bool { return get("/readyz") == 200 })
	repair := breakDir(t, filepath.Join(dir, "out"))
	appendLines(t, filepath.Join(dir, "logs", "access.log"), 0, 100, time.Now())
	waitFor(t, "not ready while the sink fails", func() bool { return get("/readyz") == 503 })
	repair()
	waitFor(t, "ready again", func() bool { return get("/readyz") == 200 })
}

func TestConfigErrorsNameFileLineAndField(t *testing.T) {
	dir := t.TempDir()
	cases := []struct{ name, body, want string }{
		{"typo", "data_dir: d\nrules: builtin:default\ninputs:\n  - name: a\n    type: file\n    pathz: [x]\nsinks:\n  - {name: s, type: stdout}\n", "typo.yaml:6"},
		{"type", "data_dir: d\nrules: builtin:default\nretention: {max_age: soon}\ninputs:\n  - {name: a, type: stdin}\nsinks:\n  - {name: s, type: stdout}\n", "typo.yaml:3"},
		{"rules", "data_dir: d\nrules: missing.yaml\ninputs:\n  - {name: a, type: stdin}\nsinks:\n  - {name: s, type: stdout}\n", "missing.yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(dir, "typo.yaml")
			os.WriteFile(p, []byte(c.body), 0o644)
			err := New(Options{ConfigPath: p}).Run(t.Context())
			if err == nil {
				t.Fatal("no error")
			}
			if first, _, _ := strings.Cut(err.Error(), "\n"); !strings.Contains(first, c.want) {
				t.Fatalf("first message %q does not name %s", first, c.want)
			}
		})
	}
}

// A configuration that validates but cannot start (here: the file sink's
// directory is a file, the push input's port is taken) is an error, not
// a crash.
func TestStartFailuresAreErrors(t *testing.T) {
	dir := t.TempDir()
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	os.WriteFile(filepath.Join(dir, "out"), []byte("a file\n"), 0o644)
	for name, body := range map[string]string{
		"sink dir": "data_dir: d\ninputs:\n  - {name: a, type: stdin}\nsinks:\n  - {name: s, type: file, path: out}\nserver: {listen: \"\"}\n",
		"port":     "data_dir: d\ninputs:\n  - {name: a, type: loki_push, listen: " + taken.Addr().String() + "}\nsinks:\n  - {name: s, type: stdout}\nserver: {listen: \"\"}\n",
	} {
		p := filepath.Join(dir, "tarn.yaml")
		os.WriteFile(p, []byte(body), 0o644)
		if err := New(Options{ConfigPath: p, Stdin: strings.NewReader("")}).Run(t.Context()); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
