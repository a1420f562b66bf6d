package lokipush

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/httpserve"
	"github.com/tarn-project/tarn/sinks"
)

// Paths served by the handler.
const (
	// PushPath is Loki's push endpoint.
	PushPath = "/loki/api/v1/push"
	// LegacyPushPath is Loki's deprecated push endpoint; its JSON bodies
	// have the legacy form (see DecodeLegacy).
	LegacyPushPath = "/api/prom/push"
	// ReadyPath answers 200 while the handler is serving, like Loki's.
	ReadyPath = "/ready"
)

// MaxTenantIDLength is Loki's limit of the length of a tenant ID.
const MaxTenantIDLength = 150

// ErrBusy is returned by Options.Push when the receiver cannot take entries
// now (for example because the spool is full). The handler answers 429 with
// Retry-After, which every Loki client retries.
var ErrBusy = errors.New("receiver busy")

// Log keys. Values are counts, statuses, tenants and content-free errors,
// never record content.
const (
	keyComponent = "component"
	keyStatus    = "status"
	keyTenant    = "tenant"
	keyRemote    = "remote_addr"
	keyPath      = "path"
	keyStreams   = "streams"
	keyEntries   = "entries"
)

// Defaults of Options.
const (
	// DefaultMaxConcurrent is the default limit of push requests served
	// at the same time.
	DefaultMaxConcurrent = 16
	// DefaultReadTimeout is the default time a client has to send one
	// request body.
	DefaultReadTimeout = 30 * time.Second
)

// Options configure NewHandler.
type Options struct {
	// MaxBodyBytes limits the request body, raw and decompressed;
	// DefaultMaxBodyBytes if <= 0. Bigger bodies are answered with 413.
	// The body buffer grows with what arrived, never ahead to what
	// Content-Length claims.
	MaxBodyBytes int64
	// MaxEntries and MaxDecodedBytes are the other Limits of a request
	// (answered 413 when passed); zero takes their defaults.
	MaxEntries      int
	MaxDecodedBytes int64
	// MaxConcurrent limits the push requests served at the same time
	// (DefaultMaxConcurrent if <= 0); more are answered 429 with
	// Retry-After at once.
	MaxConcurrent int
	// ReadTimeout bounds reading one request body (DefaultReadTimeout if
	// 0, none if negative); a slower client is answered 408 and its
	// connection closed.
	ReadTimeout time.Duration
	// Rejected, if set, is called once for every push request not
	// answered 204, with one of the Reason… constants. It is called
	// concurrently.
	Rejected func(reason string)
	// BearerToken, if set, must be presented as "Authorization: Bearer
	// <token>" (compared in constant time), else the answer is 401.
	BearerToken string
	// Push is called with each decoded request that has at least one
	// entry; tenant is the X-Scope-OrgID header ("" if absent). It must
	// return only once the entries are durable: the client is answered
	// 204 after it returned nil. An error wrapping ErrBusy is answered
	// 429, any other error 500. Push is called concurrently, one call per
	// request; it may keep streams (they do not alias the request). ctx
	// ends when the client goes away. Required.
	Push func(ctx context.Context, tenant string, streams []Stream) error
	// Logger receives problems, tagged component=lokipush; nil discards
	// them. Nothing logged contains record content.
	Logger *zap.Logger
}

// Reasons passed to Options.Rejected, the values of a rejection
// counter's reason label.
const (
	ReasonUnauthorized     = "unauthorized"       // 401
	ReasonTooManyRequests  = "too_many_requests"  // 429: MaxConcurrent reached
	ReasonBodyTooLarge     = "body_too_large"     // 413: MaxBodyBytes, raw or decompressed
	ReasonTooManyEntries   = "too_many_entries"   // 413: MaxEntries
	ReasonDecodedTooLarge  = "decoded_too_large"  // 413: MaxDecodedBytes
	ReasonReadTimeout      = "read_timeout"       // 408: ReadTimeout
	ReasonInvalid          = "invalid"            // 400
	ReasonMethodNotAllowed = "method_not_allowed" // 405
	ReasonBusy             = "busy"               // 429: Push returned ErrBusy
	ReasonCanceled         = "canceled"           // the client went away
	ReasonFailed           = "failed"             // 500
)

