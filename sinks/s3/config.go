package s3

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

// Settings are the keys of an s3 sink. They follow Vector's aws_s3 sink
// where it has the same thing (bucket, region, endpoint, key_prefix is
// here prefix, compression is here compress, batch.max_bytes and
// batch.timeout_secs are max_bytes and max_age).
type Settings struct {
	// Endpoint is the store's URL, e.g. https://s3.eu-central-1.amazonaws.com
	// or http://minio:9000 (default: AWS S3 in Region).
	Endpoint string `yaml:"endpoint"`
	// Region is the bucket's region (default us-east-1).
	Region string `yaml:"region"`
	// Bucket holds the objects (required; it must exist).
	Bucket string `yaml:"bucket"`
	// Prefix goes before every key, e.g. "logs/web".
	Prefix string `yaml:"prefix"`
	// Key is the key template under the prefix (default DefaultKey).
	Key string `yaml:"key"`
	// PathStyle true addresses the bucket in the path
	// (endpoint/bucket/key), as MinIO, Ceph and SeaweedFS want; false in
	// the host name (bucket.endpoint/key); unset picks virtual-hosted
	// style for AWS and path style elsewhere.
	PathStyle *bool `yaml:"path_style"`
	// AccessKeyID and SecretAccessKey are static credentials.
	AccessKeyID     string `yaml:"access_key_id"`
	SecretAccessKey string `yaml:"secret_access_key"`
	// AccessKeyIDFile and SecretAccessKeyFile hold them instead (read
	// again every minute, so rotated secrets are picked up).
	AccessKeyIDFile     string `yaml:"access_key_id_file"`
	SecretAccessKeyFile string `yaml:"secret_access_key_file"`
	// Profile is the profile of the shared credentials file (default
	// $AWS_PROFILE or "default").
	Profile string `yaml:"profile"`
	// TLS configures the client side of TLS (custom CA, client cert).
	TLS sinks.ClientTLS `yaml:"tls"`
	// Compress is gzip (default), zstd, lz4 or none.
	Compress string `yaml:"compress"`
	// Tenant is the tenant of entries no rule or input gave one (default
	// "default").
	Tenant string `yaml:"tenant"`
	// MaxBytes bounds the lines of one batch, so of one upload (default
	// 10MiB).
	MaxBytes strictyaml.Size `yaml:"max_bytes"`
	// MaxAge is how long a batch waits to fill up before it is uploaded
	// (default 5m).
	MaxAge strictyaml.Duration `yaml:"max_age"`
	// PartSize is the part size of multipart uploads (default 16MiB,
	// at least 5MiB): a larger object is uploaded in parts.
	PartSize strictyaml.Size `yaml:"part_size"`
	// Timeout bounds one upload (default 1m).
	Timeout strictyaml.Duration `yaml:"timeout"`
	// SSE asks the store to encrypt objects at rest.
	SSE SSE `yaml:"sse"`
	// Lifecycle also installs a bucket lifecycle rule that expires the
	// sink's objects after the retention (rounded up to days), where the
	// store supports it. The sink's own sweep deletes them either way.
	Lifecycle bool `yaml:"lifecycle"`
	// StorageClass is the x-amz-storage-class of uploads (default: the
	// store's).
	StorageClass string `yaml:"storage_class"`
}

// SSE is server-side encryption.
type SSE struct {
	// Type is AES256 (SSE-S3) or aws:kms (SSE-KMS); empty is the bucket's
	// default.
	Type string `yaml:"type"`
	// KMSKeyID is the KMS key of aws:kms (default: the store's key).
	KMSKeyID string `yaml:"kms_key_id"`
}

// DefaultKey is the key template of objects under the prefix: one object
// per tenant, hour and batch, named after the batch.
const DefaultKey = "tenant={tenant}/dt={date}/hour={hour}/{node}-{sink}-{batch}.ndjson{ext}"

// DefaultSettings returns the settings of an s3 sink without keys.
func DefaultSettings() *Settings {
	return &Settings{Region: "us-east-1", Key: DefaultKey, Compress: "gzip", Tenant: "default", MaxBytes: 10 << 20,
		MaxAge: strictyaml.Duration(5 * time.Minute), PartSize: 16 << 20, Timeout: strictyaml.Duration(time.Minute)}
}

