package lokitest

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Options tune the Loki that Start runs. The zero value is a single-tenant
// Loki with Loki's default limits. Structured metadata is always allowed
// and the ingestion-time enrichment (service_name, detected_level) always
// off, so that queries return exactly what was pushed.
type Options struct {
	// MultiTenant turns authentication on (auth_enabled: true): every
	// request needs an X-Scope-OrgID header and tenants are isolated.
	MultiTenant bool
	// IngestionRateMB is the per-tenant ingestion rate in MiB/s
	// (limits_config.ingestion_rate_mb); 0 keeps Loki's default of 4. The
	// per-stream rate limit is set to the same value so the tenant limit
	// is the one that applies.
	IngestionRateMB float64
	// IngestionBurstMB is the per-tenant burst in MiB
	// (limits_config.ingestion_burst_size_mb); 0 keeps Loki's default of 6.
	// The per-stream burst is set to the same value.
	IngestionBurstMB float64
	// MaxLineSize is the largest accepted line in bytes
	// (limits_config.max_line_size); 0 keeps Loki's default (256KB).
	MaxLineSize int
}

// ports are the TCP ports Loki listens on, all on 127.0.0.1.
type ports struct {
	http, grpc, memberlist int
}

// config renders Loki's configuration file for data directory dir (paths
// are double-quoted: test names can put YAML-special characters in them).
func config(o Options, dir string, p ports) string {
	var b strings.Builder
	fmt.Fprintf(&b, "auth_enabled: %t\ntarget: all\n", o.MultiTenant)
	fmt.Fprintf(&b, serverYAML, p.http, p.grpc)
	fmt.Fprintf(&b, commonYAML, dir, filepath.Join(dir, "chunks"), filepath.Join(dir, "rules"))
	fmt.Fprintf(&b, memberlistYAML, p.memberlist)
	fmt.Fprintf(&b, schedulerYAML, p.grpc, p.grpc)
	b.WriteString(fixedYAML)
	b.WriteString(limitsYAML(o))
	return b.String()
}

const serverYAML = `server:
  http_listen_address: 127.0.0.1
  http_listen_port: %d
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: %d
  log_level: warn
  grpc_server_max_recv_msg_size: 67108864
  grpc_server_max_send_msg_size: 67108864
`

const commonYAML = `common:
  instance_addr: 127.0.0.1
  path_prefix: %q
  storage:
    filesystem:
      chunks_directory: %q
      rules_directory: %q
  replication_factor: 1
  ring:
    instance_addr: 127.0.0.1
    kvstore:
      store: inmemory
`

// memberlistYAML pins gossip to loopback; with the inmemory kvstore it
// is never started, but nothing should default to 0.0.0.0.
const memberlistYAML = `memberlist:
  bind_addr: [127.0.0.1]
  bind_port: %d
  advertise_addr: 127.0.0.1
`

// schedulerYAML points the query frontend and the queriers straight at
// the query scheduler in the same process. Without an address Loki finds
// the scheduler through a ring, which makes /ready wait ~10s and the first
// query another ~5s until ring checks and worker backoffs settle.
const schedulerYAML = `frontend:
  scheduler_address: 127.0.0.1:%d
frontend_worker:
  scheduler_address: 127.0.0.1:%d
`

// fixedYAML: no readiness delay (min_ready_duration defaults to 15s), no
// query result caches (a cached empty result would hide entries pushed
// later with older timestamps), tsdb schema v13 since a past date, and
// no analytics, UI or pattern ingester.
const fixedYAML = `ingester:
  lifecycler:
    min_ready_duration: 0s
query_range:
  cache_results: false
  cache_index_stats_results: false
  cache_volume_results: false
  cache_series_results: false
  cache_label_results: false
schema_config:
  configs:
    - from: 2020-10-24
      store: tsdb
      object_store: filesystem
      schema: v13
      index:
        prefix: index_
        period: 24h
analytics:
  reporting_enabled: false
pattern_ingester:
  enabled: false
ui:
  enabled: false
`

// limitsYAML renders limits_config from the options. Loki's ingestion-time
// enrichment is off: no service_name stream label derived from labels
// such as job or app, no detected_level structured metadata.
func limitsYAML(o Options) string {
	l := map[string]string{
		"allow_structured_metadata": "true",
		"ingestion_rate_strategy":   "local",
		"split_queries_by_interval": "24h",
		"discover_log_levels":       "false",
		"discover_service_name":     "[]",
	}
	if o.IngestionRateMB > 0 {
		l["ingestion_rate_mb"] = formatFloat(o.IngestionRateMB)
		l["per_stream_rate_limit"] = mebibytes(o.IngestionRateMB)
	}
	if o.IngestionBurstMB > 0 {
		l["ingestion_burst_size_mb"] = formatFloat(o.IngestionBurstMB)
		l["per_stream_rate_limit_burst"] = mebibytes(o.IngestionBurstMB)
	}
	if o.MaxLineSize > 0 {
		l["max_line_size"] = strconv.Itoa(o.MaxLineSize) + "B"
	}
	keys := make([]string, 0, len(l))
	for k := range l {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("limits_config:\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "  %s: %s\n", k, l[k])
	}
	return b.String()
}

// formatFloat writes f without exponent.
func formatFloat(f float64) string {
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// mebibytes converts MiB to a byte size as Loki's limits spell it.
func mebibytes(mb float64) string {
	return strconv.FormatInt(int64(mb*(1<<20)), 10) + "B"
}
