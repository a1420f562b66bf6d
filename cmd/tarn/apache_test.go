package main

import (
	"crypto/sha1"
	"encoding/base64"
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

const apacheBin = "/usr/sbin/apache2"

// TestApacheSnippet runs the real Apache with the shipped
// packaging/apache/tarn.conf (paths pointed at a fresh build and a test
// key) on a loopback port: requests of a virtual host without a log of its
// own, with user names (failed basic auth), an e-mail address in the query
// and the referer, end up in other_vhosts_access.log and error.log only
// anonymized, and a rotation followed by a graceful restart writes to the
// new file.
func TestApacheSnippet(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real apache2")
	}
	if _, err := os.Stat(apacheBin); err != nil {
		t.Skip("apache2 not installed (apt-get install apache2); .ci/run installs it")
	}
	bin := buildTarn(t)
	dir, err := os.MkdirTemp("", "tarn-apache-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755) // Apache's children (nobody) serve dir/www
	logs := filepath.Join(dir, "log")
	www := filepath.Join(dir, "www")
	for _, d := range []string{logs, www} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(www, "index.html"), []byte("hello\n"), 0o644)
	key, err := exec.Command(bin, "keygen").Output()
	if err != nil {
		t.Fatal(err)
	}
	keyFile := writeFile(t, dir, "key", string(key))
	rulesFile := filepath.Join("..", "..", "packaging", "debian", "rules.yaml")
	rulesAbs, _ := filepath.Abs(rulesFile)
	sum := sha1.Sum([]byte("right"))
	htpasswd := writeFile(t, dir, "htpasswd", "bob:{SHA}"+base64.StdEncoding.EncodeToString(sum[:])+"\n")
	os.Chmod(htpasswd, 0o644)

	snippet, err := os.ReadFile(filepath.Join("..", "..", "packaging", "apache", "tarn.conf"))
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.NewReplacer("/usr/bin/tarn", bin, "/etc/tarn/rules.yaml", rulesAbs, "/etc/tarn/key", keyFile).Replace(string(snippet))
	writeFile(t, dir, "tarn.conf", conf)

	port := freeLoopbackPort(t)
	user := ""
	if os.Getuid() == 0 {
		user = "User nobody\nGroup nogroup\n"
	}
	mods := ""
	for _, m := range []string{"mpm_prefork", "authz_core", "authn_core", "authn_file", "auth_basic", "authz_user", "dir", "mime"} {
		mods += fmt.Sprintf("LoadModule %s_module /usr/lib/apache2/modules/mod_%s.so\n", m, m)
	}
	main := writeFile(t, dir, "apache2.conf", mods+user+fmt.Sprintf(`ServerName localhost
ServerRoot %[1]s
Listen 127.0.0.1:%[2]d
PidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
Mutex file:%[1]s default
TypesConfig /etc/mime.types
DirectoryIndex index.html
LogLevel warn
Define APACHE_LOG_DIR %[3]s
# Debian's apache2.conf
LogFormat "%%v:%%p %%h %%l %%u %%t \"%%r\" %%>s %%O \"%%{Referer}i\" \"%%{User-Agent}i\"" vhost_combined
LogFormat "%%h %%l %%u %%t \"%%r\" %%>s %%O \"%%{Referer}i\" \"%%{User-Agent}i\"" combined
ErrorLog %[3]s/raw-error.log
Include %[1]s/tarn.conf
<VirtualHost 127.0.0.1:%[2]d>
	ServerName test.example
	DocumentRoot %[4]s
	<Directory %[4]s>
		Require all granted
	</Directory>
	<Location /private>
		AuthType Basic
		AuthName private
		AuthBasicProvider file
		AuthUserFile %[5]s
		Require valid-user
	</Location>
</VirtualHost>
`, dir, port, logs, www, htpasswd))
	os.Chmod(main, 0o644)

	cmd := exec.Command(apacheBin, "-f", main, "-DFOREGROUND")
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	// Apache signals its whole process group at shutdown: a group of its
	// own keeps the test out of it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitListening(t, addr, done, &stderr)

	get := func(path, user, pass string) int {
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		req.Host = "test.example"
		req.Header.Set("Referer", "https://shop.example/account?email=carol@mail.example")
		req.Header.Set("User-Agent", "tarn-test")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, r := range []struct {
		path, user, pass string
		status           int
	}{
		{"/", "", "", 200},
		{"/?email=dave@mail.example", "", "", 200},
		{"/private/", "alice", "guess", 401}, // AH01618: user alice not found
		{"/private/", "bob", "wrong", 401},   // AH01617: user bob: authentication failure
	} {
		if got := get(r.path, r.user, r.pass); got != r.status {
			t.Fatalf("GET %s as %q: status %d, want %d", r.path, r.user, got, r.status)
		}
	}
	access := filepath.Join(logs, "other_vhosts_access.log")
	errlog := filepath.Join(logs, "error.log")
	waitContains(t, access, "test.example:", 4)
	waitContains(t, errlog, "AH0161", 2)

	// logrotate: move the file away, reload (graceful), log on.
	if err := os.Rename(access, access+".1"); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGUSR1)
	time.Sleep(time.Second)
	waitListening(t, addr, done, &stderr)
	get("/?after=rotation", "", "")
	waitContains(t, access, "after=rotation", 1)

	raw := []string{"alice", "bob", "127.0.0.1", "carol@mail.example", "dave@mail.example"}
	for _, p := range []string{access, access + ".1", errlog} {
		data, _ := os.ReadFile(p)
		t.Logf("%s:\n%s", filepath.Base(p), data)
		for _, s := range raw {
			if strings.Contains(string(data), s) {
				t.Errorf("%s holds raw %q:\n%s", filepath.Base(p), s, data)
			}
		}
		if !strings.Contains(string(data), "127.0.0.0") {
			t.Errorf("%s: no truncated client address:\n%s", filepath.Base(p), data)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(logs, "raw-error.log")); len(data) > 0 {
		t.Errorf("the server's stock error log was written (tarn.conf's ErrorLog did not take over):\n%s", data)
	}
}

// freeLoopbackPort returns a port free on 127.0.0.1 a moment ago.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitListening waits until addr accepts connections, failing when the
// server exits first.
func waitListening(t *testing.T, addr string, done chan error, out *strings.Builder) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case err := <-done:
			done <- err
			t.Fatalf("server exited: %v\n%s", err, out.String())
		default:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	t.Fatalf("%s not listening\n%s", addr, out.String())
}

// waitContains waits until path holds at least n lines containing s.
func waitContains(t *testing.T, path, s string, n int) {
	t.Helper()
	var data []byte
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		data, _ = os.ReadFile(path)
		if strings.Count(string(data), s) >= n {
			return
		}
	}
	t.Fatalf("%s: want %d lines with %q, got:\n%s", path, n, s, data)
}
