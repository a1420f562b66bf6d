package s3

import (
	"context"
	"errors"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/lifecycle"
	"go.uber.org/zap"
)

// staleUpload is the age after which an unfinished multipart upload of
// the sink's keys is aborted: an upload of tarn's takes seconds, so an
// older one was left by a crash and holds parts nobody sees.
const staleUpload = time.Hour

// sweepTimeout bounds one sweep.
const sweepTimeout = 5 * time.Minute

// sweepLoop installs the lifecycle rule when asked, then sweeps at once
// and every interval until Close.
func (k *Sink) sweepLoop(every time.Duration) {
	defer k.swept.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-k.stop
		cancel()
	}()
	if k.s.Lifecycle {
		if err := k.installLifecycle(ctx); err != nil && ctx.Err() == nil {
			k.env.Logger.Warn("s3: bucket lifecycle rule not installed; the sink's own sweep still deletes old objects", zap.Error(err))
		}
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		sctx, scancel := context.WithTimeout(ctx, sweepTimeout)
		if _, err := k.Sweep(sctx); err != nil && ctx.Err() == nil {
			k.env.Logger.Warn("s3: retention sweep failed; retried at the next one", zap.Error(err))
		}
		scancel()
		select {
		case <-k.stop:
			return
		case <-t.C:
		}
	}
}

// SweepResult counts what one sweep deleted.
type SweepResult struct {
	// Deleted objects (each version of a versioned object counts).
	Deleted int
	// Bytes of the deleted objects.
	Bytes int64
	// Aborted stale multipart uploads.
	Aborted int
}

// Sweep deletes every object (and every version of it) under the sink's
// prefix whose key names a partition that started more than the
// retention ago, so nothing is kept longer than the retention: an
// hourly partition goes when its first hour is past it (its last entries
// up to an hour early), a daily one when its first day is. Keys the
// layout did not write are left alone. It also aborts the sink's
// multipart uploads left unfinished for an hour. Every deletion is
// counted in Report.Deleted and the sweep is logged with its counts
// (never keys' content beyond tenant and partition).
func (k *Sink) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	cutoff := k.env.Now().Add(-k.env.Retention)
	doomed := make(chan minio.ObjectInfo)
	var listErr error
	go func() {
		defer close(doomed)
		listErr = k.list(ctx, cutoff, doomed, &res.Bytes)
	}()
	var errs []error
	for r := range k.client.RemoveObjectsWithResult(ctx, k.s.Bucket, doomed, minio.RemoveObjectsOptions{}) {
		if r.Err != nil {
			errs = append(errs, classify("delete", r.ObjectName, r.Err))
			continue
		}
		res.Deleted++
		k.deleted.Add(1)
		k.env.Logger.Debug("s3: deleted past retention", zap.String("key", r.ObjectName))
	}
	errs = append(errs, listErr)
	res.Aborted = k.abortStale(ctx)
	if res.Deleted > 0 || res.Aborted > 0 {
		k.env.Logger.Info("s3: retention sweep", zap.Int("deleted", res.Deleted), zap.Int64("bytes", res.Bytes),
			zap.Int("aborted_uploads", res.Aborted), zap.Time("partitions_before", cutoff))
	}
	return res, errors.Join(errs...)
}

// list sends every version of the layout's objects whose partition
// started before cutoff to doomed, adding their sizes to bytes.
func (k *Sink) list(ctx context.Context, cutoff time.Time, doomed chan<- minio.ObjectInfo, bytes *int64) error {
	opts := minio.ListObjectsOptions{Prefix: k.layout.static, Recursive: true, WithVersions: true}
	for o := range k.client.ListObjects(ctx, k.s.Bucket, opts) {
		if o.Err != nil {
			return classify("list", k.layout.static, o.Err)
		}
		if start, ok := k.layout.start(o.Key); !ok || !start.Before(cutoff) {
			continue
		}
		*bytes += o.Size
		select {
		case doomed <- minio.ObjectInfo{Key: o.Key, VersionID: o.VersionID}:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// abortStale aborts the multipart uploads of the layout's keys started
// more than staleUpload ago and returns how many keys it cleared.
func (k *Sink) abortStale(ctx context.Context) int {
	n := 0
	limit := k.env.Now().Add(-staleUpload)
	for u := range k.client.ListIncompleteUploads(ctx, k.s.Bucket, k.layout.static, true) {
		if u.Err != nil {
			k.env.Logger.Debug("s3: cannot list multipart uploads", zap.Error(classify("list uploads", k.layout.static, u.Err)))
			return n
		}
		if _, ok := k.layout.start(u.Key); !ok || !u.Initiated.Before(limit) {
			continue
		}
		if err := k.client.RemoveIncompleteUpload(ctx, k.s.Bucket, u.Key); err != nil {
			k.env.Logger.Warn("s3: cannot abort a stale multipart upload", zap.Error(classify("abort", u.Key, err)))
			continue
		}
		n++
	}
	return n
}

// lifecycleID names the sink's rule in the bucket's lifecycle
// configuration.
func (k *Sink) lifecycleID() string { return "tarn-" + k.name }

// installLifecycle puts (or replaces) the sink's rule in the bucket's
// lifecycle configuration, keeping every other rule: objects under the
// sink's prefix expire after the retention rounded up to whole days,
// noncurrent versions after a day, unfinished multipart uploads after a
// day.
func (k *Sink) installLifecycle(ctx context.Context) error {
	cfg, err := k.client.GetBucketLifecycle(ctx, k.s.Bucket)
	if err != nil {
		if minio.ToErrorResponse(err).Code != "NoSuchLifecycleConfiguration" {
			return classify("get lifecycle of", k.s.Bucket, err)
		}
		cfg = lifecycle.NewConfiguration()
	}
	days := lifecycle.ExpirationDays((k.env.Retention + 24*time.Hour - 1) / (24 * time.Hour))
	rule := lifecycle.Rule{ID: k.lifecycleID(), Status: "Enabled", RuleFilter: lifecycle.Filter{Prefix: k.layout.static},
		Expiration:                     lifecycle.Expiration{Days: days},
		NoncurrentVersionExpiration:    lifecycle.NoncurrentVersionExpiration{NoncurrentDays: 1},
		AbortIncompleteMultipartUpload: lifecycle.AbortIncompleteMultipartUpload{DaysAfterInitiation: 1}}
	rules := []lifecycle.Rule{rule}
	for _, r := range cfg.Rules {
		if r.ID != rule.ID {
			rules = append(rules, r)
		}
	}
	cfg.Rules = rules
	if err := k.client.SetBucketLifecycle(ctx, k.s.Bucket, cfg); err != nil {
		return classify("set lifecycle of", k.s.Bucket, err)
	}
	k.env.Logger.Info("s3: bucket lifecycle rule installed", zap.String("rule", rule.ID), zap.Int("expire_days", int(days)))
	return nil
}
