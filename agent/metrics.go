package agent

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/tarn-project/tarn/agent/delivery"
	"github.com/tarn-project/tarn/agent/spool"
	"github.com/tarn-project/tarn/agent/tail"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/sinks"
)

// Outcomes of a record, the values of the outcome label of
// tarn_records_total.
const (
	outcomeShipped          = "shipped"
	outcomeUnparsedScrubbed = "unparsed_scrubbed"
	outcomeLineTruncated    = "line_truncated"
)

// metrics are the agent's Prometheus metrics. They live as long as the
// agent, across configuration reloads; label values are input, sink and
// rule names from the configuration, never record content.
type metrics struct {
	reg *prometheus.Registry

	linesRead, bytesRead   *prometheus.CounterVec
	records                *prometheus.CounterVec
	actions, detections    *prometheus.CounterVec
	backpressure           *prometheus.CounterVec
	rotations, truncations *prometheus.CounterVec
	openFiles              *prometheus.GaugeVec
	sendSeconds            *prometheus.HistogramVec
	purged, corrupt        prometheus.Counter
	corruptRecords         prometheus.Counter
	spoolMissing           prometheus.Counter
	reloads                *prometheus.CounterVec
	configOK               prometheus.Gauge
	checkpointSaved        prometheus.Gauge

	mu    sync.Mutex
	sinks map[string]*delivery.Stats
	spool *spool.Spool
	// reporters are the running sinks that count outcomes of their own;
	// retired holds what sinks of earlier generations counted.
	reporters map[string]sinks.Reporter
	retired   map[string]sinks.Report
	// web are the metrics from aggregation.
	web *webMetrics
}

