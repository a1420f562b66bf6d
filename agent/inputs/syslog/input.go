package syslog

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/httpserve"
	"github.com/tarn-project/tarn/agent/inputs"
)

// Input is a syslog input: a UDP socket or a TCP (or TLS) listener. Each
// connection (and the UDP socket) collects its messages into batches;
// one commit loop per input hands them to the agent's ingest, batches of
// several connections that wait meanwhile together (group commit). A
// connection reads nothing while its batch waits for the spool, so a
// full spool holds TCP senders back (backpressure) and, for UDP, fills
// the socket's receive buffer, whose overflows are counted.
type Input struct {
	s    *Settings
	env  inputs.Env
	log  *zap.Logger
	ln   net.Listener  // tcp, tls
	pc   *net.UDPConn  // udp
	tc   *tls.Config   // tls
	reqs chan *request // to the commit loop
	done chan struct{} // closed when the commit loop ended
	b    inputs.Batch  // the commit loop's
	m    metrics
	mu   sync.Mutex
	conn map[net.Conn]struct{} // open TCP connections, closed at the end
}

var _ inputs.Input = (*Input)(nil)

func init() {
	inputs.Register("syslog", inputs.Factory{
		Settings: func() inputs.Settings { return &Settings{} },
		New:      func(s inputs.Settings, env inputs.Env) (inputs.Input, error) { return New(s.(*Settings), env) },
	})
}

// metrics are an input's counters, resolved once.
type metrics struct {
	messages                        prometheus.Counter
	truncated, noPriority, badFrame prometheus.Counter
	overflow, failed                prometheus.Counter
	accepted, overLimit, tlsFailed  prometheus.Counter
	idle                            prometheus.Counter
}

// request is one batch of a connection waiting for the commit loop.
type request struct {
	recs []inputs.Record
	err  chan error // the result, sent once
}

// errStopped answers batches that came after the input stopped.
var errStopped = errors.New("syslog: the input is stopping")

// maxMerged bounds the batches the commit loop ingests together.
const maxMerged = 64

// New binds the input's address (so a taken port fails the start). In
// run-once mode a syslog input has nothing to read to its end: it binds
// and reads nothing.
func New(s *Settings, env inputs.Env) (*Input, error) {
	in := &Input{s: s, env: env, log: env.Logger.With(zap.String("component", "syslog")),
		reqs: make(chan *request, maxMerged), done: make(chan struct{}), conn: map[net.Conn]struct{}{}}
	in.m = newMetrics(env)
	if env.Once {
		return in, nil
	}
	lc := net.ListenConfig{Control: in.control}
	var err error
	if s.Protocol == protoUDP {
		pc, err := lc.ListenPacket(context.Background(), "udp", s.Listen)
		if err != nil {
			return nil, err
		}
		in.pc = pc.(*net.UDPConn)
		return in, nil
	}
	if s.Protocol == protoTLS {
		if in.tc, err = httpserve.TLS(s.TLS, in.log); err != nil {
			return nil, err
		}
		in.tc.NextProtos = nil // RFC 5425: no ALPN
	}
	if in.ln, err = lc.Listen(context.Background(), "tcp", s.Listen); err != nil {
		return nil, err
	}
	return in, nil
}

// newMetrics registers (or finds again, after a reload) the input's
// counters.
func newMetrics(env inputs.Env) metrics {
	msgs := inputs.CounterVec(env.Registry, prometheus.CounterOpts{Name: "tarn_syslog_messages_total",
		Help: "Syslog messages received, by input."}, "input")
	malformed := inputs.CounterVec(env.Registry, prometheus.CounterOpts{Name: "tarn_syslog_malformed_total",
		Help: "Syslog messages that were not well-formed, by input and reason: truncated (longer than max_message_bytes, cut), no_priority (no <PRI>: ingested without facility and severity), bad_frame (an octet count that is none: the connection is closed)."},
		"input", "reason")
	dropped := inputs.CounterVec(env.Registry, prometheus.CounterOpts{Name: "tarn_syslog_dropped_total",
		Help: "Syslog messages lost, by input and reason: receive_buffer (UDP datagrams the kernel dropped because the socket's receive buffer was full, SO_RXQ_OVFL), ingest_failed (the batch could not be spooled, e.g. at a shutdown with the spool full)."},
		"input", "reason")
	conns := inputs.CounterVec(env.Registry, prometheus.CounterOpts{Name: "tarn_syslog_connections_total",
		Help: "TCP/TLS connections, by input and result: accepted, over_limit (max_connections reached: closed at once), tls_failed (handshake failed), idle_closed (idle_timeout)."},
		"input", "result")
	n := env.Name
	return metrics{messages: msgs.WithLabelValues(n),
		truncated: malformed.WithLabelValues(n, "truncated"), noPriority: malformed.WithLabelValues(n, "no_priority"),
		badFrame: malformed.WithLabelValues(n, "bad_frame"),
		overflow: dropped.WithLabelValues(n, "receive_buffer"), failed: dropped.WithLabelValues(n, "ingest_failed"),
		accepted: conns.WithLabelValues(n, "accepted"), overLimit: conns.WithLabelValues(n, "over_limit"),
		tlsFailed: conns.WithLabelValues(n, "tls_failed"), idle: conns.WithLabelValues(n, "idle_closed")}
}

