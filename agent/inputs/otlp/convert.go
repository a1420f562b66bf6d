package otlp

import (
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/sinks"
)

// converter turns OTLP log records into the records of one batch. Its
// buffers are reused from request to request.
type converter struct {
	// labels maps a resource attribute that becomes a stream label to
	// the label's name.
	labels map[string]string
	// tenantAttr and tenantMap choose a resource's tenant (see
	// Settings.TenantAttribute).
	tenantAttr string
	tenantMap  map[string]string
	// lines holds the lines of a batch; records point into it.
	lines []byte
	ends  []int
	// meta holds the metadata of a batch's records, metas each record's
	// run of it.
	meta  []sinks.Label
	metas []span
}

// newConverter returns a converter making stream labels of the resource
// attributes named in resourceLabels and tenants of tenantAttr's values.
func newConverter(resourceLabels []string, tenantAttr string, tenantMap map[string]string) *converter {
	c := &converter{labels: map[string]string{}, tenantAttr: tenantAttr, tenantMap: tenantMap}
	for _, a := range resourceLabels {
		c.labels[a] = labelName(a)
	}
	return c
}

// labelName is an attribute name as a label name: every character that
// may not stand in one becomes '_' (service.name is service_name).
func labelName(a string) string {
	b := []byte(a)
	for i, ch := range b {
		if !sinks.LabelNameChar(ch, i == 0) {
			b[i] = '_'
		}
	}
	return string(b)
}

// convert appends a record to b for every log record of ld:
//
//   - the line is the body: a string as it is (the input's format parses
//     it, auto by default), any other value as JSON (a map body is a JSON
//     record whose fields the rules know by their dotted paths);
//   - the time is time_unix_nano, else observed_time_unix_nano, else
//     zero (now);
//   - the resource attributes named in resource_labels become stream
//     labels; the other resource attributes, the scope's name and
//     version, the log record's attributes, severity, event name, trace
//     and span ids become structured metadata under their OTLP names
//     (nested maps flattened to dotted names), anonymized by the ingest
//     like the values of record fields of the same names.
//
// The records alias c's buffers until the next convert.
func (c *converter) convert(ld plog.Logs, b *inputs.Batch) {
	c.lines, c.ends, c.meta, c.metas = c.lines[:0], c.ends[:0], c.meta[:0], c.metas[:0]
	rls := ld.ResourceLogs()
	for i := 0; i < rls.Len(); i++ {
		rl := rls.At(i)
		labels, resMeta := c.resource(rl.Resource().Attributes())
		tenant := c.tenant(rl.Resource().Attributes())
		sls := rl.ScopeLogs()
		for j := 0; j < sls.Len(); j++ {
			sl := sls.At(j)
			scope := sl.Scope()
			lrs := sl.LogRecords()
			for k := 0; k < lrs.Len(); k++ {
				lr := lrs.At(k)
				start := len(c.meta)
				c.meta = append(c.meta, c.meta[resMeta.start:resMeta.end]...)
				c.appendIf("scope.name", scope.Name())
				c.appendIf("scope.version", scope.Version())
				c.record(lr)
				c.metas = append(c.metas, span{start, len(c.meta)})
				c.lines = appendBody(c.lines, lr.Body())
				c.ends = append(c.ends, len(c.lines))
				b.Records = append(b.Records, inputs.Record{Time: recordTime(lr), Labels: labels, Tenant: tenant})
			}
		}
	}
	// The buffers are complete: point the records into them.
	first, prev := len(b.Records)-len(c.ends), 0
	for i, end := range c.ends {
		r := &b.Records[first+i]
		r.Line = c.lines[prev:end:end]
		m := c.metas[i]
		r.Metadata = c.meta[m.start:m.end:m.end]
		prev = end
	}
}

// span is a run of c.meta.
type span struct{ start, end int }

// resource returns the stream labels of a resource's attributes (nil
// when it has none of resource_labels) and the run of c.meta holding the
// others.
func (c *converter) resource(attrs pcommon.Map) ([]sinks.Label, span) {
	var labels []sinks.Label
	start := len(c.meta)
	attrs.Range(func(k string, v pcommon.Value) bool {
		if name, ok := c.labels[k]; ok && v.Type() != pcommon.ValueTypeMap && v.Type() != pcommon.ValueTypeSlice {
			labels = append(labels, sinks.Label{Name: name, Value: v.AsString()})
			return true
		}
		c.appendValue(k, v)
		return true
	})
	return labels, span{start, len(c.meta)}
}

// tenant is the tenant of a resource's records: its tenant attribute's
// value, mapped, or "" (the input's).
func (c *converter) tenant(attrs pcommon.Map) string {
	if c.tenantAttr == "" {
		return ""
	}
	v, ok := attrs.Get(c.tenantAttr)
	if !ok {
		return ""
	}
	s := v.AsString()
	if t, ok := c.tenantMap[s]; ok {
		return t
	}
	if sinks.ValidTenant(s) != nil {
		return ""
	}
	return s
}

// record appends a log record's own metadata.
func (c *converter) record(lr plog.LogRecord) {
	lr.Attributes().Range(func(k string, v pcommon.Value) bool {
		c.appendValue(k, v)
		return true
	})
	c.appendIf("severity_text", lr.SeverityText())
	if n := lr.SeverityNumber(); n != plog.SeverityNumberUnspecified {
		c.meta = append(c.meta, sinks.Label{Name: "severity_number", Value: strconv.Itoa(int(n))})
	}
	c.appendIf("event.name", lr.EventName())
	if id := lr.TraceID(); !id.IsEmpty() {
		c.meta = append(c.meta, sinks.Label{Name: "trace_id", Value: id.String()})
	}
	if id := lr.SpanID(); !id.IsEmpty() {
		c.meta = append(c.meta, sinks.Label{Name: "span_id", Value: id.String()})
	}
}

// appendIf appends name=v unless v is empty.
func (c *converter) appendIf(name, v string) {
	if v != "" {
		c.meta = append(c.meta, sinks.Label{Name: name, Value: v})
	}
}

// maxDepth bounds the flattening of nested maps; deeper values are kept
// as JSON under the path reached.
const maxDepth = 8

// appendValue appends an attribute: a map flattened to dotted names, any
// other value as its string form (slices as JSON).
func (c *converter) appendValue(name string, v pcommon.Value) {
	c.appendNested(name, v, 0)
}

func (c *converter) appendNested(name string, v pcommon.Value, depth int) {
	if v.Type() != pcommon.ValueTypeMap || depth == maxDepth {
		c.meta = append(c.meta, sinks.Label{Name: name, Value: v.AsString()})
		return
	}
	v.Map().Range(func(k string, sub pcommon.Value) bool {
		c.appendNested(name+"."+k, sub, depth+1)
		return true
	})
}

// appendBody appends a body as a line: a string as it is (without a
// trailing newline; newlines inside stay, a body is one record), anything
// else as JSON, an empty body as an empty line.
func appendBody(dst []byte, v pcommon.Value) []byte {
	if v.Type() == pcommon.ValueTypeStr {
		return append(dst, strings.TrimRight(v.Str(), "\r\n")...)
	}
	if v.Type() == pcommon.ValueTypeEmpty {
		return dst
	}
	return append(dst, v.AsString()...)
}

// recordTime is when a record happened: time_unix_nano, else
// observed_time_unix_nano, else zero (the agent's now).
func recordTime(lr plog.LogRecord) time.Time {
	if t := lr.Timestamp(); t != 0 {
		return t.AsTime()
	}
	if t := lr.ObservedTimestamp(); t != 0 {
		return t.AsTime()
	}
	return time.Time{}
}
