package agent

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/inputs/lokipush"
)

// testCA is a certificate authority made for one test.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tarn test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

// issue returns a PEM certificate and key for 127.0.0.1 (server) or a
// client, with the given serial number.
func (ca *testCA) issue(t *testing.T, serial int64, server bool) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "tarn test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	if server {
		tmpl.ExtKeyUsage, tmpl.IPAddresses = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, []net.IP{net.IPv4(127, 0, 0, 1)}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// writePair replaces cert.pem and key.pem in dir the way certificate
// managers do: a new file renamed over the old one.
func writePair(t *testing.T, dir string, certPEM, keyPEM []byte) {
	t.Helper()
	for name, b := range map[string][]byte{"cert.pem": certPEM, "key.pem": keyPEM} {
		tmp := filepath.Join(dir, name+".new")
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// tlsClient trusts ca and presents client (if not nil), one connection
// per request so each request shakes hands anew.
func tlsClient(ca *testCA, client *tls.Certificate) *http.Client {
	tc := &tls.Config{RootCAs: ca.pool}
	if client != nil {
		tc.Certificates = []tls.Certificate{*client}
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: tc, DisableKeepAlives: true}, Timeout: 30 * time.Second}
}

// TestPushReceiverMutualTLS: over mTLS a client with a certificate of the
// CA pushes, one without is refused, and a renewed server certificate is
// served without a restart.
func TestPushReceiverMutualTLS(t *testing.T) {
	ca := newTestCA(t)
	dir, addr := t.TempDir(), freePort(t)
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o644); err != nil {
		t.Fatal(err)
	}
	certPEM, keyPEM := ca.issue(t, 100, true)
	writePair(t, dir, certPEM, keyPEM)
	s := start(t, filePushConfig(t, dir, addr, "    tls: {cert_file: cert.pem, key_file: key.pem, client_ca_file: ca.pem, min_version: \"1.3\"}\n", ""), Options{})
	waitListening(t, addr)
	cc, ck := ca.issue(t, 200, false)
	client, err := tls.X509KeyPair(cc, ck)
	if err != nil {
		t.Fatal(err)
	}
	url := "https://" + addr + lokipush.PushPath
	push := func(c *http.Client, from int) (*http.Response, error) {
		resp, err := c.Post(url, "application/json", strings.NewReader(jsonPush(from, from+5)))
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}
	resp, err := push(tlsClient(ca, &client), 0)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("push with a client certificate: %v %v", resp, err)
	}
	if resp.TLS.PeerCertificates[0].SerialNumber.Int64() != 100 || resp.TLS.Version != tls.VersionTLS13 {
		t.Errorf("served serial %v over %x", resp.TLS.PeerCertificates[0].SerialNumber, resp.TLS.Version)
	}
	if resp, err := push(tlsClient(ca, nil), 100); err == nil {
		t.Fatalf("push without a client certificate answered %d", resp.StatusCode)
	}
	if resp, err := http.Post("http://"+addr+lokipush.PushPath, "application/json", strings.NewReader(jsonPush(100, 105))); err == nil && resp.StatusCode == http.StatusNoContent {
		t.Fatal("plain HTTP accepted")
	}

	certPEM, keyPEM = ca.issue(t, 101, true)
	writePair(t, dir, certPEM, keyPEM)
	resp, err = push(tlsClient(ca, &client), 5)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("push after the renewal: %v %v", resp, err)
	}
	if got := resp.TLS.PeerCertificates[0].SerialNumber.Int64(); got != 101 {
		t.Errorf("after the renewal the server presents serial %d, want 101", got)
	}
	waitFor(t, "the file sink", func() bool { return len(s.output(t)) >= 10 })
	checkExactlyOnce(t, s.output(t), 0, 10)
}