// handler is the http.Handler built by NewHandler.
type handler struct {
	o      Options
	limits Limits
	log    *zap.Logger
	token  httpserve.BearerToken
	slots  chan struct{} // one per request being served
}

// NewHandler returns the HTTP side of the Loki push receiver. It serves
// POST PushPath and POST LegacyPushPath (answering 204 No Content once
// Options.Push returned nil) and GET ReadyPath (200). It panics if
// o.Push is nil.
//
// Errors: 400 for undecodable bodies and invalid X-Scope-OrgID headers
// (with a plain-text reason that never quotes record content), 401 for a
// missing or wrong bearer token, 404 for other paths, 405 for other
// methods, 408 for a body not sent within ReadTimeout, 413 for too large
// bodies and requests over Limits, 429 with Retry-After when MaxConcurrent
// requests are being served or Push returned ErrBusy, and 500 for other
// Push errors.
func NewHandler(o Options) http.Handler {
	if o.Push == nil {
		panic("lokipush: Options.Push is nil")
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = DefaultMaxConcurrent
	}
	if o.ReadTimeout == 0 {
		o.ReadTimeout = DefaultReadTimeout
	}
	if o.Rejected == nil {
		o.Rejected = func(string) {}
	}
	log := o.Logger
	if log == nil {
		log = zap.NewNop()
	}
	h := &handler{o: o, log: log.With(zap.String(keyComponent, "lokipush")), slots: make(chan struct{}, o.MaxConcurrent),
		limits: Limits{MaxBytes: o.MaxBodyBytes, MaxEntries: o.MaxEntries, MaxDecodedBytes: o.MaxDecodedBytes}.withDefaults()}
	h.token = httpserve.NewBearerToken(o.BearerToken)
	return h
}

// ServeHTTP routes by path.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case PushPath:
		h.push(w, r, DecodeLimits)
	case LegacyPushPath:
		h.push(w, r, DecodeLegacyLimits)
	case ReadyPath:
		h.ready(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (h *handler) ready(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed (use GET)", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ready")
}

// decodeFunc is DecodeLimits or DecodeLegacyLimits.
type decodeFunc func(contentType, contentEncoding string, body []byte, l Limits) ([]Stream, error)

