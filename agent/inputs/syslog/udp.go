package syslog

import (
	"context"
	"errors"
	"os"
	"time"
)

// maxDatagram is the largest UDP payload.
const maxDatagram = 65535

// serveUDP reads datagrams until the socket is closed: one message per
// datagram (RFC 5426), cut at max_message_bytes. Batches are ingested
// when full or when their first message waited batch_wait. UDP has no
// acknowledgement: while a batch waits for a full spool the kernel keeps
// the datagrams in the socket's receive buffer and drops what does not
// fit, counted from SO_RXQ_OVFL where the system has it (Linux).
func (in *Input) serveUDP(ctx context.Context) error {
	buf := make([]byte, maxDatagram+1)
	oob := make([]byte, 128)
	max := int(in.s.MaxMessageBytes)
	bt := in.newBatcher()
	defer func() { bt.flush() }()
	var drops uint32 // the socket's count so far, from 0 at its creation
	for {
		if bt.empty() {
			in.pc.SetReadDeadline(time.Time{})
		} else if due, at := bt.due(time.Now()); due {
			bt.flush()
			continue
		} else {
			in.pc.SetReadDeadline(at)
		}
		n, oobn, _, _, err := in.pc.ReadMsgUDPAddrPort(buf, oob)
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if d, ok := rxqOvfl(oob[:oobn]); ok {
			if d != drops {
				in.m.overflow.Add(float64(d - drops))
			}
			drops = d
		}
		msg := trimLF(buf[:n])
		cut := len(msg) > max
		if cut {
			msg = msg[:max]
		}
		bt.add(msg, cut)
		if bt.full() {
			bt.flush()
		}
	}
}
