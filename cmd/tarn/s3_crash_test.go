package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks/s3/s3test"
)

const s3CrashConfig = `data_dir: data
rules: builtin:default
inputs:
  - name: app
    type: file
    paths: ["logs/*.log"]
    format: logfmt
    start_at: beginning
sinks:
  - name: archive
    type: s3
    endpoint: http://%s
    bucket: logs
    path_style: true
    access_key_id_file: access_key
    secret_access_key_file: secret_key
    max_age: 1s
    max_bytes: 64KiB
server: {listen: ""}
`

// s3Line is the line number n as the test writes it: the number survives
// the default rules, the e-mail address must not.
func s3Line(n int) string {
	return fmt.Sprintf("seq=%06d msg=order email=buyer%d@example.com", n, n)
}

// s3Anonymized is what the default rules leave of an s3Line: the number
// and a 16-hex-digit pseudonym of the address.
var s3Anonymized = regexp.MustCompile(`^seq=(\d{6}) msg=order email=[0-9a-f]{16}$`)

// s3Key is the default key layout of the sink archive
// (tenant=default/dt=.../hour=.../<node>-archive-<batch ID>.ndjson.gz).
var s3Key = regexp.MustCompile(`^tenant=default/dt=\d{4}-\d{2}-\d{2}/hour=\d{2}/[A-Za-z0-9._-]+-archive-\d{20}-\d+-\d+\.ndjson\.gz$`)

// TestS3CrashSIGKILL runs the real binary tailing a log the test keeps
// appending to, with an s3 sink into a real SeaweedFS making small
// objects all the time, kills it with SIGKILL eight times, restarts it on
// the same spool and positions, lets a last run deliver everything and
// reads every object back. The agent talks to the store through a proxy
// of the test that kills it, besides at random moments, right when a PUT
// arrives (the store never sees it) or right after the store stored the
// object but before the agent got the answer (so the batch is sent again
// by the next run, which must put the same key). The sink's
// promise is checked exactly: every spooled entry is stored in exactly one
// object, once (a batch re-sent after a kill overwrites the object of its
// first sending, named after the batch ID), and no line is lost.
//
// The input side is at least once by design: the positions file is saved
// just after the spool append, so a kill between the two makes the next
// run read the chunk again and spool its lines a second time, as new
// entries with the time of their second reading (the lines carry no time
// of their own). Such copies are told apart from a sink duplicate by
// their time, counted, and bounded by one chunk per kill.
func TestS3CrashSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary, runs SeaweedFS")
	}
	begin := time.Now()
	srv := s3test.Start(t, s3test.Options{})
	srv.MakeBucket(t, "logs")
	bin := buildTarn(t)
	dir := t.TempDir()
	writeFile(t, dir, "access_key", srv.AccessKey)
	writeFile(t, dir, "secret_key", srv.SecretKey)
	if err := os.Mkdir(filepath.Join(dir, "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	w := startS3Writer(t, filepath.Join(dir, "logs", "app.log"))

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 14))
	px := startS3Proxy(t, srv.Endpoint)
	writeFile(t, dir, "tarn.yaml", fmt.Sprintf(s3CrashConfig, px.addr))
	// Kills at a random moment, and in the two places that matter most:
	// while a PUT is on its way (the object is not stored) and after the
	// store stored it but before the agent heard (the batch is not
	// acknowledged, so the next run sends it again under the same key).
	modes := []s3KillMode{killAfterStore, killRandom, killBeforeStore, killAfterStore, killRandom, killAfterStore, killBeforeStore, killRandom}
	var resend []string // keys of objects stored by a PUT whose agent was killed
	for i, mode := range modes {
		ag := startAgent(t, bin, dir)
		switch mode {
		case killRandom:
			time.Sleep(time.Duration(300+rng.IntN(1500)) * time.Millisecond)
		default:
			key := px.arm(mode, 1+rng.IntN(8), ag)
			select {
			case k := <-key:
				if mode == killAfterStore {
					resend = append(resend, k)
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("kill %d: no upload to kill within 20s\n%s", i, ag.stderr.String())
			}
		}
		ag.kill(t, i)
		px.disarm()
	}
	kills := len(modes)
	written := w.stop(t)
	t.Logf("%d lines written during %d kills (%s)", written, kills, time.Since(begin).Round(time.Millisecond))

	// The last run reads the log to its end and delivers the spool.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if out, err := exec.CommandContext(ctx, bin, "run", "--config", filepath.Join(dir, "tarn.yaml"), "--once").CombinedOutput(); err != nil {
		t.Fatalf("run --once: %v\n%s", err, out)
	} else if bytes.Contains(out, []byte(`"level":"error"`)) {
		t.Fatalf("run --once logged an error:\n%s", out)
	}

	got := readS3Entries(t, srv, "logs")
	// An object stored by a PUT whose agent was killed before the answer
	// belongs to a batch that was not acknowledged: a later run must have
	// put it again, under the same key.
	for _, k := range resend {
		if n := px.puts(k); n < 2 {
			t.Errorf("object %s stored before a kill was put %d times, want a second PUT of the re-sent batch", k, n)
		}
	}
	// Every spooled entry in exactly one object, once.
	var dups []string
	for raw, keys := range got.objects {
		if len(keys) > 1 {
			dups = append(dups, fmt.Sprintf("%d times, in %q: %s", len(keys), keys, raw))
		}
	}
	if len(dups) > 0 {
		sort.Strings(dups)
		t.Errorf("%d entries stored more than once (a re-sent batch made a new object), e.g.\n%s", len(dups), strings.Join(dups[:min(len(dups), 5)], "\n"))
	}
	// Every line delivered; more than one copy only from a second
	// reading (another time).
	reread, sameTime, runs := 0, 0, 0
	for n := range written {
		times := got.times[n]
		if len(times) == 0 {
			t.Fatalf("line %d of %d lost after %d kills", n, written, kills)
		}
		seen := map[string]bool{}
		for _, tm := range times {
			if seen[tm] {
				sameTime++
			}
			seen[tm] = true
		}
		reread += len(seen) - 1
		if len(seen) > 1 && (n == 0 || len(got.times[n-1]) < 2) {
			runs++
		}
	}
	if sameTime > len(dups) {
		t.Errorf("%d copies of lines with the time of another copy: one reading stored twice", sameTime)
	}
	for n := range got.times {
		if n >= written {
			t.Errorf("line %d stored, only %d written", n, written)
		}
	}
	// A kill between spool append and positions save re-reads at most
	// the chunk in flight (256 KiB, about 4,600 of these lines): one run
	// of consecutive lines per kill.
	if limit := kills * 4600; reread > limit || runs > kills {
		t.Errorf("%d lines in %d runs read twice after %d kills, more than %d lines or %d runs", reread, runs, kills, limit, kills)
	}
	t.Logf("%d objects, %d entries, %d PUTs, %d objects put again after a kill, %d lines read again by the input in %d runs; %s in all",
		got.nobjects, got.nentries, px.total(), len(resend), reread, runs, time.Since(begin).Round(time.Millisecond))
}

