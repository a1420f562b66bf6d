package syslog

import (
	"errors"
	"net"
	"slices"
	"strconv"
	"time"

	"github.com/tarn-project/tarn/agent/httpserve"
	"github.com/tarn-project/tarn/rules/strictyaml"
)

// Settings are the keys of a syslog input.
type Settings struct {
	// Listen is the host:port the input listens on (UDP or TCP).
	Listen string `yaml:"listen"`
	// Protocol is udp, tcp (default) or tls (RFC 5425: TCP with TLS, the
	// tls keys required).
	Protocol string `yaml:"protocol"`
	// Framing is how TCP and TLS messages are delimited (RFC 6587): auto
	// (default: per message, octet counting when it starts with a digit,
	// else non-transparent, as rsyslog's imtcp does), octet_counting or
	// non_transparent (terminated by LF). UDP takes one message per
	// datagram.
	Framing string `yaml:"framing"`
	// MaxMessageBytes bounds one message (default 64KiB); a longer one
	// is cut there and counted.
	MaxMessageBytes strictyaml.Size `yaml:"max_message_bytes"`
	// MaxConnections bounds the TCP/TLS connections served at the same
	// time (default 256); more are closed at once and counted.
	MaxConnections int `yaml:"max_connections"`
	// IdleTimeout closes a TCP/TLS connection that sent nothing this long
	// (default 1h; senders reconnect).
	IdleTimeout strictyaml.Duration `yaml:"idle_timeout"`
	// HandshakeTimeout bounds the TLS handshake (default 10s).
	HandshakeTimeout strictyaml.Duration `yaml:"handshake_timeout"`
	// BatchMessages bounds the messages of one batch handed to the rules
	// and the spool (default 1024).
	BatchMessages int `yaml:"batch_messages"`
	// BatchBytes bounds the bytes of one batch (default 1MiB).
	BatchBytes strictyaml.Size `yaml:"batch_bytes"`
	// BatchWait is how long a connection's first message waits for more
	// before its batch is ingested (default 50ms).
	BatchWait strictyaml.Duration `yaml:"batch_wait"`
	// ReadBufferBytes sets the socket's receive buffer (SO_RCVBUF; 0:
	// the system's default). A larger one rides out UDP bursts.
	ReadBufferBytes strictyaml.Size `yaml:"read_buffer_bytes"`
	// StreamLabels are the header fields that become stream labels:
	// hostname, app, facility, severity (default all four). The others
	// become structured metadata.
	StreamLabels []string `yaml:"stream_labels"`
	// TLS is the server certificate (and client CAs for mutual TLS) of
	// protocol tls; certificates are read again when the files change.
	TLS httpserve.ServerTLS `yaml:"tls"`

	labels, meta []string // StreamLabels split, in the order of headerNames
}

// Defaults of a syslog input.
const (
	DefaultMaxMessageBytes  = 64 << 10
	DefaultMaxConnections   = 256
	DefaultIdleTimeout      = time.Hour
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultBatchMessages    = 1024
	DefaultBatchBytes       = 1 << 20
	DefaultBatchWait        = 50 * time.Millisecond
)

// headerNames are the header fields a message's labels or metadata can
// take, by name.
var headerNames = []string{"app", "facility", "hostname", "severity"}

// Protocols and framings.
const (
	protoUDP = "udp"
	protoTCP = "tcp"
	protoTLS = "tls"

	framingAuto   = "auto"
	framingOctet  = "octet_counting"
	framingNonTrn = "non_transparent"
)

