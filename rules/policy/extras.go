package policy

import (
	"time"

	"github.com/tarn-project/tarn/rules"
)

// metaItem is a structured-metadata pseudonym carried beside each entry.
type metaItem struct {
	name, field string
	web         string // the web-server item of field, if it is one
	cl          class  // else the class its name suggests
}

// metadata lists the metadata pseudonyms by name; entries without a field
// are switched off.
func (f *facts) metadata() []metaItem {
	var out []metaItem
	for _, name := range sortedKeys(f.c.Metadata) {
		field := f.c.Metadata[name]
		if field == "" {
			continue
		}
		m := metaItem{name: name, field: field, cl: classify(field, treat{kind: kPseudo})}
		for _, d := range webDefs {
			if d.field == field {
				m.web = d.id
			}
		}
		if field == "request" {
			m.web = "url"
		}
		out = append(out, m)
	}
	return out
}

// aggregateFacts is the aggregate section with its defaults filled in.
type aggregateFacts struct {
	window   time.Duration
	top, k   int
	visitors bool
	groupBy  []string
	keyField string
	api      bool
}

// aggregateOf resolves the aggregate section like the aggregator does
// (aggregate.Config.WithDefaults).
func aggregateOf(c *rules.Config) *aggregateFacts {
	if c.Aggregate == nil {
		return nil
	}
	a := c.Aggregate.WithDefaults()
	g := &aggregateFacts{window: time.Duration(a.Window), top: a.TopRoutes, k: a.KAnonymity, visitors: *a.Visitors}
	if a.API != nil {
		g.api, g.groupBy, g.keyField = true, a.API.GroupBy, a.API.KeyField
	}
	return g
}

// pseudonyms reports whether any pseudonym is written: by a field action,
// a query parameter, a detector on scrubbed text, the metadata or the
// API aggregates' key.
func (f *facts) pseudonyms() bool {
	scrubbed := false
	for _, it := range f.all() {
		switch t := it.treat; {
		case t.kind == kPseudo, t.kind == kStrip && len(t.pseudo) > 0:
			return true
		case t.kind == kScrub, t.kind == kStrip:
			scrubbed = true
		}
	}
	if scrubbed {
		for _, d := range f.detectors {
			if d.treat.kind == kPseudo {
				return true
			}
		}
	}
	return len(f.meta) > 0 || f.agg != nil && f.agg.keyField != ""
}

// rotation is the effective key rotation.
func (f *facts) rotation() string {
	return orDefault(f.c.Pseudonyms.Rotation, "daily")
}
