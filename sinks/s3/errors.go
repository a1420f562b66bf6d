package s3

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/tarn-project/tarn/sinks"
)

// throttleWait is the wait asked of the delivery loop when the store
// answers SlowDown or 503 (S3 sends no Retry-After).
const throttleWait = 2 * time.Second

// hints say what to check for the store's permanent refusals.
var hints = map[string]string{
	"AccessDenied":          "the credentials may not write to this bucket or prefix",
	"InvalidAccessKeyId":    "the access key id is unknown to the store",
	"SignatureDoesNotMatch": "the secret access key is wrong",
	"NoSuchBucket":          "create the bucket first; the sink does not",
	"InvalidBucketName":     "check bucket",
	"AllAccessDisabled":     "the bucket is disabled",
	"AccountProblem":        "the account is blocked",
	"InvalidArgument":       "the store refused a header (sse, storage_class)",
	"InvalidStorageClass":   "check storage_class",
	"EntityTooLarge":        "lower max_bytes",
	"KMS.NotFoundException": "check sse.kms_key_id",
	"NotImplemented":        "the store lacks a feature this sink uses (sse?)",
}

// transient are error codes of 4xx answers that a retry can fix.
var transient = map[string]bool{
	"ExpiredToken": true, "TokenRefreshRequired": true, "RequestTimeTooSkewed": true, "RequestTimeout": true,
	"SlowDown": true, "InternalError": true, "ServiceUnavailable": true, "OperationAborted": true,
}

// classify turns an error of the store into what the delivery loop
// should do: Throttled for SlowDown/503/429, Permanent for a refusal a
// retry cannot fix (bad credentials, missing bucket, any other 4xx),
// else a plain (retried) error. The text holds the operation, the key,
// the store's error code and HTTP status and a hint, never the store's
// message text.
func classify(op, key string, err error) error {
	if err == nil {
		return nil
	}
	var r minio.ErrorResponse
	if !errors.As(err, &r) || r.Code == "" && r.StatusCode == 0 {
		return fmt.Errorf("s3: %s %s: %w", op, key, err)
	}
	e := fmt.Errorf("s3: %s %s: %s (HTTP %d)", op, key, r.Code, r.StatusCode)
	if h, ok := hints[r.Code]; ok {
		e = fmt.Errorf("%w: %s", e, h)
	}
	switch {
	case r.Code == "SlowDown" || r.StatusCode == http.StatusServiceUnavailable || r.StatusCode == http.StatusTooManyRequests:
		return sinks.Throttled(e, throttleWait)
	case hints[r.Code] != "" || r.StatusCode >= 400 && r.StatusCode < 500 && !transient[r.Code]:
		return sinks.Permanent(e)
	}
	return e
}