// applyDefaults fills the keys left unset.
func (s *Settings) applyDefaults() {
	if s.Protocol == "" {
		s.Protocol = protoTCP
	}
	if s.Framing == "" {
		s.Framing = framingAuto
	}
	if s.MaxMessageBytes == 0 {
		s.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if s.MaxConnections == 0 {
		s.MaxConnections = DefaultMaxConnections
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = strictyaml.Duration(DefaultIdleTimeout)
	}
	if s.HandshakeTimeout == 0 {
		s.HandshakeTimeout = strictyaml.Duration(DefaultHandshakeTimeout)
	}
	if s.BatchMessages == 0 {
		s.BatchMessages = DefaultBatchMessages
	}
	if s.BatchBytes == 0 {
		s.BatchBytes = DefaultBatchBytes
	}
	if s.BatchWait == 0 {
		s.BatchWait = strictyaml.Duration(DefaultBatchWait)
	}
	if s.StreamLabels == nil {
		s.StreamLabels = headerNames
	}
}

// Validate fills the keys left unset and checks every key.
func (s *Settings) Validate() error {
	s.applyDefaults()
	var errs []error
	fail := func(field, f string, args ...any) {
		errs = append(errs, strictyaml.Errorf(field, f, args...))
	}
	if _, port, err := net.SplitHostPort(s.Listen); err != nil || port == "" {
		fail("listen", "a syslog input needs host:port, got %q", s.Listen)
	}
	switch s.Protocol {
	case protoUDP, protoTCP:
		if s.TLS.Enabled() {
			fail("tls", "tls keys need protocol: tls, got %s", s.Protocol)
		}
	case protoTLS:
		if !s.TLS.Enabled() {
			fail("tls.cert_file", "protocol tls needs tls.cert_file and tls.key_file")
		}
	default:
		fail("protocol", "must be udp, tcp or tls, got %q", s.Protocol)
	}
	switch s.Framing {
	case framingAuto:
	case framingOctet, framingNonTrn:
		if s.Protocol == protoUDP {
			fail("framing", "UDP takes one message per datagram: framing must be auto, got %s", s.Framing)
		}
	default:
		fail("framing", "must be auto, octet_counting or non_transparent, got %q", s.Framing)
	}
	if s.MaxMessageBytes < 480 || s.MaxMessageBytes > 16<<20 {
		fail("max_message_bytes", "must be 480B..16MiB, got %s", s.MaxMessageBytes)
	}
	if s.Protocol == protoUDP && s.MaxMessageBytes > maxDatagram+1 {
		fail("max_message_bytes", "a UDP datagram holds at most 64KiB, got %s", s.MaxMessageBytes)
	}
	if s.MaxConnections < 1 {
		fail("max_connections", "must be at least 1, got %d", s.MaxConnections)
	}
	if s.IdleTimeout < strictyaml.Duration(time.Second) {
		fail("idle_timeout", "must be at least 1s, got %s", s.IdleTimeout)
	}
	if s.HandshakeTimeout < strictyaml.Duration(time.Millisecond) {
		fail("handshake_timeout", "must be at least 1ms, got %s", s.HandshakeTimeout)
	}
	if s.BatchMessages < 1 || s.BatchMessages > 65536 {
		fail("batch_messages", "must be 1..65536, got %d", s.BatchMessages)
	}
	if s.BatchBytes < s.MaxMessageBytes {
		fail("batch_bytes", "must be at least max_message_bytes (%s), got %s", s.MaxMessageBytes, s.BatchBytes)
	}
	if s.BatchWait < 0 || s.BatchWait > strictyaml.Duration(10*time.Second) {
		fail("batch_wait", "must be 0..10s, got %s", s.BatchWait)
	}
	if s.ReadBufferBytes < 0 || s.ReadBufferBytes > 1<<30 {
		fail("read_buffer_bytes", "must be 0..1GiB, got %s", s.ReadBufferBytes)
	}
	s.labels, s.meta = nil, nil
	for i, l := range s.StreamLabels {
		if !slices.Contains(headerNames, l) {
			fail(strictyaml.Join("stream_labels", "["+strconv.Itoa(i)+"]"), "must be one of app, facility, hostname, severity, got %q", l)
		}
	}
	for _, n := range headerNames {
		if slices.Contains(s.StreamLabels, n) {
			s.labels = append(s.labels, n)
		} else {
			s.meta = append(s.meta, n)
		}
	}
	return errors.Join(errs...)
}

// Warnings are what a syslog input on a reachable address risks (path is
// the input's path): syslog has no authentication, so any host that
// reaches a plain udp or tcp address can send records; mutual TLS is the
// only way to tell senders apart.
func (s *Settings) Warnings(path string) []string {
	if httpserve.Loopback(s.Listen) || s.Protocol == protoTLS && s.TLS.ClientCAFile != "" {
		return nil
	}
	return []string{strictyaml.Join(path, "listen") + ": " + s.Listen + " is not a loopback address and syslog has no authentication: any host that reaches it can send records (protocol tls with tls.client_ca_file admits only senders with a client certificate)"}
}
