package s3

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/tarn-project/tarn/sinks"
)

// TestClassify checks what each answer of a store makes the delivery
// loop do, on the error values minio-go returns.
func TestClassify(t *testing.T) {
	answer := func(code string, status int) error {
		return fmt.Errorf("put: %w", minio.ErrorResponse{Code: code, StatusCode: status, Message: "the store's own text"})
	}
	for _, tc := range []struct {
		err       error
		permanent bool
		throttled bool
		want      string
	}{
		{answer("NoSuchBucket", 404), true, false, "NoSuchBucket (HTTP 404): create the bucket first"},
		{answer("AccessDenied", 403), true, false, "AccessDenied (HTTP 403): the credentials may not write"},
		{answer("EntityTooLarge", 400), true, false, "lower max_bytes"},
		{answer("SomethingNew", 400), true, false, "SomethingNew (HTTP 400)"},
		{answer("SlowDown", 503), false, true, "SlowDown (HTTP 503)"},
		{answer("", 429), false, true, "HTTP 429"},
		{answer("ExpiredToken", 400), false, false, "ExpiredToken"},
		{answer("RequestTimeTooSkewed", 403), false, false, "RequestTimeTooSkewed"},
		{answer("InternalError", 500), false, false, "InternalError (HTTP 500)"},
		{errors.New("dial tcp 127.0.0.1:9: connection refused"), false, false, "connection refused"},
	} {
		err := classify("put", "k", tc.err)
		_, throttled := sinks.RetryAfter(err)
		if sinks.IsPermanent(err) != tc.permanent || throttled != tc.throttled || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("classify(%v) = %v (permanent %v, throttled %v)", tc.err, err, sinks.IsPermanent(err), throttled)
		}
		if strings.Contains(err.Error(), "own text") {
			t.Errorf("classify(%v) kept the store's text: %v", tc.err, err)
		}
	}
	if d, _ := sinks.RetryAfter(classify("put", "k", answer("SlowDown", 503))); d != 2*time.Second {
		t.Errorf("SlowDown waits %s", d)
	}
}