// s3Writer appends numbered lines to a log file in the background.
type s3Writer struct {
	quit chan struct{}
	done chan struct{}
	mu   sync.Mutex
	next int
	err  error
}

// startS3Writer appends 100 lines every 10 ms to path (about 6 MB/min)
// until stop.
func startS3Writer(t *testing.T, path string) *s3Writer {
	t.Helper()
	w := &s3Writer{quit: make(chan struct{}), done: make(chan struct{})}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(w.done)
		defer f.Close()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		bw := bufio.NewWriter(f)
		for {
			select {
			case <-w.quit:
				return
			case <-tick.C:
			}
			w.mu.Lock()
			for range 100 {
				bw.WriteString(s3Line(w.next))
				bw.WriteByte('\n')
				w.next++
			}
			if err := bw.Flush(); err != nil && w.err == nil {
				w.err = err
			}
			w.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		select {
		case <-w.quit:
		default:
			close(w.quit)
		}
		<-w.done
	})
	return w
}

// stop ends the writing and returns the number of lines written, whole
// lines only (every flush ends with a newline).
func (w *s3Writer) stop(t *testing.T) int {
	t.Helper()
	close(w.quit)
	<-w.done
	if w.err != nil {
		t.Fatalf("write log: %v", w.err)
	}
	return w.next
}

// s3Entries is what the objects of a bucket hold.
type s3Entries struct {
	// objects are the keys of the objects each NDJSON line (one entry,
	// byte for byte) was found in, once per occurrence.
	objects map[string][]string
	// times are the times of the entries of each line number.
	times              map[int][]string
	nobjects, nentries int
}