// Validate checks every key and compiles the key template.
func (s *Settings) Validate() error {
	var errs []error
	fail := func(field, f string, args ...any) { errs = append(errs, strictyaml.Errorf(field, f, args...)) }
	if s.Endpoint != "" {
		if _, _, err := endpointHost(s.Endpoint); err != nil {
			fail("endpoint", "%v", err)
		}
	}
	if s.Bucket == "" {
		fail("bucket", "an s3 sink needs a bucket")
	} else if strings.ContainsAny(s.Bucket, "/ ") {
		fail("bucket", "a bucket name has no '/' or spaces")
	}
	if _, err := parseLayout(s.Prefix, s.Key); err != nil {
		fail("key", "%v", err)
	}
	if _, ok := compressions[s.Compress]; !ok {
		fail("compress", "must be gzip, zstd, lz4 or none, got %q", s.Compress)
	}
	if err := sinks.ValidTenant(s.Tenant); err != nil {
		fail("tenant", "%v", err)
	}
	if (s.AccessKeyID != "") != (s.SecretAccessKey != "") || (s.AccessKeyIDFile != "") != (s.SecretAccessKeyFile != "") {
		fail("access_key_id", "access_key_id and secret_access_key (or their _file keys) go together")
	}
	if s.AccessKeyID != "" && s.AccessKeyIDFile != "" {
		fail("access_key_id_file", "set access_key_id or access_key_id_file, not both")
	}
	if s.MaxBytes < 1<<10 {
		fail("max_bytes", "must be at least 1KiB")
	}
	if s.MaxAge < strictyaml.Duration(time.Second) {
		fail("max_age", "must be at least 1s")
	}
	if s.PartSize < 5<<20 {
		fail("part_size", "must be at least 5MiB (the S3 minimum)")
	}
	if s.Timeout <= 0 {
		fail("timeout", "must be positive")
	}
	switch s.SSE.Type {
	case "", "AES256", "aws:kms":
	default:
		fail("sse.type", "must be AES256 or aws:kms, got %q", s.SSE.Type)
	}
	if s.SSE.KMSKeyID != "" && s.SSE.Type != "aws:kms" {
		fail("sse.kms_key_id", "goes with sse.type: aws:kms")
	}
	errs = append(errs, s.TLS.Validate("tls"))
	return errors.Join(errs...)
}

// endpointHost splits an endpoint URL into host[:port] and whether it
// uses TLS.
func endpointHost(endpoint string) (host string, secure bool, err error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return "", false, errors.New("must be an http(s) URL without a path, e.g. https://s3.eu-central-1.amazonaws.com or http://minio:9000")
	}
	return u.Host, u.Scheme == "https", nil
}

// ResolvePaths makes the file paths relative to the configuration file.
func (s *Settings) ResolvePaths(abs func(string) string) {
	s.AccessKeyIDFile, s.SecretAccessKeyFile = abs(s.AccessKeyIDFile), abs(s.SecretAccessKeyFile)
	s.TLS.ResolvePaths(abs)
}

// Warnings warns of a secret written into the configuration.
func (s *Settings) Warnings(path string) []string {
	if s.SecretAccessKey != "" {
		return []string{path + ".secret_access_key: a secret in the configuration file; prefer secret_access_key_file or the environment"}
	}
	return nil
}

// Tuning makes one batch one upload window: max_bytes of lines or
// max_age of waiting.
func (s *Settings) Tuning() sinks.Tuning {
	return sinks.Tuning{BatchBytes: int(s.MaxBytes), BatchEntries: int(s.MaxBytes / 8), BatchWait: time.Duration(s.MaxAge),
		MinBackoff: time.Second, MaxBackoff: 5 * time.Minute}
}

func init() {
	sinks.Register("s3", sinks.Factory{
		Settings: func() sinks.Settings { return DefaultSettings() },
		New: func(s sinks.Settings, env sinks.Env) (sinks.Sink, error) {
			return New(s.(*Settings), env)
		},
	})
}
