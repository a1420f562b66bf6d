package benchmarks

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/tarn-project/tarn/benchmarks/leakcorpus"
)

// TestLeakCorpusOTLP sends the corpus as OTLP/HTTP log records (one
// resource per kind, one record per line with the line as its string
// body, the CRI kind's messages unwrapped and joined as a Collector's
// container parser passes them on) into an otlp input, delivered to the
// file sink; the senders' labels go as resource attributes and their
// metadata as log attributes, which must be scrubbed too (checked in an
// NDJSON sink).
func TestLeakCorpusOTLP(t *testing.T) {
	c, dir, key := leakSetup(t)
	addr := freeAddr(t)
	cfg := writeLeakConfig(t, dir, key, `  - {name: otel, type: otlp, http: {listen: "`+addr+`"}}`+"\n",
		"  - {name: labels, type: file, path: outjson, format: ndjson}\n")
	now := leakDay.Add(time.Hour)
	stop := serveAgent(t, cfg, func() time.Time { return now }, addr)

	ld := plog.NewLogs()
	lines := 0
	add := func(res, attrs map[string]string, i int, line string) {
		rl := ld.ResourceLogs().AppendEmpty()
		for k, v := range res {
			rl.Resource().Attributes().PutStr(k, v)
		}
		lr := rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
		lr.SetTimestamp(pcommon.NewTimestampFromTime(leakDay.Add(time.Duration(i) * time.Millisecond)))
		lr.Body().SetStr(line)
		for k, v := range attrs {
			lr.Attributes().PutStr(k, v)
		}
		lines++
	}
	for _, k := range leakcorpus.Kinds {
		text := c.Text(k.Name)
		if k.Name == "cri" {
			text = criMessages(leakcorpus.JoinCRI(text))
		}
		for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			add(map[string]string{"service.name": k.Name}, nil, i, l)
		}
	}
	senders := leakcorpus.Senders(leakSeed, 12)
	for i, r := range senders {
		add(r.Labels, r.Metadata, i, r.Lines[0])
	}
	body, err := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	if err != nil {
		t.Fatal(err)
	}
	post(t, "http://"+addr+"/v1/logs", "application/x-protobuf", body, http.StatusOK)
	judgeSent(t, "otlp", c, senders, dir, lines, stop)
}