// readS3Entries reads every object of bucket: gzip-compressed NDJSON of
// entries {time, tenant, labels, line, metadata} whose lines are
// anonymized s3Lines, under keys of the default layout.
func readS3Entries(t *testing.T, srv *s3test.Server, bucket string) s3Entries {
	t.Helper()
	got := s3Entries{objects: map[string][]string{}, times: map[int][]string{}}
	for _, o := range srv.ListObjects(t, bucket, "") {
		got.nobjects++
		if !s3Key.MatchString(o.Key) {
			t.Fatalf("object %q: not a key of the default layout", o.Key)
		}
		body := srv.Get(t, bucket, o.Key)
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("object %s: not gzip: %v", o.Key, err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("object %s: gunzip: %v", o.Key, err)
		}
		if len(plain) == 0 || plain[len(plain)-1] != '\n' {
			t.Fatalf("object %s: empty or not newline-terminated NDJSON", o.Key)
		}
		for _, raw := range strings.Split(strings.TrimSuffix(string(plain), "\n"), "\n") {
			var e struct {
				Time     string            `json:"time"`
				Tenant   string            `json:"tenant"`
				Labels   map[string]string `json:"labels"`
				Line     string            `json:"line"`
				Metadata map[string]string `json:"metadata"`
			}
			dec := json.NewDecoder(strings.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&e); err != nil {
				t.Fatalf("object %s: bad NDJSON line %q: %v", o.Key, raw, err)
			}
			if _, err := time.Parse(time.RFC3339Nano, e.Time); err != nil || e.Tenant != "default" || e.Labels["input"] != "app" {
				t.Fatalf("object %s: entry without its time, tenant or labels: %s", o.Key, raw)
			}
			lm := s3Anonymized.FindStringSubmatch(e.Line)
			if lm == nil {
				t.Fatalf("object %s: line %q is not an anonymized test line", o.Key, e.Line)
			}
			n, _ := strconv.Atoi(lm[1])
			got.objects[raw] = append(got.objects[raw], o.Key)
			got.times[n] = append(got.times[n], e.Time)
			got.nentries++
		}
	}
	if got.nobjects == 0 {
		t.Fatal("no objects in the bucket")
	}
	for raw, keys := range got.objects {
		sort.Strings(keys)
		got.objects[raw] = keys
	}
	return got
}

// s3KillMode is when a crash test iteration kills the agent.
type s3KillMode int

const (
	// killRandom kills after a random time.
	killRandom s3KillMode = iota
	// killBeforeStore kills when a PUT reaches the proxy, which then drops
	// it: the store never sees it.
	killBeforeStore
	// killAfterStore kills when the store has answered a PUT, before the
	// agent gets the answer.
	killAfterStore
)

// s3Proxy forwards the agent's requests to the S3 store, counts the PUTs
// of each key the store accepted, and kills the agent on an armed PUT.
type s3Proxy struct {
	addr    string
	backend string
	mu      sync.Mutex
	stored  map[string]int
	n       int
	// armed: kill on the after-th PUT from now, in mode, and send the key
	// to killed.
	mode   s3KillMode
	after  int
	agent  *agentProcess
	killed chan string
}

// startS3Proxy listens on a free loopback port and forwards to backend
// (host:port, plain HTTP), keeping the Host header the agent signed.
func startS3Proxy(t *testing.T, backend string) *s3Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &s3Proxy{addr: ln.Addr().String(), backend: backend, stored: map[string]int{}}
	hs := &http.Server{Handler: p}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return p
}

// arm makes the after-th PUT from now kill agent (in mode) and returns
// the channel that receives its key.
func (p *s3Proxy) arm(mode s3KillMode, after int, agent *agentProcess) <-chan string {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode, p.after, p.agent, p.killed = mode, after, agent, make(chan string, 1)
	return p.killed
}

// disarm forgets the armed kill, if it did not happen.
func (p *s3Proxy) disarm() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.after, p.agent = 0, nil
}

// puts returns how many PUTs of key the store accepted.
func (p *s3Proxy) puts(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stored[key]
}

// total returns the number of PUTs the store accepted.
func (p *s3Proxy) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// take reports whether this PUT is the armed one and disarms it.
func (p *s3Proxy) take(mode s3KillMode) (*agentProcess, chan string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.agent == nil || p.mode != mode || p.after != 1 {
		return nil, nil
	}
	a, c := p.agent, p.killed
	p.agent, p.after = nil, 0
	return a, c
}

func (p *s3Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	put := r.Method == http.MethodPut && r.URL.Query().Get("uploadId") == ""
	key := strings.TrimPrefix(r.URL.Path, "/logs/")
	if put {
		p.mu.Lock()
		if p.agent != nil && p.after > 1 {
			p.after--
		}
		p.mu.Unlock()
		if a, killed := p.take(killBeforeStore); a != nil {
			a.cmd.Process.Signal(syscall.SIGKILL)
			killed <- key
			http.Error(w, "killed", http.StatusBadGateway)
			return
		}
	}
	out := r.Clone(r.Context())
	out.RequestURI = ""
	out.URL.Scheme, out.URL.Host = "http", p.backend
	out.Host = r.Host // the agent signed its own Host header
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if put && resp.StatusCode == http.StatusOK {
		p.mu.Lock()
		p.stored[key]++
		p.n++
		p.mu.Unlock()
		if a, killed := p.take(killAfterStore); a != nil {
			a.cmd.Process.Signal(syscall.SIGKILL)
			killed <- key
			http.Error(w, "killed", http.StatusBadGateway)
			return
		}
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}
