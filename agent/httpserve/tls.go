// Package httpserve serves tarn's HTTP endpoints (/metrics, a push
// input's API) the same way: TLS from a server's tls keys with
// certificates read again when renewed, an ErrorLog that truncates the
// addresses net/http writes, and a graceful stop.
package httpserve

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/sinks"
)

// TLS returns the tls.Config of a server's tls keys, or nil when
// TLS is off. The certificate is loaded now (a broken pair fails the
// start) and again whenever cert_file or key_file changed; with
// client_ca_file, clients must present a certificate signed by one of
// its CAs (mutual TLS).
func TLS(c ServerTLS, log *zap.Logger) (*tls.Config, error) {
	if !c.Enabled() {
		return nil, nil
	}
	r := &certReloader{certFile: c.CertFile, keyFile: c.KeyFile, log: log}
	if _, err := r.certificate(nil); err != nil {
		return nil, err
	}
	tc := &tls.Config{MinVersion: c.Version(), GetCertificate: r.certificate, NextProtos: []string{"http/1.1"}}
	if c.ClientCAFile != "" {
		var err error
		if tc.ClientCAs, err = sinks.CertPool(c.ClientCAFile, "tls: client_ca_file"); err != nil {
			return nil, err
		}
		tc.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return tc, nil
}

// Listen listens on addr, with TLS when tc is not nil.
func Listen(addr string, tc *tls.Config) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil || tc == nil {
		return ln, err
	}
	return tls.NewListener(ln, tc), nil
}

// certReloader serves a certificate pair, read again on the first
// handshake after either file's modification time or size changed. A
// pair that fails to load (say, the certificate is renewed but the key
// not yet) keeps the previous one in service and is tried again on the
// next handshake.
type certReloader struct {
	certFile, keyFile string
	log               *zap.Logger

	mu     sync.Mutex
	stamp  string // of the files behind cert
	failed string // stamp of the last pair that failed to load
	cert   *tls.Certificate
}

// certificate is the tls.Config GetCertificate hook; the stat of both
// files per handshake is the cache check.
func (r *certReloader) certificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	stamp, err := fileStamp(r.certFile, r.keyFile)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err == nil && stamp == r.stamp {
		return r.cert, nil
	}
	if err == nil {
		var c tls.Certificate
		if c, err = tls.LoadX509KeyPair(r.certFile, r.keyFile); err == nil {
			r.cert, r.stamp = &c, stamp
			return r.cert, nil
		}
	}
	err = fmt.Errorf("tls: cert_file %s, key_file %s: %w", r.certFile, r.keyFile, err)
	if r.cert == nil {
		return nil, err
	}
	if stamp != r.failed {
		r.failed = stamp
		r.log.Warn("tls: cannot load the changed certificate, serving the previous one", zap.Error(err))
	}
	return r.cert, nil
}

// fileStamp is the size and modification time of the files.
func fileStamp(paths ...string) (string, error) {
	s := ""
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return "", err
		}
		s += fmt.Sprint(fi.Size(), fi.ModTime().UnixNano(), ";")
	}
	if s == "" {
		return "", errors.New("no files")
	}
	return s, nil
}
