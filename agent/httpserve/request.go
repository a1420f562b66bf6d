package httpserve

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// Errors of ReadBody.
var (
	// ErrBodyTooLarge marks a body over the limit (answer 413).
	ErrBodyTooLarge = errors.New("request body too large")
	// ErrReadTimeout marks a body not sent in time (answer 408 and close
	// the connection).
	ErrReadTimeout = errors.New("request body not sent in time")
	// ErrBodyRead marks a body that could not be read (answer 400).
	ErrBodyRead = errors.New("cannot read request body")
)

// initialBody is the most a body buffer starts with: beyond it, the
// buffer grows with what arrived, whatever Content-Length claims.
const initialBody = 64 << 10

// ReadBody reads a request's raw body, at most limit bytes, within
// timeout (none if timeout <= 0). Errors wrap ErrBodyTooLarge,
// ErrReadTimeout or ErrBodyRead. The read deadline is cleared after a
// body was read, so the server's background read does not cancel the
// request while it is being handled; after a timeout it stays, so the
// server gives up the connection.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64, timeout time.Duration) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
	}
	rc := http.NewResponseController(w)
	deadline := timeout > 0 && rc.SetReadDeadline(time.Now().Add(timeout)) == nil
	var buf bytes.Buffer
	buf.Grow(int(min(max(r.ContentLength, 0), initialBody)) + bytes.MinRead)
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	var ne net.Error
	if deadline && !errors.As(err, &ne) {
		rc.SetReadDeadline(time.Time{})
	}
	switch {
	case errors.As(err, &mbe):
		return nil, fmt.Errorf("%w: more than %d bytes", ErrBodyTooLarge, limit)
	case errors.As(err, &ne) && ne.Timeout():
		return nil, fmt.Errorf("%w: after %v", ErrReadTimeout, timeout)
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrBodyRead, err)
	}
	return buf.Bytes(), nil
}

// BearerToken checks the token of "Authorization: Bearer <token>"
// headers. The zero value accepts every request (no token configured).
type BearerToken struct {
	hash [sha256.Size]byte
	set  bool
}

// NewBearerToken returns a check for token ("" accepts every request).
func NewBearerToken(token string) BearerToken {
	if token == "" {
		return BearerToken{}
	}
	return BearerToken{hash: sha256.Sum256([]byte(token)), set: true}
}

// ReadBearerToken reads a token file (trimmed of white space); an empty
// path is no token.
func ReadBearerToken(path string) (BearerToken, error) {
	if path == "" {
		return BearerToken{}, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return BearerToken{}, err
	}
	return NewBearerToken(strings.TrimSpace(string(b))), nil
}

// Allows reports whether an Authorization header value presents the
// token. Both sides are hashed first, so the comparison takes the same
// time whatever the length of the presented token.
func (b BearerToken) Allows(authorization string) bool {
	if !b.set {
		return true
	}
	scheme, token, ok := strings.Cut(authorization, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	return subtle.ConstantTimeCompare(got[:], b.hash[:]) == 1
}
