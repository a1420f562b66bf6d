package httpserve

import (
	"crypto/tls"
	"errors"
	"net"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/tarn-project/tarn/rules/strictyaml"
)

// ServerTLS is the server side of TLS, the `tls` keys of a loki_push
// input and of server. Without cert_file the server speaks plain HTTP.
// Relative paths are relative to the configuration file's directory.
type ServerTLS struct {
	// CertFile is the server certificate (PEM, with its chain). It and
	// KeyFile are read again when one of them changes (modification time
	// or size), so a renewed certificate needs no restart.
	CertFile string `yaml:"cert_file"`
	// KeyFile is the certificate's private key (PEM).
	KeyFile string `yaml:"key_file"`
	// ClientCAFile, if set, turns on mutual TLS: clients must present a
	// certificate signed by one of these CAs (PEM).
	ClientCAFile string `yaml:"client_ca_file"`
	// MinVersion is the oldest TLS version accepted: 1.2 (default) or 1.3
	// (TLS12 and TLS13 are accepted too).
	MinVersion string `yaml:"min_version"`
}

// serverTLSKeys decodes the keys of ServerTLS without its DecodeNode.
type serverTLSKeys ServerTLS

// Enabled reports whether TLS is configured.
func (t *ServerTLS) Enabled() bool { return t.CertFile != "" }

// Version is the tls.Config MinVersion of min_version.
func (t *ServerTLS) Version() uint16 {
	v, _ := tlsVersion(t.MinVersion)
	return v
}

func tlsVersion(s string) (uint16, bool) {
	switch s {
	case "", "1.2", "TLS12":
		return tls.VersionTLS12, true
	case "1.3", "TLS13":
		return tls.VersionTLS13, true
	}
	return 0, false
}

// DecodeNode decodes the tls mapping strictly, makes its paths relative to
// the configuration file's directory and checks it.
func (t *ServerTLS) DecodeNode(p *strictyaml.Positions, n *yaml.Node, path string) error {
	var k serverTLSKeys
	if err := strictyaml.DecodeNode(p, n, path, &k); err != nil {
		return err
	}
	*t = ServerTLS(k)
	dir := filepath.Dir(p.File())
	for _, f := range []*string{&t.CertFile, &t.KeyFile, &t.ClientCAFile} {
		if *f != "" && !filepath.IsAbs(*f) {
			*f = filepath.Join(dir, *f)
		}
	}
	return t.validate(path)
}

// validate checks the keys (path is the tls mapping's path).
func (t *ServerTLS) validate(path string) error {
	var errs []error
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(strictyaml.Join(path, field), f, args...))
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		fail("key_file", "cert_file and key_file go together")
	}
	if t.ClientCAFile != "" && t.CertFile == "" {
		fail("client_ca_file", "mutual TLS needs cert_file and key_file too")
	}
	if _, ok := tlsVersion(t.MinVersion); !ok {
		fail("min_version", "must be 1.2 or 1.3, got %q", t.MinVersion)
	}
	return errors.Join(errs...)
}

// Loopback reports whether the host of addr (host:port) is a loopback
// address or localhost; an empty host (all interfaces) is not.
func Loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
