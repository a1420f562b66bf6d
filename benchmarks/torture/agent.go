package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// buildTarn compiles ./cmd/tarn of the source tree src into work/tarn.
func buildTarn(src, work string) (string, error) {
	bin := filepath.Join(work, "tarn")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/tarn")
	cmd.Dir = src
	log.Printf("go build -o %s ./cmd/tarn (in %s)", bin, src)
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
}

// checkTagSurvives runs a tagged line through `tarn filter` with the
// default rules and checks that its sequence tag comes out unchanged.
func checkTagSurvives(bin string) error {
	line := taggedLine("rename-match-a", 12345, time.Now().UTC())
	cmd := exec.Command(bin, "filter")
	cmd.Stdin = strings.NewReader(line)
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("tarn filter: %v", err)
	}
	tag, n, ok := parseTag(string(out))
	if !ok || tag != "rename-match-a" || n != 12345 {
		return fmt.Errorf("tarn filter changed the sequence tag:\n in: %s out: %s", line, out)
	}
	log.Printf("tarn filter keeps the tag: %s", strings.TrimSpace(string(out)))
	return nil
}

// agentConfig renders tarn.yaml for a phase: one file input over glob, a
// file sink and, when lokiURL is set, a loki sink.
func agentConfig(p phase, lokiURL, listen string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "data_dir: data\nrules: builtin:default\n")
	fmt.Fprintf(&b, "inputs:\n  - name: web\n    type: file\n    paths: [%q]\n", "logs/"+p.glob)
	fmt.Fprintf(&b, "    format: combined\n    start_at: beginning\n    labels: {torture_phase: %s}\n", p.name)
	fmt.Fprintf(&b, "sinks:\n  - name: archive\n    type: file\n    path: out\n    format: line\n    compress: none\n")
	if lokiURL != "" {
		fmt.Fprintf(&b, "  - name: loki\n    type: loki\n    url: %s\n    batch_wait: 200ms\n", lokiURL)
		fmt.Fprintf(&b, "    backoff: {min_period: 100ms, max_period: 2s}\n")
	}
	fmt.Fprintf(&b, "server: {listen: %q}\n", listen)
	return b.String()
}

// freeAddr returns a free 127.0.0.1 port as host:port.
func freeAddr() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return ""
	}
	defer ln.Close()
	return ln.Addr().String()
}

// supervisor keeps `tarn run` running like systemd's Restart=always:
// it restarts the agent right after a kill and 500 ms after the agent
// exited by itself (counted: a crash loop shows as many self-exits).
type supervisor struct {
	bin, cfg string
	logf     *os.File

	mu        sync.Mutex
	cmd       *exec.Cmd
	killing   bool
	stopping  bool
	kills     int
	starts    int
	selfExits []string      // exit status of each exit the agent made itself
	held      chan struct{} // while not nil, no restart until it is closed
	heldKills int
	done      chan struct{}
}

// startSupervisor starts the agent on cfg, appending its stderr to logPath.
func startSupervisor(bin, cfg, logPath string) (*supervisor, error) {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	s := &supervisor{bin: bin, cfg: cfg, logf: f, done: make(chan struct{})}
	go s.loop()
	return s, nil
}

// loop runs the agent again and again until stop.
func (s *supervisor) loop() {
	defer close(s.done)
	for {
		s.mu.Lock()
		held := s.held
		s.mu.Unlock()
		if held != nil {
			<-held
		}
		cmd, err := s.spawn()
		if err != nil {
			log.Printf("start agent: %v", err)
			return
		}
		err = cmd.Wait()
		s.mu.Lock()
		killed, stopping := s.killing, s.stopping
		s.killing = false
		s.cmd = nil
		if !killed && (!stopping || err != nil) {
			s.selfExits = append(s.selfExits, exitString(err))
		}
		s.mu.Unlock()
		if stopping {
			return
		}
		if !killed {
			time.Sleep(500 * time.Millisecond)
		}
	}
}

// (An agent stopped with SIGTERM exits 0; a failure while stopping is a
// crash too.)

// exitString describes how a process ended.
func exitString(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

// spawn starts one agent process unless the supervisor is stopping.
func (s *supervisor) spawn() (*exec.Cmd, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return nil, fmt.Errorf("stopping")
	}
	cmd := exec.Command(s.bin, "run", "--config", filepath.Base(s.cfg))
	cmd.Dir = filepath.Dir(s.cfg)
	cmd.Stderr = s.logf
	fmt.Fprintf(s.logf, "=== torture: start %d at %s\n", s.starts+1, time.Now().UTC().Format(time.RFC3339Nano))
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s.cmd = cmd
	s.starts++
	return cmd, nil
}

