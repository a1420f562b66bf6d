package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks/loki/lokitest"
)

// harnessTB lets the lokitest harness run outside a test. lokitest calls
// only the methods defined here (the embedded nil TB is never used);
// Fatalf and Skipf panic with a harnessStop, which try turns into an
// error.
type harnessTB struct {
	testing.TB
	dir      string
	mu       sync.Mutex
	temps    int
	cleanups []func()
}

// harnessStop is what Fatalf and Skipf panic with.
type harnessStop struct {
	msg  string
	skip bool
}

func (h *harnessTB) Helper() {}

func (h *harnessTB) Logf(format string, args ...any) { log.Printf(format, args...) }

func (h *harnessTB) Log(args ...any) { log.Print(args...) }

func (h *harnessTB) Errorf(format string, args ...any) {
	panic(harnessStop{msg: fmt.Sprintf(format, args...)})
}

func (h *harnessTB) Fatalf(format string, args ...any) {
	panic(harnessStop{msg: fmt.Sprintf(format, args...)})
}

func (h *harnessTB) Fatal(args ...any) { panic(harnessStop{msg: fmt.Sprint(args...)}) }

func (h *harnessTB) Skip(args ...any) { panic(harnessStop{msg: fmt.Sprint(args...), skip: true}) }

func (h *harnessTB) Skipf(format string, args ...any) {
	panic(harnessStop{msg: fmt.Sprintf(format, args...), skip: true})
}

func (h *harnessTB) Failed() bool { return false }

// TempDir returns a new directory below the harness's directory.
func (h *harnessTB) TempDir() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.temps++
	d := filepath.Join(h.dir, fmt.Sprintf("tmp%d", h.temps))
	if err := os.MkdirAll(d, 0o755); err != nil {
		panic(harnessStop{msg: err.Error()})
	}
	return d
}

// Cleanup registers f for runCleanups.
func (h *harnessTB) Cleanup(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.cleanups = append(h.cleanups, f)
}

// runCleanups runs the registered functions, last first.
func (h *harnessTB) runCleanups() {
	h.mu.Lock()
	fs := h.cleanups
	h.cleanups = nil
	h.mu.Unlock()
	for i := len(fs) - 1; i >= 0; i-- {
		fs[i]()
	}
}

// try runs f and returns the Fatalf or Skipf message it stopped with.
func try(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s, ok := r.(harnessStop)
			if !ok {
				panic(r)
			}
			err = fmt.Errorf("%s", s.msg)
		}
	}()
	f()
	return nil
}

// lokiServer is the shared real Loki of a torture run.
type lokiServer struct {
	tb    *harnessTB
	l     *lokitest.Loki
	mu    sync.Mutex
	up    bool
	kills int
}

// initTesting makes testing.Short, which lokitest asks, answer false (it
// panics before testing.Init and flag.Parse): the test flags are
// registered on flag.CommandLine, which is parsed without arguments.
var initTesting sync.Once

// initTestingFlags is initTesting's function.
func initTestingFlags() {
	testing.Init()
	flag.CommandLine.Parse(nil)
}

// startLoki runs Loki with its data below dir and ingestion limits high
// enough that rate limiting plays no part.
func startLoki(dir string) (*lokiServer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	initTesting.Do(initTestingFlags)
	s := &lokiServer{tb: &harnessTB{dir: dir}}
	err := try(func() {
		s.l = lokitest.Start(s.tb, lokitest.Options{IngestionRateMB: 256, IngestionBurstMB: 512})
	})
	if err != nil {
		s.tb.runCleanups()
		return nil, err
	}
	s.up = true
	return s, nil
}

// pushURL is where the agents push.
func (s *lokiServer) pushURL() string { return s.l.PushURL() }

// kill stops Loki with SIGKILL.
func (s *lokiServer) kill() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.up {
		return
	}
	s.l.Kill(s.tb)
	s.up = false
	s.kills++
}

// stop shuts Loki down gracefully.
func (s *lokiServer) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.up {
		s.l.Stop(s.tb)
		s.up = false
	}
}

// ensureUp restarts Loki if it is down and waits until it is ready.
func (s *lokiServer) ensureUp() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.up {
		return nil
	}
	if err := try(func() { s.l.Restart(s.tb) }); err != nil {
		return err
	}
	s.up = true
	return nil
}

// killCount returns how often Loki was killed.
func (s *lokiServer) killCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.kills
}

// lines returns the lines of every entry of a phase in [start, end).
func (s *lokiServer) lines(phase string, start, end time.Time) ([]string, error) {
	if err := s.ensureUp(); err != nil {
		return nil, err
	}
	var entries []lokitest.Entry
	err := try(func() {
		entries = s.l.Query(s.tb, "", fmt.Sprintf("{torture_phase=%q}", phase), start, end)
	})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Line
	}
	return out, nil
}

// close stops Loki and removes nothing (the run's directory does).
func (s *lokiServer) close() { s.tb.runCleanups() }
