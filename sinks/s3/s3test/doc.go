// Package s3test runs a real S3-compatible server, SeaweedFS, for
// integration tests of tarn's S3 sink, and reads back what was stored
// with minio-go.
//
// Binary builds SeaweedFS's weed command (version Version) from the
// separate Go module in testdata/seaweedfs with package testbin and caches
// it in
//
//	$(os.UserCacheDir)/tarn/seaweedfs-<Version>-<sha256 of go.sum>/weed
//
// The first build takes about 3.5 minutes on two cores; set TARN_WEED_BIN
// to an existing weed binary to skip it. Tests that need the server are
// skipped in -short mode and when weed cannot be built.
//
// Start runs `weed mini` (master, volume server, filer, S3 gateway, admin
// server and a maintenance worker in one process, about 140 MB resident)
// in a temporary directory on free loopback ports, with one S3 identity:
// anonymous requests get AccessDenied, a wrong secret SignatureDoesNotMatch
// and an unknown key InvalidAccessKeyId. It is ready in about 4 seconds.
// Restart waits out the master's 15-second warm-up: after a restart with
// data weed refuses to hand out file ids, so every PUT would stall.
//
// What this SeaweedFS does, as the tests check:
//
//   - Multipart uploads (minio-go with PartSize 5 MiB) work and give
//     multipart ETags ("<md5>-<parts>").
//   - Bucket lifecycle configuration (PutBucketLifecycleConfiguration with
//     an Expiration in days and a prefix filter) is accepted and read back
//     unchanged. It is enforced by weed's s3_lifecycle maintenance worker
//     (which weed mini runs, `weed server` does not) or, per bucket opted in
//     with the shell command s3.bucket.lifecycle.fastpath, as a volume TTL
//     stamped at write time. Expiry is in days, so no test sees it happen:
//     tarn must not count on it for retention.
//   - SSE-S3 works: with X-Amz-Server-Side-Encryption: AES256 on the PUT,
//     or with a bucket default (PutBucketEncryption AES256), the object is
//     encrypted on disk, HEAD and GET report the header and GET returns the
//     plaintext. weed mini keeps the key in its data directory.
//   - SSE-KMS is refused with 500 InternalError: no KMS is configured.
package s3test
