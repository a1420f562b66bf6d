package syslog_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// writeTestPKI writes a CA (ca.pem) and a server certificate for
// 127.0.0.1 signed by it (cert.pem, key.pem) into dir.
func writeTestPKI(t *testing.T, dir string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "tarn syslog test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	for name, b := range map[string][]byte{
		"ca.pem":   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		"cert.pem": pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		"key.pem":  pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// startRsyslog runs rsyslogd in the foreground with its own work
// directory: an imtcp input on a free port whose messages omfwd forwards
// to tarn at target with the given action parameters. It returns the
// port to send to.
func startRsyslog(t *testing.T, dir, target, global, action string) string {
	t.Helper()
	in := freePort(t, "tcp")
	inHost, inPort, _ := net.SplitHostPort(in)
	host, port, _ := net.SplitHostPort(target)
	work := filepath.Join(dir, "rsyslog")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`global(workDirectory="%s" %s)
module(load="imtcp")
input(type="imtcp" address="%s" port="%s" ruleset="fwd")
ruleset(name="fwd") {
  action(type="omfwd" target="%s" port="%s" protocol="tcp" %s
         queue.type="LinkedList" queue.filename="fwd" queue.saveOnShutdown="on"
         action.resumeRetryCount="-1" action.resumeInterval="1")
}
`, work, global, inHost, inPort, host, port, action)
	p := filepath.Join(dir, "rsyslog.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("rsyslogd", "-N1", "-f", p).CombinedOutput(); err != nil {
		t.Fatalf("rsyslogd -N1: %v\n%s\n%s", err, out, conf)
	}
	cmd := exec.Command("rsyslogd", "-n", "-f", p, "-i", filepath.Join(work, "rsyslogd.pid"))
	out := &lockedWriter{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("rsyslogd output:\n%s", out)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", in)
		if err == nil {
			c.Close()
			return inPort
		}
		if time.Now().After(deadline) {
			t.Fatalf("rsyslogd does not listen: %v\n%s", err, out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRsyslog forwards messages through a real rsyslogd (omfwd) to tarn:
// plain TCP with rsyslog's traditional forward format and LF framing,
// and TLS (RFC 5425: gtls driver, the test CA, RFC 5424 format, octet
// counting). They arrive anonymized and exactly once.
func TestRsyslog(t *testing.T) {
	need(t, "rsyslogd", "logger")
	for _, c := range []struct {
		name, extra, global, action string
	}{
		{"tcp", "", "", `template="RSYSLOG_TraditionalForwardFormat" TCP_Framing="traditional"`},
		{"tls", "    protocol: tls\n    tls: {cert_file: cert.pem, key_file: key.pem}\n", `defaultNetstreamDriverCAFile="%s/ca.pem"`,
			`template="RSYSLOG_SyslogProtocol23Format" TCP_Framing="octet-counted" StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/certvalid"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "tls" {
				if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/rsyslog/lmnsd_gtls.so"); err != nil {
					if m, _ := filepath.Glob("/usr/lib/*/rsyslog/lmnsd_gtls.so"); len(m) == 0 {
						t.Skip("rsyslog's gtls driver is not installed (Debian: rsyslog-gnutls; .ci/run installs it)")
					}
				}
			}
			pki := t.TempDir()
			writeTestPKI(t, pki)
			extra := c.extra
			if c.name == "tls" {
				extra = fmt.Sprintf("    protocol: tls\n    tls: {cert_file: %s/cert.pem, key_file: %s/key.pem}\n", pki, pki)
			}
			r := startAgent(t, "tcp", extra)
			global := c.global
			if global != "" {
				global = fmt.Sprintf(global, pki)
			}
			port := startRsyslog(t, t.TempDir(), r.addr, global, c.action)
			n := 300
			// RFC 3164 into rsyslog, as syslog(3) of local daemons logs.
			base := []string{"--tcp", "--octet-count", "--rfc3164", "--server", "127.0.0.1", "--port", port}
			logger(t, lines(n, sshdLine), append(base, "-t", "sshd", "-p", "auth.warning", "-i")...)
			logger(t, lines(n, postfixLine), append(base, "-t", "postfix/smtp", "-p", "mail.info")...)
			es := r.waitEntries(t, 2*n)
			checkAnonymized(t, es, n, n)
			t.Logf("first entry: %+v", es[0])
			if l := es[0].Labels; l["app"] != "sshd" || l["facility"] != "auth" || l["severity"] != "warning" || l["hostname"] == "" {
				t.Errorf("labels %v", l)
			}
		})
	}
}
