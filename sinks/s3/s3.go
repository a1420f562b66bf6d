package s3

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/encrypt"
	"go.uber.org/zap"

	"github.com/tarn-project/tarn/sinks"
)

// futureGrace is how far in the future an entry's time may be: later
// entries would land in partitions the retention sweep reaches late, so
// they are rejected (too_new), as Loki rejects them.
const futureGrace = time.Hour

// Sink uploads batches as objects. Send and Close are called by one
// delivery loop; Report may be called concurrently; the retention sweep
// runs in its own goroutine.
type Sink struct {
	s      *Settings
	env    sinks.Env
	client *minio.Client
	layout *layout
	enc    *encoder
	put    minio.PutObjectOptions
	node   string
	name   string

	// doneID and done are the keys already uploaded of the batch in
	// flight: a retry skips them.
	doneID string
	done   map[string]bool

	objects, written, deleted atomic.Uint64
	mu                        sync.Mutex
	rejected                  map[string]uint64

	stop      chan struct{}
	swept     sync.WaitGroup
	closeOnce sync.Once
	// SweepEvery is the interval of the retention sweep (0 turns the
	// background sweep off; tests call Sweep).
	sweepEvery time.Duration
}

var (
	_ sinks.Sink     = (*Sink)(nil)
	_ sinks.Reporter = (*Sink)(nil)
)

// SweepEvery is how often the retention sweep runs (and once at start).
const SweepEvery = 10 * time.Minute

// New returns an s3 sink for validated settings and starts its retention
// sweep. It does not contact the store: a store that is down at start is
// retried like any failed upload.
func New(s *Settings, env sinks.Env) (*Sink, error) {
	return newSink(s, env, SweepEvery)
}

// newSink is New with the sweep interval (0: no background sweep).
func newSink(s *Settings, env sinks.Env, every time.Duration) (*Sink, error) {
	l, err := parseLayout(s.Prefix, s.Key)
	if err != nil {
		return nil, fmt.Errorf("s3: key: %w", err)
	}
	client, err := newClient(s, env)
	if err != nil {
		return nil, err
	}
	if env.Now == nil {
		env.Now = time.Now
	}
	if env.Logger == nil {
		env.Logger = zap.NewNop()
	}
	c := compressions[s.Compress]
	l.forSink(safeName(env.Name))
	k := &Sink{s: s, env: env, client: client, layout: l, enc: newEncoder(c), node: safeName(cmp.Or(env.Node, "node")),
		name: safeName(env.Name), rejected: map[string]uint64{}, stop: make(chan struct{}), sweepEvery: every,
		put: minio.PutObjectOptions{ContentType: "application/x-ndjson", ContentEncoding: c.contentEncoding,
			PartSize: uint64(s.PartSize), StorageClass: s.StorageClass}}
	switch s.SSE.Type {
	case "AES256":
		k.put.ServerSideEncryption = encrypt.NewSSE()
	case "aws:kms":
		if k.put.ServerSideEncryption, err = encrypt.NewSSEKMS(s.SSE.KMSKeyID, nil); err != nil {
			return nil, fmt.Errorf("s3: sse: %w", err)
		}
	}
	if every > 0 {
		k.swept.Add(1)
		go k.sweepLoop(every)
	}
	return k, nil
}

// newClient builds the minio-go client: retries off (the delivery loop
// retries), the TLS settings, path or virtual-hosted style.
func newClient(s *Settings, env sinks.Env) (*minio.Client, error) {
	host, secure := "s3."+s.Region+".amazonaws.com", true
	if s.Endpoint != "" {
		var err error
		if host, secure, err = endpointHost(s.Endpoint); err != nil {
			return nil, fmt.Errorf("s3: endpoint: %w", err)
		}
	}
	tr, err := minio.DefaultTransport(secure)
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	if tr.TLSClientConfig, err = s.TLS.Config(); err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	lookup := minio.BucketLookupAuto
	if s.PathStyle != nil {
		lookup = map[bool]minio.BucketLookupType{true: minio.BucketLookupPath, false: minio.BucketLookupDNS}[*s.PathStyle]
	}
	c, err := minio.New(host, &minio.Options{Creds: credentialsFor(s), Secure: secure, Transport: tr, Region: s.Region,
		BucketLookup: lookup, MaxRetries: 1})
	if err != nil {
		return nil, fmt.Errorf("s3: %w", err)
	}
	c.SetAppInfo("tarn", cmp.Or(env.Version, "dev"))
	return c, nil
}

