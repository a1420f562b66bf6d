package s3test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/tarn-project/tarn/sinks/sinktest/testbin"
)

const (
	readyTimeout = 60 * time.Second
	stopTimeout  = 30 * time.Second
	logTailLines = 50
)

// The ports weed listens on, as indexes into Server.ports.
const (
	masterPort = iota
	masterGRPCPort
	volumePort
	volumeGRPCPort
	filerPort
	filerGRPCPort
	s3Port
	s3GRPCPort
	adminPort
	adminGRPCPort
	numPorts
)

// Region is the region the clients sign requests for; SeaweedFS accepts
// any.
const Region = "us-east-1"

// The credentials of the server's identity when Options leave them empty.
const (
	DefaultAccessKey = "tarn-test-access-key"
	DefaultSecretKey = "tarn-test-secret-key-0123456789"
)

// Options tune the SeaweedFS that Start runs. The zero value has one
// identity, with the default credentials, allowed everything; anonymous
// and wrongly signed requests are refused.
type Options struct {
	// AccessKey and SecretKey are the identity's credentials; empty ones
	// are DefaultAccessKey and DefaultSecretKey.
	AccessKey, SecretKey string
}

// Server is a running (or stopped) SeaweedFS started by Start: `weed
// mini`, master, volume server, filer, S3 gateway and more in one process.
type Server struct {
	// Endpoint is the S3 gateway's address, 127.0.0.1:PORT (plain HTTP).
	Endpoint string
	// AccessKey and SecretKey are the credentials the server accepts.
	AccessKey, SecretKey string
	// Region is the region to sign requests for.
	Region string

	bin     string
	dir     string // working directory, data kept across restarts
	logPath string
	args    []string
	env     []string
	ports   []int

	proc testbin.Proc
}

// Start runs weed with its data in a temporary directory, everything on
// free loopback ports, waits until the S3 gateway accepts signed requests
// and kills its process group when the test ends. On test failure the end
// of weed's log is printed.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin := Binary(t)
	dir := t.TempDir()
	s := &Server{
		AccessKey: o.AccessKey,
		SecretKey: o.SecretKey,
		Region:    Region,
		bin:       bin,
		dir:       dir,
		logPath:   filepath.Join(dir, "weed.log"),
		ports:     testbin.FreePorts(t, numPorts),
	}
	if s.AccessKey == "" {
		s.AccessKey = DefaultAccessKey
	}
	if s.SecretKey == "" {
		s.SecretKey = DefaultSecretKey
	}
	s.Endpoint = "127.0.0.1:" + strconv.Itoa(s.ports[s3Port])
	if err := os.Mkdir(filepath.Join(dir, "data"), 0o755); err != nil {
		t.Fatalf("make weed data dir: %v", err)
	}
	cfg := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(cfg, identities(s.AccessKey, s.SecretKey), 0o600); err != nil {
		t.Fatalf("write s3 identities: %v", err)
	}
	s.args = args(dir, cfg, s.ports)
	s.env = environ(dir)
	t.Cleanup(func() {
		s.proc.Kill() // the data goes with the test, no need to wait for a graceful stop
		s.removeSockets()
		if t.Failed() {
			t.Logf("last lines of %s:\n%s", s.logPath, s.logTail())
		}
	})
	s.run(t)
	return s
}

// identities renders the S3 gateway's static identities file.
func identities(accessKey, secretKey string) []byte {
	type cred struct {
		AccessKey string `json:"accessKey"`
		SecretKey string `json:"secretKey"`
	}
	type identity struct {
		Name        string   `json:"name"`
		Credentials []cred   `json:"credentials"`
		Actions     []string `json:"actions"`
	}
	b, _ := json.Marshal(map[string][]identity{"identities": {{
		Name:        "tarn",
		Credentials: []cred{{accessKey, secretKey}},
		Actions:     []string{"Admin", "Read", "List", "Tagging", "Write"},
	}}})
	return b
}