func (h *handler) push(w http.ResponseWriter, r *http.Request, decode decodeFunc) {
	if r.Method != http.MethodPost {
		h.o.Rejected(ReasonMethodNotAllowed)
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed (use POST)", http.StatusMethodNotAllowed)
		return
	}
	if !h.authorized(r) {
		h.o.Rejected(ReasonUnauthorized)
		w.Header().Set("WWW-Authenticate", `Bearer realm="tarn"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	default:
		h.o.Rejected(ReasonTooManyRequests)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "too many concurrent requests, retry later", http.StatusTooManyRequests)
		return
	}
	h.serve(w, r, decode)
}

// serve reads, decodes and pushes one request that holds a slot.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, decode decodeFunc) {
	tenant, err := TenantID(r.Header)
	if err != nil {
		h.reject(w, r, err)
		return
	}
	body, err := h.readBody(w, r)
	if err != nil {
		h.reject(w, r, err)
		return
	}
	streams, err := decode(r.Header.Get("Content-Type"), r.Header.Get("Content-Encoding"), body, h.limits)
	if err != nil {
		h.reject(w, r, err)
		return
	}
	if n := countEntries(streams); n > 0 {
		if err := h.o.Push(r.Context(), tenant, streams); err != nil {
			h.pushFailed(w, r, tenant, len(streams), n, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// authorized checks the bearer token, if one is configured.
func (h *handler) authorized(r *http.Request) bool {
	return h.token.Allows(r.Header.Get("Authorization"))
}

// readBody reads the raw body (httpserve.ReadBody) within MaxBodyBytes
// and ReadTimeout.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := httpserve.ReadBody(w, r, h.o.MaxBodyBytes, h.o.ReadTimeout)
	switch {
	case errors.Is(err, httpserve.ErrBodyTooLarge):
		return nil, tooLarge(h.o.MaxBodyBytes)
	case errors.Is(err, httpserve.ErrReadTimeout):
		return nil, fmt.Errorf("%w: after %v", errReadTimeout, h.o.ReadTimeout)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return body, nil
}

// errReadTimeout marks a body not sent within ReadTimeout.
var errReadTimeout = errors.New("request body not sent in time")

// rejection returns the status and reason of a request that failed
// before Push.
func rejection(err error) (int, string) {
	switch {
	case errors.Is(err, errReadTimeout):
		return http.StatusRequestTimeout, ReasonReadTimeout
	case errors.Is(err, ErrTooManyEntries):
		return http.StatusRequestEntityTooLarge, ReasonTooManyEntries
	case errors.Is(err, ErrDecodedTooLarge):
		return http.StatusRequestEntityTooLarge, ReasonDecodedTooLarge
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge, ReasonBodyTooLarge
	}
	return http.StatusBadRequest, ReasonInvalid
}

// reject answers a request that failed before Push: 408, 413 or 400.
func (h *handler) reject(w http.ResponseWriter, r *http.Request, err error) {
	status, reason := rejection(err)
	h.o.Rejected(reason)
	if status == http.StatusRequestTimeout {
		w.Header().Set("Connection", "close")
	}
	h.log.Debug("push request rejected", zap.Int(keyStatus, status), zap.String(keyPath, r.URL.Path),
		zap.String(keyRemote, r.RemoteAddr), zap.Error(err))
	http.Error(w, err.Error(), status)
}

// pushFailed answers a request whose Push failed: 429 or 500.
func (h *handler) pushFailed(w http.ResponseWriter, r *http.Request, tenant string, streams, entries int, err error) {
	fields := []zap.Field{zap.String(keyTenant, tenant), zap.Int(keyStreams, streams), zap.Int(keyEntries, entries), zap.Error(err)}
	switch {
	case errors.Is(err, ErrTooLarge):
		h.o.Rejected(ReasonBodyTooLarge)
		h.log.Debug("push refused: larger than the spool", fields...)
		http.Error(w, "request larger than the receiver's spool", http.StatusRequestEntityTooLarge)
	case errors.Is(err, ErrBusy):
		h.o.Rejected(ReasonBusy)
		h.log.Debug("push refused: receiver busy", fields...)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "receiver busy, retry later", http.StatusTooManyRequests)
	case r.Context().Err() != nil:
		h.o.Rejected(ReasonCanceled)
		h.log.Debug("push abandoned: client went away", fields...)
		http.Error(w, "request canceled", http.StatusInternalServerError)
	default:
		h.o.Rejected(ReasonFailed)
		h.log.Error("push failed", fields...)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func countEntries(streams []Stream) int {
	n := 0
	for _, s := range streams {
		n += len(s.Entries)
	}
	return n
}

// TenantID returns the tenant of a request, the X-Scope-OrgID header (""
// if absent), checked against Loki's rules: at most MaxTenantIDLength
// characters out of a-z, A-Z, 0-9 and !-_.*'(), not "." or "..". Loki's
// multi-tenant form "a|b" is not supported. Errors wrap ErrInvalid.
func TenantID(h http.Header) (string, error) {
	t := h.Get("X-Scope-OrgID")
	switch {
	case t == "":
		return "", nil
	case strings.Contains(t, "|"):
		return "", invalidf("X-Scope-OrgID: multiple tenants (a|b) are not supported")
	}
	if err := sinks.ValidTenant(t); err != nil {
		return "", invalidf("X-Scope-OrgID: %v", err)
	}
	return t, nil
}