// group is the entries of one object: one tenant, one partition.
type group struct {
	vars keyVars
	idx  []int
}

// Send uploads one object per tenant and partition of b, named after
// b.ID, so a re-sent batch overwrites its objects. Entries with an
// invalid tenant or a time more than an hour ahead are rejected; a group
// the store refuses for good (bad credentials, no bucket, a denied
// tenant prefix) rejects its entries; any other failure fails the batch,
// and its retry skips the objects already uploaded.
func (k *Sink) Send(ctx context.Context, b *sinks.Batch) error {
	if b.ID != k.doneID {
		k.doneID, k.done = b.ID, map[string]bool{}
	}
	groups, rejected := k.groups(b)
	var last error
	var entries []sinks.Entry
	for _, g := range groups {
		key := k.layout.key(g.vars)
		if k.done[key] {
			continue
		}
		entries = entries[:0]
		for _, i := range g.idx {
			entries = append(entries, b.Entries[i])
		}
		err := k.upload(ctx, key, entries, g.vars.tenant)
		switch {
		case err == nil:
			k.done[key] = true
		case sinks.IsPermanent(err):
			last = err
			for _, i := range g.idx {
				rejected = append(rejected, sinks.Rejection{Index: i, Reason: "refused"})
			}
		default:
			return err
		}
	}
	k.count(rejected)
	if len(rejected) == len(b.Entries) && last != nil {
		return last
	}
	return sinks.Partial(cmp.Or(last, errors.New("s3: entries with an invalid tenant or from the future")), rejected)
}

// groups splits b into objects, in the order of their first entries, and
// lists the entries it rejects.
func (k *Sink) groups(b *sinks.Batch) ([]*group, []sinks.Rejection) {
	var out []*group
	var rejected []sinks.Rejection
	type groupKey struct {
		tenant string
		start  int64
	}
	byKey := map[groupKey]*group{}
	limit := k.env.Now().Add(futureGrace)
	ext := compressions[k.s.Compress].ext
	lastTenant := ""
	for i := range b.Entries {
		e := &b.Entries[i]
		tenant := cmp.Or(e.Tenant, k.s.Tenant)
		if tenant != lastTenant {
			if sinks.ValidTenant(tenant) != nil {
				rejected = append(rejected, sinks.Rejection{Index: i, Reason: "invalid_tenant"})
				continue
			}
			lastTenant = tenant
		}
		if e.Time.After(limit) {
			rejected = append(rejected, sinks.Rejection{Index: i, Reason: "too_new"})
			continue
		}
		v := keyVars{tenant: tenant, node: k.node, sink: k.name, batch: b.ID, ext: ext, start: k.layout.partition(e.Time)}
		gk := groupKey{tenant, v.start.Unix()}
		g := byKey[gk]
		if g == nil {
			g = &group{vars: v}
			byKey[gk] = g
			out = append(out, g)
		}
		g.idx = append(g.idx, i)
	}
	return out, rejected
}

// upload encodes entries and puts them under key.
func (k *Sink) upload(ctx context.Context, key string, entries []sinks.Entry, tenant string) error {
	body, err := k.enc.encode(entries, tenant)
	if err != nil {
		return fmt.Errorf("s3: encode %s: %w", key, err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(k.s.Timeout))
	defer cancel()
	o := k.put
	o.UserMetadata = map[string]string{"tarn-entries": strconv.Itoa(len(entries))}
	if _, err := k.client.PutObject(ctx, k.s.Bucket, key, bytes.NewReader(body), int64(len(body)), o); err != nil {
		return classify("put", key, err)
	}
	k.objects.Add(1)
	k.written.Add(uint64(len(body)))
	return nil
}

// count adds rejections to the report.
func (k *Sink) count(rs []sinks.Rejection) {
	if len(rs) == 0 {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, r := range rs {
		k.rejected[r.Reason]++
	}
}

// Report returns the sink's counters.
func (k *Sink) Report() sinks.Report {
	k.mu.Lock()
	defer k.mu.Unlock()
	r := sinks.Report{Rejected: map[string]uint64{}, Objects: k.objects.Load(), WrittenBytes: k.written.Load(), Deleted: k.deleted.Load()}
	for reason, n := range k.rejected {
		r.Rejected[reason] = n
	}
	return r
}

// Close stops the retention sweep; uploads are synchronous, so nothing
// is left to flush. It is safe to call twice.
func (k *Sink) Close(context.Context) error {
	k.closeOnce.Do(func() { close(k.stop) })
	k.swept.Wait()
	return nil
}
