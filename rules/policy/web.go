package policy

import "github.com/tarn-project/tarn/rules/format"

// webDef is a field of the combined/common log format as the statement
// describes it.
type webDef struct {
	// id names the item, record its data category in the record.
	id, record, field string
	// implicit is the treatment without a rule when unknown fields are
	// scrubbed: the record time and the numbers need no scrubbing.
	implicit kind
	// optional fields are described only when a rule names them (not
	// every log format has them).
	optional bool
	// combined fields are missing from the common format.
	combined bool
	// merge names the item this one is folded into when both are treated
	// alike.
	merge string
	// hidden items are not listed among the data categories.
	hidden bool
}

// webDefs are the web-server fields in the order the statement lists them.
var webDefs = []webDef{
	{id: "ip", record: "ip_address", field: "remote_addr", implicit: kScrub},
	{id: "xff", record: "forwarded_ip_address", field: "http_x_forwarded_for", implicit: kScrub, optional: true, merge: "ip"},
	{id: "time", record: "date_time", field: "time_local", implicit: kKeep},
	{id: "url", record: "url", field: "request_uri", implicit: kScrub},
	{id: "query", record: "query_string", field: "request_query", implicit: kScrub, optional: true, merge: "url", hidden: true},
	{id: "status", record: "status_code", field: "status", implicit: kKeep},
	{id: "bytes", record: "bytes_sent", field: "body_bytes_sent", implicit: kKeep},
	{id: "referrer", record: "referrer", field: "http_referer", implicit: kScrub, combined: true},
	{id: "ua", record: "user_agent", field: "http_user_agent", implicit: kScrub, combined: true},
	{id: "user", record: "user_name", field: "remote_user", implicit: kScrub},
	{id: "ident", record: "identd_user_name", field: "remote_ident", implicit: kScrub, optional: true, merge: "user", hidden: true},
	{id: "vhost", record: "host_name", field: "vhost", implicit: kScrub, optional: true},
}

// webFieldNames are the field names the combined/common parser produces.
var webFieldNames = func() map[string]bool {
	m := map[string]bool{}
	for _, name := range format.CombinedFields() {
		m[name] = true
	}
	return m
}()

// webFields resolves the treatment of every web-server field.
func (f *facts) webFields() []item {
	var out []item
	request, reqPath, reqNamed := lookup(f.c, "request")
	// A request line with its own action other than scrub wins over its
	// parts (the engine applies it to the line as a whole).
	whole := reqNamed && request.Scrub == nil
	for _, d := range webDefs {
		a, path, named := lookup(f.c, d.field)
		switch {
		case d.optional && !named, d.combined && !f.combined:
			continue
		case whole && (d.id == "url" || d.id == "query"):
			a, path, named = request, reqPath, true
		}
		t := treat{kind: d.implicit}
		if !f.scrubUnknown {
			t.kind = kKeep
		}
		if named {
			t = treatOf(f.c, &a)
		} else {
			path = "scrub_unknown"
		}
		out = append(out, item{id: d.id, treat: f.effective(t), paths: []string{path}})
		f.webIDs = append(f.webIDs, d.id)
	}
	return mergeWeb(out)
}

// mergeWeb folds items into the item they belong to when both are treated
// alike.
func mergeWeb(items []item) []item {
	out := items[:0]
	for _, it := range items {
		d := webDefOf(it.id)
		if t := indexOf(out, d.merge); d.merge != "" && t >= 0 && out[t].treat.key() == it.treat.key() {
			out[t].paths = append(out[t].paths, it.paths...)
			out[t].merged = append(out[t].merged, it.id)
			continue
		}
		out = append(out, it)
	}
	return out
}

func webDefOf(id string) webDef {
	for _, d := range webDefs {
		if d.id == id {
			return d
		}
	}
	return webDef{}
}

// isWeb reports whether an item is a web-server field.
func isWeb(id string) bool { return webDefOf(id).id != "" }