// kill sends SIGKILL to the running agent; it reports whether one was
// running (and so was killed).
func (s *supervisor) kill() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.killing {
		return false
	}
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return false
	}
	s.killing = true
	s.kills++
	fmt.Fprintf(s.logf, "=== torture: SIGKILL %d at %s\n", s.kills, time.Now().UTC().Format(time.RFC3339Nano))
	return true
}

// killHeld SIGKILLs the agent and returns once it is down; it stays down
// until release.
func (s *supervisor) killHeld() {
	s.mu.Lock()
	s.held = make(chan struct{})
	s.mu.Unlock()
	for {
		s.mu.Lock()
		if s.cmd == nil {
			s.mu.Unlock()
			return
		}
		if !s.killing && s.cmd.Process.Signal(syscall.SIGKILL) == nil {
			s.killing = true
			s.kills++
			s.heldKills++
			fmt.Fprintf(s.logf, "=== torture: SIGKILL %d (held down) at %s\n", s.kills, time.Now().UTC().Format(time.RFC3339Nano))
		}
		s.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
}

// release lets the agent held down by killHeld start again.
func (s *supervisor) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held != nil {
		close(s.held)
		s.held = nil
	}
}

// stop ends the supervision: SIGTERM, and SIGKILL after 15 s.
func (s *supervisor) stop() {
	s.release()
	s.mu.Lock()
	s.stopping = true
	if s.cmd != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
	}
	cmd := s.cmd
	s.mu.Unlock()
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		if cmd != nil {
			cmd.Process.Kill()
		}
		<-s.done
	}
	s.logf.Close()
}

// counts returns kills (of them heldKills by killHeld), starts and the
// self-exits so far.
func (s *supervisor) counts() (kills, heldKills, starts int, selfExits []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kills, s.heldKills, s.starts, append([]string(nil), s.selfExits...)
}

// drain runs `tarn run --once` up to tries times until one succeeds,
// 1 s apart; it returns the number of attempts and the last error.
func drain(bin, cfg, logPath string, timeout time.Duration, tries int) (int, error) {
	var err error
	for i := 1; i <= tries; i++ {
		if err = drainOnce(bin, cfg, logPath, timeout); err == nil {
			return i, nil
		}
		log.Printf("drain attempt %d of %s: %v", i, filepath.Dir(cfg), err)
		time.Sleep(time.Second)
	}
	return tries, err
}

// drainOnce runs `tarn run --once` on cfg until it exits or timeout
// passes, appending its stderr to logPath; the error says how it failed.
func drainOnce(bin, cfg, logPath string, timeout time.Duration) error {
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	fmt.Fprintf(f, "=== torture: run --once at %s\n", time.Now().UTC().Format(time.RFC3339Nano))
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "run", "--config", filepath.Base(cfg), "--once", "--listen", "off")
	cmd.Dir = filepath.Dir(cfg)
	cmd.Stderr = f
	err = cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("run --once did not finish within %s", timeout)
	}
	if err != nil {
		return fmt.Errorf("run --once: %v", err)
	}
	return nil
}

// logProblems counts the error and fatal messages (zap's "msg" with the
// "error" field, which never holds record content) and panics in an
// agent log; the keys are "level: msg: error" with numbers as N.
func logProblems(path string) map[string]int {
	out := map[string]int{}
	b, err := os.ReadFile(path)
	if err != nil {
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if bytes.HasPrefix(line, []byte("panic:")) || bytes.HasPrefix(line, []byte("fatal error:")) {
			out[string(line)]++
			continue
		}
		var rec struct{ Level, Msg, Error string }
		if json.Unmarshal(line, &rec) != nil || (rec.Level != "error" && rec.Level != "fatal" && rec.Level != "panic") {
			continue
		}
		out[digits.ReplaceAllString(rec.Level+": "+rec.Msg+": "+rec.Error, "N")]++
	}
	return out
}

// digits are collapsed in problem keys, so that one failure at many
// offsets or temporary names counts as one kind.
var digits = regexp.MustCompile(`[0-9]+`)

// topProblems returns the n most frequent problems as "count× key".
func topProblems(m map[string]int, n int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var out []string
	for i, k := range keys {
		if i == n {
			out = append(out, fmt.Sprintf("... %d more kinds", len(keys)-n))
			break
		}
		c := m[k]
		if len(k) > 300 {
			k = k[:300] + "..."
		}
		out = append(out, fmt.Sprintf("%d× %s", c, k))
	}
	return out
}