// TestMetricsServerTLS: server.tls serves /metrics over TLS.
func TestMetricsServerTLS(t *testing.T) {
	ca := newTestCA(t)
	dir, addr, metricsAddr := t.TempDir(), freePort(t), freePort(t)
	certPEM, keyPEM := ca.issue(t, 7, true)
	writePair(t, dir, certPEM, keyPEM)
	start(t, filePushConfig(t, dir, addr, "", "server:\n  listen: "+metricsAddr+"\n  tls: {cert_file: cert.pem, key_file: key.pem}\n"), Options{})
	waitListening(t, metricsAddr)
	resp, err := tlsClient(ca, nil).Get("https://" + metricsAddr + "/metrics")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics over TLS: %v %v", resp, err)
	}
	resp.Body.Close()
	if resp.TLS == nil || resp.TLS.PeerCertificates[0].SerialNumber.Int64() != 7 {
		t.Errorf("not served with the configured certificate: %+v", resp.TLS)
	}
}

// TestTLSListenersWithCurl: the push input (mutual TLS), the otlp
// input's HTTP endpoint and the metrics server, each with the same tls
// block, serve a real curl that trusts the test CA; curl without the CA,
// or without a client certificate where one is required, is refused.
func TestTLSListenersWithCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("no curl")
	}
	ca := newTestCA(t)
	dir, pushAddr, otlpAddr, metricsAddr := t.TempDir(), freePort(t), freePort(t), freePort(t)
	caFile := filepath.Join(dir, "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.cert.Raw}), 0o644)
	certPEM, keyPEM := ca.issue(t, 300, true)
	writePair(t, dir, certPEM, keyPEM)
	cc, ck := ca.issue(t, 301, false)
	os.WriteFile(filepath.Join(dir, "client.pem"), cc, 0o600)
	os.WriteFile(filepath.Join(dir, "client.key"), ck, 0o600)
	tlsKeys := "tls: {cert_file: cert.pem, key_file: key.pem}"
	s := start(t, filePushConfig(t, dir, pushAddr, "    tls: {cert_file: cert.pem, key_file: key.pem, client_ca_file: ca.pem}\n"+
		"  - {name: otel, type: otlp, http: {listen: \""+otlpAddr+"\", "+tlsKeys+"}}\n",
		"server:\n  listen: "+metricsAddr+"\n  "+tlsKeys+"\n"), Options{})
	for _, a := range []string{pushAddr, otlpAddr, metricsAddr} {
		waitListening(t, a)
	}
	run := func(args ...string) (string, error) {
		out, err := exec.Command(curl, append([]string{"-sS", "--fail", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20"}, args...)...).CombinedOutput()
		return string(out), err
	}
	otlpBody := `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"` + fmt.Sprint(time.Now().UnixNano()) + `","body":{"stringValue":"curl from 203.0.113.5"}}]}]}]}`
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"push", []string{"--cacert", caFile, "--cert", filepath.Join(dir, "client.pem"), "--key", filepath.Join(dir, "client.key"),
			"-H", "Content-Type: application/json", "--data-binary", jsonPush(0, 3), "https://" + pushAddr + lokipush.PushPath}, "204"},
		{"otlp", []string{"--cacert", caFile, "-H", "Content-Type: application/json", "--data-binary", otlpBody, "https://" + otlpAddr + "/v1/logs"}, "200"},
		{"metrics", []string{"--cacert", caFile, "https://" + metricsAddr + "/metrics"}, "200"},
	} {
		if out, err := run(tc.args...); err != nil || out != tc.want {
			t.Errorf("%s: curl %v: %s", tc.name, err, out)
		}
	}
	if out, err := run("https://" + metricsAddr + "/metrics"); err == nil {
		t.Errorf("curl without the CA was served: %s", out)
	}
	if out, err := run("--cacert", caFile, "-H", "Content-Type: application/json", "--data-binary", jsonPush(3, 4), "https://"+pushAddr+lokipush.PushPath); err == nil {
		t.Errorf("curl without a client certificate pushed: %s", out)
	}
	waitFor(t, "the pushed and exported lines", func() bool { return len(s.output(t)) >= 4 })
	if out := strings.Join(s.output(t), "\n"); !strings.Contains(out, "curl from 203.0.113.0") {
		t.Errorf("the OTLP record is missing or not anonymized:\n%s", out)
	}
}
