package otlp

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	_ "google.golang.org/grpc/encoding/gzip" // senders' gzip compression
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/tarn-project/tarn/agent/httpserve"
)

// stopGrace is how long a stopping server lets requests in flight
// finish.
const stopGrace = 10 * time.Second

// grpcServer serves the OTLP/gRPC LogsService.
type grpcServer struct {
	plogotlp.UnimplementedGRPCServer
	in  *Input
	ln  net.Listener
	srv *grpc.Server
}

// newGRPCServer binds e and registers the logs service: bearer token
// checked by an interceptor, messages bounded by max_body_bytes
// (decompressed), a connection's concurrent streams by
// max_concurrent_requests, the handshake by read_timeout, an idle
// connection closed after idle_timeout, TLS with ALPN h2 as gRPC clients
// require.
func newGRPCServer(in *Input, e *Endpoint) (*grpcServer, error) {
	tc, err := httpserve.TLS(e.TLS, in.env.Logger)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", e.Listen)
	if err != nil {
		return nil, err
	}
	if tc != nil {
		tc = tc.Clone()
		tc.NextProtos = []string{"h2"}
		ln = tls.NewListener(ln, tc)
	}
	g := &grpcServer{in: in, ln: ln}
	g.srv = grpc.NewServer(grpc.MaxRecvMsgSize(int(in.s.MaxBodyBytes)), grpc.UnaryInterceptor(g.authorize),
		grpc.ConnectionTimeout(time.Duration(in.s.ReadTimeout)),
		grpc.MaxConcurrentStreams(uint32(in.s.MaxConcurrentRequests)),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: time.Duration(in.s.IdleTimeout)}))
	plogotlp.RegisterGRPCServer(g.srv, g)
	return g, nil
}

// serve serves until ctx ends, then stops gracefully (at most stopGrace).
func (g *grpcServer) serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- g.srv.Serve(g.ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	done := make(chan struct{})
	go func() { g.srv.GracefulStop(); close(done) }()
	select {
	case <-done:
	case <-time.After(stopGrace):
		g.srv.Stop()
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}

// authorize checks the bearer token in the request's metadata.
func (g *grpcServer) authorize(ctx context.Context, req any, _ *grpc.UnaryServerInfo, next grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	auth := ""
	if v := md.Get("authorization"); len(v) > 0 {
		auth = v[0]
	}
	if !g.in.token.Allows(auth) {
		g.in.reject("grpc", "unauthorized")
		return nil, status.Error(codes.Unauthenticated, "missing or wrong bearer token")
	}
	return next(ctx, req)
}

// Export ingests one request's records and answers once they are
// durable.
func (g *grpcServer) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	resp := plogotlp.NewExportResponse()
	release, ok := g.in.acquire()
	if !ok {
		g.in.reject("grpc", "too_many_requests")
		return resp, retryable("too many concurrent requests")
	}
	defer release()
	dropped, err := g.in.ingest(ctx, "grpc", req.Logs())
	switch {
	case err == nil:
	case errors.Is(err, errTooMany):
		g.in.reject("grpc", "too_large")
		return resp, status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, errBusy):
		g.in.reject("grpc", "busy")
		return resp, retryable("spool full")
	case ctx.Err() != nil:
		return resp, status.FromContextError(ctx.Err()).Err()
	default:
		g.in.reject("grpc", "failed")
		g.in.logFailure("grpc", err)
		return resp, status.Error(codes.Internal, "internal error")
	}
	if dropped > 0 {
		resp.PartialSuccess().SetRejectedLogRecords(int64(dropped))
		resp.PartialSuccess().SetErrorMessage(partialMessage(dropped))
	}
	return resp, nil
}

// retryable is RESOURCE_EXHAUSTED with a RetryInfo of one second: the
// OTLP specification's signal that the sender may retry.
func retryable(msg string) error {
	st, err := status.New(codes.ResourceExhausted, msg).WithDetails(&errdetails.RetryInfo{RetryDelay: durationpb.New(time.Second)})
	if err != nil {
		return status.Error(codes.Unavailable, msg)
	}
	return st.Err()
}
