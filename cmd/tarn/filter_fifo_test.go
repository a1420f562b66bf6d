package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startFilter starts the real binary as `tarn filter --input FIFO -o
// out` on a new FIFO in dir and returns the FIFO, the output file and the
// running command.
func startFilter(t *testing.T, dir string) (fifo, out string, cmd *exec.Cmd) {
	t.Helper()
	bin := buildTarn(t)
	fifo, out = filepath.Join(dir, "access.fifo"), filepath.Join(dir, "access.log")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	cmd = exec.Command(bin, "filter", "--input", fifo, "-o", out, "--key-file", newKeyFile(t))
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return fifo, out, cmd
}

// stopFilter ends the filter with SIGTERM and requires exit status 0.
func stopFilter(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("tarn filter after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("tarn filter did not end 10 s after SIGTERM")
	}
}

// waitLines waits until the file at path holds n lines and returns them.
func waitLines(t *testing.T, path string, n int) []string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		b, _ := os.ReadFile(path)
		lines := splitLines(string(b))
		if len(lines) >= n || time.Now().After(deadline) {
			return lines
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A FIFO input outlives its writers: each writer opens the FIFO (without
// blocking), writes and closes it, the next one comes a moment later, and
// tarn goes on reading; SIGTERM ends
// it after the last line, with status 0.
func TestFilterFIFOAcrossWriters(t *testing.T) {
	dir := t.TempDir()
	fifo, out, cmd := startFilter(t, dir)
	var want []string
	for w := range 3 {
		f, err := openWriter(fifo)
		if err != nil {
			t.Fatalf("writer %d: %v", w, err)
		}
		for i := range 2 {
			path := fmt.Sprintf("/w%d/%d", w, i)
			want = append(want, path)
			fmt.Fprintf(f, "203.0.113.7 - - [%s] \"GET %s HTTP/1.1\" 200 2 \"-\" \"-\"\n", time.Now().Format("02/Jan/2006:15:04:05 -0700"), path)
		}
		f.Close()
		time.Sleep(200 * time.Millisecond) // a reader that stops at EOF stops here
	}
	waitLines(t, out, len(want))
	stopFilter(t, cmd)
	checkLoggedOnce(t, readFile(t, out), want, "203.0.113.7")
}

// openWriter opens fifo for writing without blocking forever: the open
// fails when no reader has held the FIFO for 3 s.
func openWriter(fifo string) (*os.File, error) {
	deadline := time.Now().Add(3 * time.Second)
	fd, err := syscall.Open(fifo, syscall.O_WRONLY|syscall.O_NONBLOCK, 0)
	for err == syscall.ENXIO && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		fd, err = syscall.Open(fifo, syscall.O_WRONLY|syscall.O_NONBLOCK, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s for writing: %w (no reader)", fifo, err)
	}
	if err := syscall.SetNonblock(fd, false); err != nil {
		syscall.Close(fd)
		return nil, err
	}
	return os.NewFile(uintptr(fd), fifo), nil
}

// checkLoggedOnce requires every request path of want exactly once in the
// output and the raw address nowhere.
func checkLoggedOnce(t *testing.T, got string, want []string, raw string) {
	t.Helper()
	if strings.Contains(got, raw) {
		t.Errorf("raw address %s in the output:\n%s", raw, got)
	}
	for _, p := range want {
		if n := strings.Count(got, " "+p+" "); n != 1 {
			t.Errorf("request %s logged %d times, want once; output:\n%s", p, n, got)
		}
	}
	if n := countLines(got); n != len(want) {
		t.Errorf("%d lines, want %d:\n%s", n, len(want), got)
	}
}

// The README's nginx recipe with a real nginx: access_log to a FIFO that
// `tarn filter --input` reads. Requests before and after a reload
// (SIGHUP), a log reopen (SIGUSR1) and a full restart (SIGQUIT, start
// again) are each logged once, anonymized, and no start of nginx blocks.
func TestFilterFIFONginx(t *testing.T) {
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr != nil {
			t.Skip("nginx not installed (apt-get install nginx-light); the FIFO recipe is not tested against it")
		}
		nginx = "/usr/sbin/nginx"
	}
	dir := t.TempDir()
	fifo, out, cmd := startFilter(t, dir)
	port := freePort(t)
	conf := filepath.Join(dir, "nginx.conf")
	writeFile(t, dir, "nginx.conf", fmt.Sprintf(`worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
    access_log %[2]s combined;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server {
        listen 127.0.0.1:%[3]d;
        location / { return 200 "ok\n"; }
    }
}
`, dir, fifo, port))
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	var want []string
	get := func(phase string) {
		t.Helper()
		for i := range 3 {
			p := fmt.Sprintf("/%s/%d", phase, i)
			resp, err := http.Get(url + p)
			if err != nil {
				t.Fatalf("GET %s: %v", p, err)
			}
			resp.Body.Close()
			want = append(want, p)
		}
		waitLines(t, out, len(want))
	}
	ng := startNginx(t, nginx, dir, conf, url)
	get("start")
	ng.signal(t, syscall.SIGHUP) // reload: new workers reopen the FIFO
	time.Sleep(500 * time.Millisecond)
	get("reload")
	ng.signal(t, syscall.SIGUSR1) // reopen the logs (logrotate's postrotate)
	time.Sleep(300 * time.Millisecond)
	get("reopen")
	ng.stop(t)
	ng = startNginx(t, nginx, dir, conf, url) // would block without a reader
	get("restart")
	ng.stop(t)
	stopFilter(t, cmd)
	checkLoggedOnce(t, readFile(t, out), want, "127.0.0.1")
}

// nginxProc is a running nginx.
type nginxProc struct {
	cmd  *exec.Cmd
	done chan error
}

// startNginx starts nginx in the foreground and waits until url answers.
func startNginx(t *testing.T, nginx, dir, conf, url string) *nginxProc {
	t.Helper()
	cmd := exec.Command(nginx, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"), "-g", "daemon off;")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	n := &nginxProc{cmd: cmd, done: make(chan error, 1)}
	go func() { n.done <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-n.done:
			b, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s", err, b)
		default:
		}
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second)
		if err == nil {
			c.Close()
			return n
		}
		if time.Now().After(deadline) {
			t.Fatal("nginx did not listen within 10 s (blocked opening its access log?)")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// signal sends sig to nginx's master process.
func (n *nginxProc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := n.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

// stop ends nginx gracefully (SIGQUIT) and waits for it.
func (n *nginxProc) stop(t *testing.T) {
	t.Helper()
	n.signal(t, syscall.SIGQUIT)
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
		t.Fatal("nginx did not stop 10 s after SIGQUIT")
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
