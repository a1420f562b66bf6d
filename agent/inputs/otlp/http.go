package otlp

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"time"

	"go.opentelemetry.io/collector/pdata/plog/plogotlp"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/tarn-project/tarn/agent/httpserve"
)

// LogsPath is the OTLP/HTTP logs endpoint.
const LogsPath = "/v1/logs"

// Content types of OTLP/HTTP.
const (
	typeProto = "application/x-protobuf"
	typeJSON  = "application/json"
)

// httpServer serves OTLP/HTTP.
type httpServer struct {
	in  *Input
	ln  net.Listener
	srv *http.Server
}

// newHTTPServer binds e.
func newHTTPServer(in *Input, e *Endpoint) (*httpServer, error) {
	ln, err := listen(e, in.env.Logger)
	if err != nil {
		return nil, err
	}
	h := &httpServer{in: in, ln: ln}
	h.srv = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Duration(in.s.IdleTimeout),
		ErrorLog: httpserve.ErrorLog(in.env.Logger.With(zap.String("component", "otlp")))}
	return h, nil
}

// serve serves until ctx ends, then stops gracefully.
func (h *httpServer) serve(ctx context.Context) error { return httpserve.Serve(ctx, h.ln, h.srv) }

// ServeHTTP answers POST /v1/logs.
func (h *httpServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != LogsPath {
		http.NotFound(w, r)
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != typeJSON {
		ct = typeProto // the answer's type; a wrong request type is refused below
	}
	switch {
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		h.fail(w, ct, "invalid", http.StatusMethodNotAllowed, codes.Unimplemented, "use POST")
	case !h.in.token.Allows(r.Header.Get("Authorization")):
		w.Header().Set("WWW-Authenticate", `Bearer realm="tarn"`)
		h.fail(w, ct, "unauthorized", http.StatusUnauthorized, codes.Unauthenticated, "missing or wrong bearer token")
	default:
		release, ok := h.in.acquire()
		if !ok {
			w.Header().Set("Retry-After", "1")
			h.fail(w, ct, "too_many_requests", http.StatusTooManyRequests, codes.ResourceExhausted, "too many concurrent requests, retry later")
			return
		}
		defer release()
		h.export(w, r, ct)
	}
}

// export decodes, ingests and answers one request.
func (h *httpServer) export(w http.ResponseWriter, r *http.Request, ct string) {
	req, err := h.decode(w, r)
	if err != nil {
		status := http.StatusBadRequest
		reason := "invalid"
		switch {
		case errors.Is(err, httpserve.ErrBodyTooLarge):
			status, reason = http.StatusRequestEntityTooLarge, "too_large"
		case errors.Is(err, httpserve.ErrReadTimeout):
			status = http.StatusRequestTimeout
			w.Header().Set("Connection", "close")
		case errors.Is(err, errMediaType):
			status = http.StatusUnsupportedMediaType
		}
		h.fail(w, ct, reason, status, codes.InvalidArgument, err.Error())
		return
	}
	dropped, err := h.in.ingest(r.Context(), "http", req.Logs())
	switch {
	case err == nil:
	case errors.Is(err, errTooMany):
		h.fail(w, ct, "too_large", http.StatusRequestEntityTooLarge, codes.InvalidArgument, err.Error())
		return
	case errors.Is(err, errBusy):
		w.Header().Set("Retry-After", "1")
		h.fail(w, ct, "busy", http.StatusTooManyRequests, codes.ResourceExhausted, "receiver busy, retry later")
		return
	case r.Context().Err() != nil:
		return // the sender went away
	default:
		h.in.logFailure("http", err)
		h.fail(w, ct, "failed", http.StatusInternalServerError, codes.Internal, "internal error")
		return
	}
	resp := plogotlp.NewExportResponse()
	if dropped > 0 {
		resp.PartialSuccess().SetRejectedLogRecords(int64(dropped))
		resp.PartialSuccess().SetErrorMessage(partialMessage(dropped))
	}
	var body []byte
	if ct == typeJSON {
		body, err = resp.MarshalJSON()
	} else {
		body, err = resp.MarshalProto()
	}
	if err != nil {
		h.in.logFailure("http", err)
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// errMediaType marks a content type or encoding OTLP/HTTP does not have.
var errMediaType = errors.New("unsupported media type")

// decode reads the body (gzip or identity, within max_body_bytes either
// way) and unmarshals it as protobuf or JSON.
func (h *httpServer) decode(w http.ResponseWriter, r *http.Request) (plogotlp.ExportRequest, error) {
	req := plogotlp.NewExportRequest()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != typeProto && ct != typeJSON {
		return req, fmt.Errorf("%w: Content-Type %q (want %s or %s)", errMediaType, ct, typeProto, typeJSON)
	}
	limit := int64(h.in.s.MaxBodyBytes)
	body, err := httpserve.ReadBody(w, r, limit, time.Duration(h.in.s.ReadTimeout))
	if err != nil {
		return req, err
	}
	switch enc := r.Header.Get("Content-Encoding"); enc {
	case "", "identity":
	case "gzip":
		if body, err = gunzip(body, limit); err != nil {
			return req, err
		}
	default:
		return req, fmt.Errorf("%w: Content-Encoding %q (want gzip)", errMediaType, enc)
	}
	if ct == typeJSON {
		err = req.UnmarshalJSON(body)
	} else {
		err = req.UnmarshalProto(body)
	}
	if err != nil {
		return req, fmt.Errorf("cannot decode the %s body: %w", ct, err)
	}
	return req, nil
}

// gunzip decompresses a gzip body of at most limit bytes.
func gunzip(body []byte, limit int64) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, limit+1))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if int64(len(out)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes decompressed", httpserve.ErrBodyTooLarge, limit)
	}
	return out, nil
}

// fail answers an error with a google.rpc.Status body in the request's
// content type, as OTLP/HTTP specifies, and counts it.
func (h *httpServer) fail(w http.ResponseWriter, ct, reason string, httpStatus int, code codes.Code, msg string) {
	h.in.reject("http", reason)
	st := status.New(code, msg).Proto()
	var body []byte
	if ct == typeJSON {
		body, _ = protojson.Marshal(st)
	} else {
		body, _ = proto.Marshal(st)
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(httpStatus)
	w.Write(body)
}