// control sets the socket options before bind: the receive buffer, and
// for UDP the count of dropped datagrams (setRxqOvfl).
func (in *Input) control(network, _ string, c syscall.RawConn) error {
	var serr error
	err := c.Control(func(fd uintptr) {
		if in.s.ReadBufferBytes > 0 {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, int(in.s.ReadBufferBytes))
		}
		if serr == nil && (network == "udp" || network == "udp4" || network == "udp6") {
			setRxqOvfl(fd)
		}
	})
	if err == nil {
		err = serr
	}
	return err
}

// Run reads until ctx ends, then ingests what its connections read.
func (in *Input) Run(ctx context.Context, h inputs.Host) error {
	if in.ln == nil && in.pc == nil {
		return nil
	}
	// Batches still being read when ctx ends are ingested; a full spool
	// holds the shutdown up 5 s at most.
	ictx, icancel := context.WithCancel(context.WithoutCancel(ctx))
	defer icancel()
	stop := make(chan struct{})
	go in.commitLoop(ictx, h, stop)
	defer func() { close(stop); <-in.done }()
	served := make(chan struct{})
	defer close(served)
	go func() {
		select {
		case <-ctx.Done():
		case <-served:
		}
		in.closeAll()
		t := time.NewTimer(5 * time.Second)
		defer t.Stop()
		select {
		case <-t.C:
			icancel()
		case <-in.done:
		}
	}()
	if in.pc != nil {
		return in.serveUDP(ctx)
	}
	return in.serveTCP(ctx)
}

// closeAll closes the listener and every connection, ending their reads.
func (in *Input) closeAll() {
	if in.pc != nil {
		in.pc.Close()
		return
	}
	in.ln.Close()
	in.mu.Lock()
	defer in.mu.Unlock()
	for c := range in.conn {
		c.Close()
	}
	in.conn = nil
}

// submit hands one batch to the commit loop and waits for its result.
func (in *Input) submit(r *request) error {
	select {
	case in.reqs <- r:
	case <-in.done:
		return errStopped
	}
	return <-r.err
}

// commitLoop ingests batches until stop is closed: it waits for one,
// takes every batch queued meanwhile (while the last one was fsynced),
// ingests them together, waiting while the spool is full, and answers
// them all.
func (in *Input) commitLoop(ctx context.Context, h inputs.Host, stop <-chan struct{}) {
	defer close(in.done)
	var batch []*request
	for {
		select {
		case r := <-in.reqs:
			batch = append(batch[:0], r)
		case <-stop:
			return
		}
	more:
		for len(batch) < maxMerged {
			select {
			case r := <-in.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		in.b.Reset()
		in.b.Wait = true
		for _, r := range batch {
			in.b.Records = append(in.b.Records, r.recs...)
		}
		err := h.Ingest(ctx, &in.b)
		for _, r := range batch {
			r.err <- err
		}
		clear(batch)
	}
}

// count adds a flushed batch's counts to the metrics; n messages were
// lost when err is not nil.
func (in *Input) count(st *stats, n int, err error) {
	in.m.messages.Add(float64(st.messages))
	in.m.truncated.Add(float64(st.truncated))
	in.m.noPriority.Add(float64(st.noPriority))
	*st = stats{}
	if err != nil {
		in.m.failed.Add(float64(n))
		in.log.Error("syslog messages lost: the batch was not spooled", zap.String("input", in.env.Name),
			zap.Int("messages", n), zap.Error(err))
	}
}

// serveTCP accepts connections until the listener is closed.
func (in *Input) serveTCP(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	defer in.closeAll() // before the wait: it ends the connections' reads
	slots := make(chan struct{}, in.s.MaxConnections)
	for {
		c, err := in.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("syslog input %s: %w", in.env.Name, err)
		}
		select {
		case slots <- struct{}{}:
		default:
			in.m.overLimit.Inc()
			c.Close()
			continue
		}
		if !in.track(c) {
			c.Close()
			<-slots
			continue
		}
		in.m.accepted.Inc()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			defer in.untrack(c)
			in.serveConn(c)
		}()
	}
}

// track records an open connection; false once the input is closing.
func (in *Input) track(c net.Conn) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.conn == nil {
		return false
	}
	in.conn[c] = struct{}{}
	return true
}

func (in *Input) untrack(c net.Conn) {
	c.Close()
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.conn != nil {
		delete(in.conn, c)
	}
}
