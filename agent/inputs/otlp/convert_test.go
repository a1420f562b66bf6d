package otlp

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/plog/plogotlp"

	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/sinks"
)

func labelString(ls []sinks.Label) string {
	var b []string
	for _, l := range ls {
		b = append(b, l.Name+"="+l.Value)
	}
	return strings.Join(b, " ")
}

func TestConvert(t *testing.T) {
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "checkout")
	rl.Resource().Attributes().PutStr("host.name", "web-1")
	sl := rl.ScopeLogs().AppendEmpty()
	sl.Scope().SetName("auth")
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

	str := sl.LogRecords().AppendEmpty()
	str.SetTimestamp(pcommon.NewTimestampFromTime(at))
	str.Body().SetStr("GET / 200\n")
	str.Attributes().PutStr("user.email", "a@b.example")
	str.Attributes().PutEmptyMap("http").PutEmptyMap("request").PutStr("method", "GET")
	str.SetSeverityText("INFO")
	str.SetTraceID(pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})

	m := sl.LogRecords().AppendEmpty()
	m.SetObservedTimestamp(pcommon.NewTimestampFromTime(at.Add(time.Second)))
	body := m.Body().SetEmptyMap()
	body.PutStr("msg", "login")
	body.PutInt("n", 3)
	m.Attributes().PutEmptySlice("tags").AppendEmpty().SetStr("x")

	none := sl.LogRecords().AppendEmpty()
	none.Body().SetInt(42)

	plain := ld.ResourceLogs().AppendEmpty() // a resource without label attributes
	plain.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr("bare")

	var b inputs.Batch
	c := newConverter(DefaultResourceLabels, "", nil)
	c.convert(ld, &b)
	if len(b.Records) != 4 {
		t.Fatalf("%d records", len(b.Records))
	}
	r := b.Records
	for i, want := range []struct{ line, labels, meta string }{
		{"GET / 200", "service_name=checkout", "host.name=web-1 scope.name=auth user.email=a@b.example http.request.method=GET severity_text=INFO trace_id=0102030405060708090a0b0c0d0e0f10"},
		{`{"msg":"login","n":3}`, "service_name=checkout", `host.name=web-1 scope.name=auth tags=["x"]`},
		{"42", "service_name=checkout", "host.name=web-1 scope.name=auth"},
		{"bare", "", ""},
	} {
		if string(r[i].Line) != want.line || labelString(r[i].Labels) != want.labels || labelString(r[i].Metadata) != want.meta {
			t.Errorf("record %d: %q {%s} [%s]\nwant %q {%s} [%s]", i, r[i].Line, labelString(r[i].Labels), labelString(r[i].Metadata), want.line, want.labels, want.meta)
		}
	}
	if !r[0].Time.Equal(at) || !r[1].Time.Equal(at.Add(time.Second)) || !r[2].Time.IsZero() {
		t.Errorf("times %v %v %v", r[0].Time, r[1].Time, r[2].Time)
	}
	if r[3].Labels != nil {
		t.Errorf("a resource without label attributes has labels %v (want nil: the input's own)", r[3].Labels)
	}
}

// FuzzConvert decodes arbitrary bytes as an OTLP request and converts
// what decodes: no panic, one record per log record, lines within the
// request's size.
func FuzzConvert(f *testing.F) {
	ld := plog.NewLogs()
	lr := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty().LogRecords().AppendEmpty()
	lr.Body().SetEmptyMap().PutEmptyMap("a").PutStr("b", "c")
	lr.Attributes().PutStr("k", "v")
	seed, _ := plogotlp.NewExportRequestFromLogs(ld).MarshalProto()
	f.Add(seed)
	f.Add([]byte{})
	c := newConverter(DefaultResourceLabels, "k8s.namespace.name", map[string]string{"shop": "customer-a"})
	f.Fuzz(func(t *testing.T, data []byte) {
		req := plogotlp.NewExportRequest()
		if req.UnmarshalProto(data) != nil {
			return
		}
		var b inputs.Batch
		c.convert(req.Logs(), &b)
		if len(b.Records) != req.Logs().LogRecordCount() {
			t.Fatalf("%d records of %d", len(b.Records), req.Logs().LogRecordCount())
		}
	})
}

// A resource's tenant attribute chooses its records' tenant: mapped, as
// it is when a valid tenant ID, else the input's.
func TestConvertTenant(t *testing.T) {
	ld := plog.NewLogs()
	for _, ns := range []string{"shop", "blog", "bad/ns", ""} {
		rl := ld.ResourceLogs().AppendEmpty()
		if ns != "" {
			rl.Resource().Attributes().PutStr("k8s.namespace.name", ns)
		}
		rl.ScopeLogs().AppendEmpty().LogRecords().AppendEmpty().Body().SetStr(ns)
	}
	var b inputs.Batch
	newConverter(nil, "k8s.namespace.name", map[string]string{"shop": "customer-a"}).convert(ld, &b)
	var got []string
	for _, r := range b.Records {
		got = append(got, r.Tenant)
	}
	if strings.Join(got, ",") != "customer-a,blog,," {
		t.Fatalf("tenants %q", got)
	}
}
