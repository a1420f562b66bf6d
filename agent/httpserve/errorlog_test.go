package httpserve

import (
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// TestHTTPErrorLogTruncatesAddresses: net/http's own error lines name the
// client; they reach the agent's log with the address truncated.
func TestHTTPErrorLogTruncatesAddresses(t *testing.T) {
	core, logs := observer.New(zap.DebugLevel)
	l := ErrorLog(zap.New(core))
	l.Printf("http: TLS handshake error from 203.0.113.77:51234: EOF")
	l.Printf("http: Accept error from [2001:db8:abcd:12::1]:443; retrying")
	got := ""
	for _, e := range logs.All() {
		got += e.ContextMap()["error"].(string) + "\n"
	}
	if strings.Contains(got, "203.0.113.77") || strings.Contains(got, "abcd:12::1") ||
		!strings.Contains(got, "203.0.113.0:51234") || !strings.Contains(got, "2001:db8:abcd::") {
		t.Fatalf("logged:\n%s", got)
	}
}
