package syslog

import (
	"crypto/tls"
	"errors"
	"net"
	"os"
	"time"

	"go.uber.org/zap"
)

// readChunk is the least a read asks for.
const readChunk = 64 << 10

// serveConn reads one TCP or TLS connection to its end: it frames the
// stream into messages, batches them and ingests each batch before it
// reads on, so the connection's messages keep their order and a full
// spool stops the reads. A batch is ingested when it is full, when its
// first message waited batch_wait, and at the connection's end. Nothing
// of the stream is logged: a framing error names the input and the
// offset in the connection.
func (in *Input) serveConn(c net.Conn) {
	if in.tc != nil {
		tc := tls.Server(c, in.tc)
		c.SetDeadline(time.Now().Add(time.Duration(in.s.HandshakeTimeout)))
		if err := tc.Handshake(); err != nil {
			in.m.tlsFailed.Inc()
			in.log.Debug("tls handshake failed", zap.String("input", in.env.Name), zap.Error(err))
			return
		}
		c.SetDeadline(time.Time{})
		c = tc
		defer func() {
			tc.SetWriteDeadline(time.Now().Add(time.Second)) // close_notify must not hang
			tc.Close()
		}()
	}
	mode := Auto
	switch in.s.Framing {
	case framingOctet:
		mode = OctetCounting
	case framingNonTrn:
		mode = NonTransparent
	}
	f := Framer{Mode: mode, Max: int(in.s.MaxMessageBytes)}
	buf := make([]byte, max(f.Buffer(), readChunk))
	r, w, offset := 0, 0, int64(0)
	eof := false
	bt := in.newBatcher()
	defer func() { bt.flush() }()
	idle := time.Duration(in.s.IdleTimeout)
	for {
		for {
			n, msg, ev := f.Split(buf[r:w], eof)
			if ev == BadFrame {
				in.m.badFrame.Inc()
				in.log.Warn("syslog connection closed: not an octet-counted frame", zap.String("input", in.env.Name),
					zap.Int64("offset", offset+int64(r)))
				return
			}
			r += n
			if msg != nil {
				bt.add(msg, ev == Truncated)
				if bt.full() && bt.flush() != nil {
					return
				}
			} else if n == 0 {
				break
			}
		}
		if eof {
			return
		}
		if r == w {
			offset += int64(r)
			r, w = 0, 0
		} else if len(buf)-w < readChunk/2 && r > 0 {
			copy(buf, buf[r:w])
			offset += int64(r)
			w -= r
			r = 0
		}
		if bt.empty() {
			c.SetReadDeadline(time.Now().Add(idle))
		} else if due, at := bt.due(time.Now()); due {
			if bt.flush() != nil {
				return
			}
			continue
		} else {
			c.SetReadDeadline(at)
		}
		k, err := c.Read(buf[w:])
		w += k
		if err == nil {
			continue
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if bt.empty() {
				in.m.idle.Inc()
				return
			}
			continue // the batch is due
		}
		eof = true // the sender closed (or reset) the connection: frame the rest
	}
}
