package httpserve

import (
	"bytes"
	"log"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/rules/ipaddr"
)

// ErrorLog is the ErrorLog of tarn's HTTP servers. net/http writes
// lines such as "http: TLS handshake error from 203.0.113.77:51234: EOF";
// the client addresses in them are truncated before they reach the agent's
// log, which holds no raw addresses (invariant 1).
func ErrorLog(l *zap.Logger) *log.Logger {
	return log.New(&truncatingWriter{log: l}, "", 0)
}

// truncatingWriter logs each line written to it with every IP address in
// it truncated (the default prefixes).
type truncatingWriter struct {
	log *zap.Logger
}

func (w *truncatingWriter) Write(p []byte) (int, error) {
	w.log.Warn("http server", zap.ByteString("error", truncateAddrs(bytes.TrimRight(p, "\n"))))
	return len(p), nil
}

// truncateAddrs returns text with every address ipaddr.Next finds replaced
// by its truncated form.
func truncateAddrs(text []byte) []byte {
	var out []byte
	last := 0
	for from := 0; ; {
		s, e, _, ok := ipaddr.Next(text, from)
		if !ok {
			break
		}
		out = append(out, text[last:s]...)
		var done bool
		if out, done = ipaddr.AppendTruncatedAddr(out, text[s:e], ipaddr.DefaultPrefix); !done {
			out = append(out, text[s:e]...)
		}
		last, from = e, e
	}
	return append(out, text[last:]...)
}
