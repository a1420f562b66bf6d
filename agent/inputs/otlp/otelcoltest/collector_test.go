package otelcoltest

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	_ "google.golang.org/grpc/encoding/gzip" // the exporter's default compression
	"google.golang.org/grpc/metadata"
)

// received collects what a fake OTLP server was sent.
type received struct {
	mu     sync.Mutex
	auth   []string
	bodies []string
}

func (r *received) add(auth string, ld plog.Logs) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.auth = append(r.auth, auth)
	lrs := ld.ResourceLogs()
	for i := range lrs.Len() {
		sls := lrs.At(i).ScopeLogs()
		for j := range sls.Len() {
			recs := sls.At(j).LogRecords()
			for k := range recs.Len() {
				r.bodies = append(r.bodies, recs.At(k).Body().Str())
			}
		}
	}
}

func (r *received) get() (auth, bodies []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.auth...), append([]string(nil), r.bodies...)
}

// fakeGRPC is an OTLP/gRPC logs server.
type fakeGRPC struct {
	plogotlp.UnimplementedGRPCServer
	r *received
}

func (f *fakeGRPC) Export(ctx context.Context, req plogotlp.ExportRequest) (plogotlp.ExportResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	f.r.add(strings.Join(md.Get("authorization"), ","), req.Logs())
	return plogotlp.NewExportResponse(), nil
}

// fakeServer serves OTLP logs with the exporter's protocol and returns
// its host:port.
func fakeServer(t *testing.T, e Exporter, r *received) string {
	t.Helper()
	if e == HTTP {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			var rd io.Reader = req.Body
			if req.Header.Get("Content-Encoding") == "gzip" { // the exporter's default
				zr, err := gzip.NewReader(req.Body)
				if err != nil {
					t.Errorf("gzip: %v", err)
					return
				}
				rd = zr
			}
			body, _ := io.ReadAll(rd)
			ex := plogotlp.NewExportRequest()
			if req.URL.Path != "/v1/logs" || ex.UnmarshalProto(body) != nil {
				t.Errorf("unexpected request %s %v (%d bytes)", req.URL.Path, req.Header, len(body))
				w.WriteHeader(http.StatusBadRequest)
				return
			}
			r.add(req.Header.Get("Authorization"), ex.Logs())
			b, _ := plogotlp.NewExportResponse().MarshalProto()
			w.Header().Set("Content-Type", "application/x-protobuf")
			w.Write(b)
		}))
		t.Cleanup(srv.Close)
		return strings.TrimPrefix(srv.URL, "http://")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	plogotlp.RegisterGRPCServer(srv, &fakeGRPC{r: r})
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

// TestForwardsWithToken checks the harness's configuration: a record sent
// to the collector's gRPC receiver reaches the exporter's endpoint with
// the bearer token, over both exporters.
func TestForwardsWithToken(t *testing.T) {
	for _, e := range []Exporter{GRPC, HTTP} {
		t.Run(string(e), func(t *testing.T) {
			Binary(t)
			var r received
			c := Start(t, Options{Exporter: e, Endpoint: fakeServer(t, e, &r), Token: "tok-123"})
			conn, err := grpc.NewClient(c.GRPCEndpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			ld := plog.NewLogs()
			ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("hello " + string(e))
			if _, err := plogotlp.NewGRPCClient(conn).Export(context.Background(), plogotlp.NewExportRequestFromLogs(ld)); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for {
				auth, bodies := r.get()
				if len(bodies) > 0 {
					if len(bodies) != 1 || bodies[0] != "hello "+string(e) || auth[0] != "Bearer tok-123" {
						t.Fatalf("received %q with authorization %q", bodies, auth)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("nothing forwarded")
				}
				time.Sleep(20 * time.Millisecond)
			}
			c.Stop(t)
		})
	}
}
