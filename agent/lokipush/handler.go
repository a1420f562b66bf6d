package lokipush

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"go.uber.org/zap"

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

// Options configure NewHandler.
type Options struct {
	// MaxBodyBytes limits the request body, raw and decompressed;
	// DefaultMaxBodyBytes if <= 0. Bigger bodies are answered with 413.
	MaxBodyBytes int64
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

// handler is the http.Handler built by NewHandler.
type handler struct {
	o         Options
	log       *zap.Logger
	tokenHash [sha256.Size]byte
}

// NewHandler returns the HTTP side of the Loki push receiver. It serves
// POST PushPath and POST LegacyPushPath (answering 204 No Content once
// Options.Push returned nil) and GET ReadyPath (200). It panics if
// o.Push is nil.
//
// Errors: 400 for undecodable bodies and invalid X-Scope-OrgID headers
// (with a plain-text reason that never quotes record content), 401 for a
// missing or wrong bearer token, 404 for other paths, 405 for other
// methods, 413 for too large bodies, 429 with Retry-After when Push
// returned ErrBusy and 500 for other Push errors.
func NewHandler(o Options) http.Handler {
	if o.Push == nil {
		panic("lokipush: Options.Push is nil")
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	log := o.Logger
	if log == nil {
		log = zap.NewNop()
	}
	h := &handler{o: o, log: log.With(zap.String(keyComponent, "lokipush"))}
	if o.BearerToken != "" {
		h.tokenHash = sha256.Sum256([]byte(o.BearerToken))
	}
	return h
}

// ServeHTTP routes by path.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case PushPath:
		h.push(w, r, Decode)
	case LegacyPushPath:
		h.push(w, r, DecodeLegacy)
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

// decodeFunc is Decode or DecodeLegacy.
type decodeFunc func(contentType, contentEncoding string, body []byte, maxBytes int64) ([]Stream, error)

func (h *handler) push(w http.ResponseWriter, r *http.Request, decode decodeFunc) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed (use POST)", http.StatusMethodNotAllowed)
		return
	}
	if !h.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="tarn"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
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
	streams, err := decode(r.Header.Get("Content-Type"), r.Header.Get("Content-Encoding"), body, h.o.MaxBodyBytes)
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

// authorized checks the bearer token, if one is configured. Both sides
// are hashed first so that the comparison takes the same time whatever
// the length of the presented token.
func (h *handler) authorized(r *http.Request) bool {
	if h.o.BearerToken == "" {
		return true
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], h.tokenHash[:]) == 1
}

// readBody reads the raw body through http.MaxBytesReader.
func (h *handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	limit := h.o.MaxBodyBytes
	if r.ContentLength > limit {
		return nil, tooLarge(limit)
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, tooLarge(limit)
	case err != nil:
		return nil, fmt.Errorf("%w: cannot read body: %w", ErrInvalid, err)
	}
	return buf.Bytes(), nil
}

// reject answers a request that failed before Push: 413 or 400.
func (h *handler) reject(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusBadRequest
	if errors.Is(err, ErrTooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	h.log.Debug("push request rejected", zap.Int(keyStatus, status), zap.String(keyPath, r.URL.Path),
		zap.String(keyRemote, r.RemoteAddr), zap.Error(err))
	http.Error(w, err.Error(), status)
}

// pushFailed answers a request whose Push failed: 429 or 500.
func (h *handler) pushFailed(w http.ResponseWriter, r *http.Request, tenant string, streams, entries int, err error) {
	fields := []zap.Field{zap.String(keyTenant, tenant), zap.Int(keyStreams, streams), zap.Int(keyEntries, entries), zap.Error(err)}
	switch {
	case errors.Is(err, ErrBusy):
		h.log.Debug("push refused: receiver busy", fields...)
		w.Header().Set("Retry-After", "1")
		http.Error(w, "receiver busy, retry later", http.StatusTooManyRequests)
	case r.Context().Err() != nil:
		h.log.Debug("push abandoned: client went away", fields...)
		http.Error(w, "request canceled", http.StatusInternalServerError)
	default:
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
