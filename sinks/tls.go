package sinks

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/tarn-project/tarn/rules/strictyaml"
)

// ClientTLS is the client side of a sink's TLS connection, the `tls` keys
// of a loki or s3 sink. Relative paths are relative to the configuration
// file's directory.
type ClientTLS struct {
	// CAFile verifies the server (default: the system roots).
	CAFile string `yaml:"ca_file"`
	// CertFile is the client certificate (PEM).
	CertFile string `yaml:"cert_file"`
	// KeyFile is the client certificate's key.
	KeyFile string `yaml:"key_file"`
	// ServerName overrides the name checked in the server certificate.
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify skips verifying the server certificate.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
}

// Validate checks that cert_file and key_file go together; path is the
// path of the tls mapping.
func (t *ClientTLS) Validate(path string) error {
	if (t.CertFile == "") != (t.KeyFile == "") {
		return strictyaml.Errorf(path, "cert_file and key_file go together")
	}
	return nil
}

// ResolvePaths makes the file paths absolute with abs.
func (t *ClientTLS) ResolvePaths(abs func(string) string) {
	t.CAFile, t.CertFile, t.KeyFile = abs(t.CAFile), abs(t.CertFile), abs(t.KeyFile)
}

// Config loads the CA and client certificate files; it is nil when no
// key is set (Go's defaults).
func (t *ClientTLS) Config() (*tls.Config, error) {
	if *t == (ClientTLS{}) {
		return nil, nil
	}
	c := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify, MinVersion: tls.VersionTLS12}
	if t.CAFile != "" {
		var err error
		if c.RootCAs, err = CertPool(t.CAFile, "tls.ca_file"); err != nil {
			return nil, err
		}
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("tls.cert_file: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// CertPool reads the PEM certificates of the file at path into a pool;
// key names the configuration key in errors.
func CertPool(path, key string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: %s holds no PEM certificate", key, path)
	}
	return pool, nil
}