// args returns weed's command line: `weed mini` (master, volume server,
// filer, S3 gateway, admin server and a maintenance worker in one
// process; unlike `weed server` it lets volumes be allocated right away
// and stops in seconds, not 15) without WebDAV, admin UI, Iceberg and
// Lance catalogs or telemetry, everything on 127.0.0.1 with the gRPC ports
// given explicitly (weed would add 10000 to the HTTP ports).
func args(dir, cfg string, p []int) []string {
	port := func(i int) string { return strconv.Itoa(p[i]) }
	return []string{
		"-logtostderr", "mini",
		"-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-dir=" + filepath.Join(dir, "data"),
		"-master.port=" + port(masterPort), "-master.port.grpc=" + port(masterGRPCPort),
		"-master.telemetry=false",
		"-volume.port=" + port(volumePort), "-volume.port.grpc=" + port(volumeGRPCPort),
		"-filer.port=" + port(filerPort), "-filer.port.grpc=" + port(filerGRPCPort),
		"-filer.localSocket=" + filepath.Join(dir, "filer.sock"),
		"-s3.port=" + port(s3Port), "-s3.port.grpc=" + port(s3GRPCPort),
		"-s3.config=" + cfg, "-s3.port.iceberg=0", "-s3.port.lance=0",
		"-s3.localSocket=" + filepath.Join(dir, "s3.sock"),
		"-admin.port=" + port(adminPort), "-admin.port.grpc=" + port(adminGRPCPort),
		"-admin.port.legacy=0",
		"-admin.ui=false", "-webdav=false",
	}
}

// environ returns weed's environment: the test's without WEED_* settings
// and with HOME in dir, so that no ~/.seaweedfs configuration applies.
// weed mini makes its own SSE-S3 key in the data directory.
func environ(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WEED_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+dir)
}

// Stop shuts weed down gracefully (SIGTERM, then SIGKILL to the process
// group after 30s; weed mini takes about 1.5s) and waits for it to exit.
// The data directory is kept for Restart.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if err := s.proc.Stop(stopTimeout); err != nil {
		t.Logf("stop weed: %v", err)
	}
}

// Kill stops weed with SIGKILL to its process group, as a crash would,
// and waits for it to exit. The data directory is kept for Restart.
func (s *Server) Kill(t testing.TB) {
	t.Helper()
	s.proc.Kill()
}

// Restart stops weed if it is running and starts it again on the same
// ports and data directory, waiting until the S3 gateway is ready and
// accepts writes again, which takes about 15 seconds (see waitReady).
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop(t)
	s.run(t)
}

// run starts the process and waits until S3 requests succeed.
func (s *Server) run(t testing.TB) {
	t.Helper()
	begin := time.Now()
	if err := s.proc.Start(testbin.Process{Bin: s.bin, Args: s.args, Dir: s.dir, Env: s.env, Log: s.logPath}); err != nil {
		t.Fatalf("start weed: %v", err)
	}
	if err := s.waitReady(t); err != nil {
		s.proc.Stop(stopTimeout)
		t.Fatalf("weed did not become ready: %v\nlast lines of %s:\n%s", err, s.logPath, s.logTail())
	}
	t.Logf("s3test: SeaweedFS S3 ready at %s after %s", s.Endpoint, time.Since(begin).Round(time.Millisecond))
}

// waitReady waits until a signed ListBuckets succeeds and the master
// hands out file ids, or the process exits, or readyTimeout passes. The
// gateway answers before the filer behind it is connected, and after a
// restart with data the master refuses writes for 15 seconds (its
// warm-up, fixed at three heartbeat pulses); tests should not see either.
func (s *Server) waitReady(t testing.TB) error {
	done := s.proc.Done()
	c := s.Client(t)
	assign := "http://127.0.0.1:" + strconv.Itoa(s.ports[masterPort]) + "/dir/assign"
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	last := fmt.Errorf("no answer")
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("weed exited during startup: %v", s.proc.Exited())
		default:
		}
		if last = listBuckets(c); last == nil {
			if last = get(hc, assign); last == nil {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s (last: %v)", readyTimeout, last)
}

// listBuckets makes a signed request through gateway and filer.
func listBuckets(c *minio.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.ListBuckets(ctx)
	return err
}

// get requires a 200 answer to GET url.
func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s %s", url, resp.Status, bytes.TrimSpace(body))
	}
	return nil
}

// removeSockets removes the Unix sockets weed mini creates for its gRPC
// ports in /tmp whatever its flags say, and leaves behind when killed.
func (s *Server) removeSockets() {
	for i, name := range map[int]string{masterGRPCPort: "master", volumeGRPCPort: "volume",
		filerGRPCPort: "filer", s3GRPCPort: "s3", adminGRPCPort: "admin"} {
		os.Remove(fmt.Sprintf("/tmp/seaweedfs-%s-grpc-%d.sock", name, s.ports[i]))
	}
}

// logTail returns the last lines of weed's log file.
func (s *Server) logTail() string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return err.Error()
	}
	return testbin.Tail(b, logTailLines)
}
