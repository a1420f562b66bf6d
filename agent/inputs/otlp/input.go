// Package otlp is the otlp input: OpenTelemetry logs over OTLP/gRPC and
// OTLP/HTTP (POST /v1/logs, protobuf or JSON, gzip), decoded with the
// OpenTelemetry Collector's own data model (pdata's plogotlp), every
// record anonymized by the rules before it is spooled.
//
// A request is answered only after its records are durable in the
// spool: 200 / OK with an ExportLogsServiceResponse, whose partial_success
// counts the records the rules dropped (past retention, a drop rule). A
// full spool is answered 429 with Retry-After on HTTP and
// RESOURCE_EXHAUSTED with RetryInfo on gRPC, which the OpenTelemetry SDKs
// and Collector exporters retry; a wrong or missing bearer token is 401 /
// UNAUTHENTICATED, a malformed body 400 / INVALID_ARGUMENT, a request
// with more than max_records_per_request records or larger than the
// whole spool 413 / INVALID_ARGUMENT, a gRPC message over max_body_bytes
// grpc-go's RESOURCE_EXHAUSTED without RetryInfo (none retried). How a
// record becomes a line with labels and metadata is converter.convert.
package otlp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/httpserve"
	"github.com/tarn-project/tarn/agent/inputs"
)

// Input is an otlp input: its gRPC and HTTP servers share one ingest,
// one request at a time.
type Input struct {
	s     *Settings
	env   inputs.Env
	token httpserve.BearerToken
	grpc  *grpcServer
	http  *httpServer
	slots chan struct{} // one per request being served

	rejected *prometheus.CounterVec
	records  *prometheus.CounterVec

	mu   sync.Mutex // serializes ingest
	host inputs.Host
	conv *converter
	b    inputs.Batch
}

var _ inputs.Input = (*Input)(nil)

// Errors of ingest.
var (
	// errBusy: the spool is full or the input is stopping; the sender
	// should retry.
	errBusy = errors.New("otlp: receiver busy, retry later")
	// errTooMany: a request over max_records_per_request, or larger than
	// the whole spool; a retry cannot succeed.
	errTooMany = errors.New("otlp: too many log records in one request")
)

// New binds the configured listeners (so a taken port fails the start).
// In run-once mode an otlp input has nothing to read to its end: it
// binds and serves nothing.
func New(s *Settings, env inputs.Env) (*Input, error) {
	in := &Input{s: s, env: env, slots: make(chan struct{}, s.MaxConcurrentRequests),
		conv: newConverter(resourceLabels(s), s.TenantAttribute, s.TenantMap)}
	if env.Once {
		return in, nil
	}
	var err error
	if in.token, err = httpserve.ReadBearerToken(s.BearerTokenFile); err != nil {
		return nil, fmt.Errorf("bearer_token_file: %w", err)
	}
	in.rejected = inputs.CounterVec(env.Registry, prometheus.CounterOpts{Name: "tarn_otlp_rejected_requests_total",
		Help: "OTLP export requests not accepted, by input, protocol and reason: unauthorized, too_many_requests, too_large, invalid, busy, failed."},
		"input", "protocol", "reason")
	in.records = inputs.CounterVec(env.Registry, prometheus.CounterOpts{Name: "tarn_otlp_log_records_total",
		Help: "OTLP log records received in accepted requests, by input, protocol and outcome: kept, dropped (by the rules, reported as partial success)."},
		"input", "protocol", "outcome")
	if s.GRPC != nil {
		if in.grpc, err = newGRPCServer(in, s.GRPC); err != nil {
			return nil, err
		}
	}
	if s.HTTP != nil {
		if in.http, err = newHTTPServer(in, s.HTTP); err != nil {
			if in.grpc != nil {
				in.grpc.ln.Close()
			}
			return nil, err
		}
	}
	return in, nil
}

// resourceLabels are the configured resource_labels, or the defaults.
func resourceLabels(s *Settings) []string {
	if s.ResourceLabels != nil {
		return s.ResourceLabels
	}
	return DefaultResourceLabels
}

// Run serves until ctx ends, then lets the requests in flight finish.
func (in *Input) Run(ctx context.Context, h inputs.Host) error {
	in.mu.Lock()
	in.host = h
	in.mu.Unlock()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	if in.grpc != nil {
		wg.Add(1)
		go func() { defer wg.Done(); errs[0] = in.grpc.serve(ctx) }()
	}
	if in.http != nil {
		wg.Add(1)
		go func() { defer wg.Done(); errs[1] = in.http.serve(ctx) }()
	}
	wg.Wait()
	in.mu.Lock()
	in.host = nil
	in.mu.Unlock()
	return errors.Join(errs...)
}

// acquire takes a request slot, or reports that max_concurrent_requests
// are being served.
func (in *Input) acquire() (release func(), ok bool) {
	select {
	case in.slots <- struct{}{}:
		return func() { <-in.slots }, true
	default:
		return nil, false
	}
}

// ingest runs the rules over the records of ld and spools them, and
// returns how many the rules dropped. A full spool is errBusy at once
// (the sender retries); the request's ctx ending is its error.
func (in *Input) ingest(ctx context.Context, protocol string, ld plog.Logs) (dropped int, err error) {
	n := ld.LogRecordCount()
	if n > in.s.MaxRecordsPerRequest {
		return 0, fmt.Errorf("%w: %d, at most %d", errTooMany, n, in.s.MaxRecordsPerRequest)
	}
	if n == 0 {
		return 0, nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.host == nil {
		return 0, errBusy
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	in.b.Reset()
	in.conv.convert(ld, &in.b)
	if err := in.host.Ingest(context.Background(), &in.b); err != nil {
		if errors.Is(err, inputs.ErrFull) {
			return 0, fmt.Errorf("%w: %w", errBusy, err)
		}
		if errors.Is(err, inputs.ErrTooLarge) {
			return 0, fmt.Errorf("%w: %w", errTooMany, err)
		}
		return 0, err
	}
	dropped = n - in.b.Kept
	in.records.WithLabelValues(in.env.Name, protocol, "kept").Add(float64(in.b.Kept))
	if dropped > 0 {
		in.records.WithLabelValues(in.env.Name, protocol, "dropped").Add(float64(dropped))
	}
	return dropped, nil
}

// reject counts a request not accepted.
func (in *Input) reject(protocol, reason string) {
	in.rejected.WithLabelValues(in.env.Name, protocol, reason).Inc()
}

// partialMessage is the error_message of a partial success.
func partialMessage(dropped int) string {
	return fmt.Sprintf("%d log records dropped by the anonymization rules (older than the retention, or a drop rule)", dropped)
}

// logFailure logs an ingest failure that is not the sender's fault.
func (in *Input) logFailure(protocol string, err error) {
	in.env.Logger.Error("otlp: export failed", zap.String("protocol", protocol), zap.Error(err))
}

// listen binds an endpoint, with TLS when configured.
func listen(e *Endpoint, log *zap.Logger) (net.Listener, error) {
	tc, err := httpserve.TLS(e.TLS, log)
	if err != nil {
		return nil, err
	}
	return httpserve.Listen(e.Listen, tc)
}