func newMetrics(now func() time.Time) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), sinks: map[string]*delivery.Stats{},
		reporters: map[string]sinks.Reporter{}, retired: map[string]sinks.Report{}, web: newWebMetrics(now)}
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "tarn_" + name, Help: help}, labels)
		m.reg.MustRegister(c)
		return c
	}
	m.linesRead = counter("input_lines_total", "Lines read per input.", "input")
	m.bytesRead = counter("input_bytes_total", "Bytes read per input.", "input")
	m.records = counter("records_total", "Records by outcome: shipped, dropped_too_old, dropped_rule, dropped_unparsed, unparsed_scrubbed, line_truncated.", "input", "outcome")
	m.actions = counter("rule_actions_total", "Rule actions applied, by rule.", "rule")
	m.detections = counter("detections_total", "Detector matches in free text, by kind.", "kind")
	m.backpressure = counter("spool_full_waits_total", "Times an input paused because the spool was full.", "input")
	m.rotations = counter("tail_rotations_total", "Files rotated away or deleted and read to their end.", "input")
	m.truncations = counter("tail_truncations_total", "Files truncated in place (copytruncate).", "input")
	m.reloads = counter("config_reloads_total", "Configuration reloads by result (ok, failed).", "result")
	m.openFiles = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "tarn_open_files", Help: "Files open for tailing."}, []string{"input"})
	m.sendSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "tarn_sink_send_duration_seconds", Help: "Duration of sends to a sink, by result.",
		Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10),
	}, []string{"sink", "result"})
	m.purged = prometheus.NewCounter(prometheus.CounterOpts{Name: "tarn_spool_purged_entries_total", Help: "Undelivered entries purged from the spool for being older than retention.max_age."})
	m.corrupt = prometheus.NewCounter(prometheus.CounterOpts{Name: "tarn_spool_corrupt_truncated_total", Help: "Spool segments whose corrupt tail was truncated at start-up."})
	m.corruptRecords = prometheus.NewCounter(prometheus.CounterOpts{Name: "tarn_spool_corrupt_records_total", Help: "Damaged spool records skipped (their entries are lost), found at start-up or when read."})
	m.spoolMissing = prometheus.NewCounter(prometheus.CounterOpts{Name: "tarn_spool_missing_total", Help: "Start-ups that found the spool directory missing although positions existed."})
	m.configOK = prometheus.NewGauge(prometheus.GaugeOpts{Name: "tarn_config_last_reload_successful", Help: "1 if the last configuration (re)load succeeded."})
	m.checkpointSaved = prometheus.NewGauge(prometheus.GaugeOpts{Name: "tarn_checkpoint_last_save_timestamp_seconds", Help: "When positions were last saved."})
	m.reg.MustRegister(m.openFiles, m.sendSeconds, m.purged, m.corrupt, m.corruptRecords, m.spoolMissing, m.configOK, m.checkpointSaved, (*stateCollector)(m), m.web,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// sinkStats returns the delivery counters of a sink, kept across reloads.
func (m *metrics) sinkStats(name string) *delivery.Stats {
	m.mu.Lock()
	defer m.mu.Unlock()
	st, ok := m.sinks[name]
	if !ok {
		st = &delivery.Stats{}
		m.sinks[name] = st
	}
	return st
}

// addReporter makes a running sink's own counters visible.
func (m *metrics) addReporter(name string, s sinks.Sink) {
	r, ok := s.(sinks.Reporter)
	if !ok {
		return
	}
	m.mu.Lock()
	m.reporters[name] = r
	m.mu.Unlock()
}

// retireReporter keeps what a closing sink counted, so the counters of
// its successor (after a reload) continue from there.
func (m *metrics) retireReporter(name string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.reporters[name]
	if !ok {
		return
	}
	delete(m.reporters, name)
	m.retired[name] = m.retired[name].Add(r.Report())
}

func (m *metrics) setSpool(s *spool.Spool) {
	m.mu.Lock()
	m.spool = s
	m.mu.Unlock()
}

// observeSend returns the delivery loop's Observe hook for a sink.
func (m *metrics) observeSend(sink string) func(time.Duration, error) {
	ok, failed := m.sendSeconds.WithLabelValues(sink, "ok"), m.sendSeconds.WithLabelValues(sink, "error")
	return func(d time.Duration, err error) {
		if _, partial := sinks.AsPartial(err); err != nil && !partial { // a partial acceptance is an answer
			failed.Observe(d.Seconds())
			return
		}
		ok.Observe(d.Seconds())
	}
}

// addRules adds the counters a processor collected since the last call
// (d holds the difference) for one input.
func (m *metrics) addRules(input string, eng *rules.Engine, d *rules.Stats) {
	m.linesRead.WithLabelValues(input).Add(float64(d.Lines))
	m.bytesRead.WithLabelValues(input).Add(float64(d.Bytes))
	for r := rules.Kept; r < rules.NumReasons; r++ {
		if n := d.Records[r]; n > 0 {
			m.records.WithLabelValues(input, outcome(r)).Add(float64(n))
		}
	}
	if d.Unparsed > 0 {
		m.records.WithLabelValues(input, outcomeUnparsedScrubbed).Add(float64(d.Unparsed))
	}
	if d.Cut > 0 {
		m.records.WithLabelValues(input, outcomeLineTruncated).Add(float64(d.Cut))
	}
	names := eng.Rules()
	for i, n := range d.Actions {
		if n > 0 {
			m.actions.WithLabelValues(names[i]).Add(float64(n))
		}
	}
	for k, n := range d.Detections {
		if n > 0 {
			m.detections.WithLabelValues(detect.Kind(k).String()).Add(float64(n))
		}
	}
}

func outcome(r rules.Reason) string {
	if r == rules.Kept {
		return outcomeShipped
	}
	return "dropped_" + r.String()
}

// tailCounters remembers what of a tailer's counters was already exported.
type tailCounters struct{ rotations, truncations uint64 }

// addTail exports the growth of a tailer's counters since the last call.
func (m *metrics) addTail(input string, st *tail.Stats, last *tailCounters) {
	r, t := st.Rotations.Load(), st.Truncations.Load()
	m.rotations.WithLabelValues(input).Add(float64(r - last.rotations))
	m.truncations.WithLabelValues(input).Add(float64(t - last.truncations))
	last.rotations, last.truncations = r, t
	m.openFiles.WithLabelValues(input).Set(float64(st.OpenFiles.Load()))
}

// stateCollector exports the spool's state and the delivery counters.
type stateCollector metrics

var (
	descSpoolBytes   = prometheus.NewDesc("tarn_spool_bytes", "Size of the spool's segment files.", nil, nil)
	descSpoolEntries = prometheus.NewDesc("tarn_spool_entries", "Entries held in the spool.", nil, nil)
	descSpoolOldest  = prometheus.NewDesc("tarn_spool_oldest_entry_age_seconds", "Age of the oldest entry in the spool (0 when empty).", nil, nil)
	descSpoolMax     = prometheus.NewDesc("tarn_spool_max_bytes", "The spool's limit (spool.max_bytes): inputs wait, push inputs answer 429, when tarn_spool_bytes reaches it.", nil, nil)
	descSinkBacklog  = prometheus.NewDesc("tarn_sink_backlog_entries", "Entries in the spool the sink has not acknowledged yet.", []string{"sink"}, nil)
	descSinkSent     = prometheus.NewDesc("tarn_sink_sent_entries_total", "Entries acknowledged by the sink.", []string{"sink"}, nil)
	descSinkBatches  = prometheus.NewDesc("tarn_sink_batches_total", "Batches acknowledged by the sink.", []string{"sink"}, nil)
	descSinkFailures = prometheus.NewDesc("tarn_sink_failures_total", "Failed sends.", []string{"sink"}, nil)
	descSinkRetries  = prometheus.NewDesc("tarn_sink_retries_total", "Retries after a retryable failure.", []string{"sink"}, nil)
	descSinkDead     = prometheus.NewDesc("tarn_sink_dead_lettered_entries_total", "Entries rejected permanently and written to the dead-letter file.", []string{"sink"}, nil)
	descSinkThrottle = prometheus.NewDesc("tarn_sink_throttled_total", "Retries the destination asked to delay (Retry-After); counted in tarn_sink_retries_total too.", []string{"sink"}, nil)
	descSinkPartial  = prometheus.NewDesc("tarn_sink_partial_batches_total", "Batches the destination accepted but for some entries, which were dead-lettered.", []string{"sink"}, nil)
	descSinkTooOld   = prometheus.NewDesc("tarn_sink_dropped_too_old_entries_total", "Entries dropped before sending for being past retention.", []string{"sink"}, nil)
	descSinkRejected = prometheus.NewDesc("tarn_sink_rejected_entries_total", "Entries the destination rejected (or the sink dropped because the destination would), by reason.", []string{"sink", "reason"}, nil)
	descSinkDemoted  = prometheus.NewDesc("tarn_sink_labels_demoted_total", "Label names moved from stream labels to structured metadata by the cardinality guard.", []string{"sink"}, nil)
	descSinkObjects  = prometheus.NewDesc("tarn_sink_objects_total", "Objects or files the sink wrote (object stores: uploads, an overwrite counts again).", []string{"sink"}, nil)
	descSinkBytes    = prometheus.NewDesc("tarn_sink_written_bytes_total", "Bytes the sink wrote or uploaded, after compression.", []string{"sink"}, nil)
	descSinkDeleted  = prometheus.NewDesc("tarn_sink_retention_deleted_total", "Objects or files the sink deleted for being past its retention.", []string{"sink"}, nil)
)

// Describe implements prometheus.Collector.
func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSpoolBytes, descSpoolEntries, descSpoolOldest, descSpoolMax, descSinkBacklog,
		descSinkSent, descSinkBatches, descSinkFailures, descSinkRetries, descSinkDead, descSinkTooOld, descSinkThrottle, descSinkPartial,
		descSinkRejected, descSinkDemoted, descSinkObjects, descSinkBytes, descSinkDeleted} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.spool != nil {
		st := c.spool.Stats()
		age := 0.0
		if !st.Oldest.IsZero() {
			age = time.Since(st.Oldest).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(descSpoolBytes, prometheus.GaugeValue, float64(st.Bytes))
		ch <- prometheus.MustNewConstMetric(descSpoolEntries, prometheus.GaugeValue, float64(st.Entries))
		ch <- prometheus.MustNewConstMetric(descSpoolOldest, prometheus.GaugeValue, age)
		ch <- prometheus.MustNewConstMetric(descSpoolMax, prometheus.GaugeValue, float64(st.MaxBytes))
		for name, n := range st.Backlog {
			ch <- prometheus.MustNewConstMetric(descSinkBacklog, prometheus.GaugeValue, float64(n), name)
		}
	}
	for name, st := range c.sinks {
		for _, v := range []struct {
			d *prometheus.Desc
			n uint64
		}{{descSinkSent, st.Sent.Load()}, {descSinkBatches, st.Batches.Load()}, {descSinkFailures, st.Failures.Load()},
			{descSinkRetries, st.Retries.Load()}, {descSinkDead, st.DeadLettered.Load()}, {descSinkTooOld, st.TooOld.Load()},
			{descSinkThrottle, st.Throttled.Load()}, {descSinkPartial, st.Partial.Load()}} {
			ch <- prometheus.MustNewConstMetric(v.d, prometheus.CounterValue, float64(v.n), name)
		}
	}
	c.collectReports(ch)
}

// collectReports exports the sinks' own counters (retired plus running).
func (c *stateCollector) collectReports(ch chan<- prometheus.Metric) {
	all := map[string]sinks.Report{}
	for name, r := range c.retired {
		all[name] = r
	}
	for name, r := range c.reporters {
		all[name] = all[name].Add(r.Report())
	}
	for name, r := range all {
		ch <- prometheus.MustNewConstMetric(descSinkDemoted, prometheus.CounterValue, float64(r.LabelsDemoted), name)
		ch <- prometheus.MustNewConstMetric(descSinkObjects, prometheus.CounterValue, float64(r.Objects), name)
		ch <- prometheus.MustNewConstMetric(descSinkBytes, prometheus.CounterValue, float64(r.WrittenBytes), name)
		ch <- prometheus.MustNewConstMetric(descSinkDeleted, prometheus.CounterValue, float64(r.Deleted), name)
		for reason, n := range r.Rejected {
			ch <- prometheus.MustNewConstMetric(descSinkRejected, prometheus.CounterValue, float64(n), name, reason)
		}
	}
}
