// Package s3 is the sink that archives anonymized entries as objects in
// any S3-compatible store: AWS S3, MinIO, Ceph RGW, SeaweedFS, Garage.
//
// One batch of the delivery loop (max_bytes of lines or max_age of
// waiting) becomes one object per tenant and partition (hour, or day
// when the key has no {hour}): NDJSON lines {"time","tenant","labels",
// "line","metadata"}, compressed with gzip (default), zstd or lz4, under
// a key such as
//
//	prefix/tenant=acme/dt=2026-12-03/hour=09/node1-archive-<batch>.ndjson.gz
//
// Keys hold the tenant (every customer's data under its own prefix, so a
// bucket policy or a per-tenant export can separate them) and the date,
// Hive-style, so Athena, Trino, ClickHouse and DuckDB prune partitions.
//
// Exactly once per object: <batch> is the queue position of the batch's
// first entry (sinks.Batch.ID). A batch sent again after a crash starts
// with the same entries, so its objects get the same keys and are
// overwritten, never duplicated; a retry in the same process skips the
// objects already uploaded. Larger objects than part_size go up as
// multipart uploads; one that a crash leaves unfinished is invisible and
// aborted by the sweep an hour later.
//
// Retention is enforced in the store: a sweep at start and every ten
// minutes lists the sink's prefix (every version, for versioned buckets)
// and deletes each object whose partition started more than the sink's
// retention ago (retention.max_age, backup_max_age for a backup sink).
// lifecycle: true installs an equivalent bucket lifecycle rule too.
//
// Errors: SlowDown, 503 and 429 are sinks.Throttled; bad credentials, a
// missing bucket and other 4xx refusals are permanent (the entries go to
// the dead-letter file, the error names the code and what to check);
// anything else is retried by the delivery loop. minio-go's own retries
// are off. Why minio-go rather than the AWS SDK: one module instead of a
// dozen, the same credential chain (environment, shared file, web
// identity for Kubernetes service accounts, ECS, EC2), and it speaks to
// every S3-compatible store, path-style included.
package s3
