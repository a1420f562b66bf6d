package agent

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
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
