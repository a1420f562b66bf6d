package policy

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/strictyaml"
)

// record is the record of the processing activity. Fields are declared
// in alphabetical order and free-form parameters are maps, so the JSON
// keys come out sorted.
type record struct {
	Activity       string       `json:"activity"`
	DataCategories []category   `json:"data_categories"`
	DataSubjects   []string     `json:"data_subjects"`
	Measures       []measure    `json:"measures"`
	Profiling      bool         `json:"profiling"`
	Purposes       []string     `json:"purposes"`
	Recipients     []recipient  `json:"recipients"`
	Retention      retentionRec `json:"retention"`
	RuleSet        ruleSet      `json:"rule_set"`
}

// category is one kind of data processed.
type category struct {
	Category    string   `json:"category"`
	Description string   `json:"description"`
	Rules       []string `json:"rules"`
	Source      string   `json:"source"`
	Treatment   string   `json:"treatment"`
}

// recipient is a sink type the entries go to.
type recipient struct {
	Description string `json:"description"`
	Type        string `json:"type"`
}

// measure is one technical measure with its parameters.
type measure struct {
	AppliesTo   []string       `json:"applies_to,omitempty"`
	Description string         `json:"description"`
	Measure     string         `json:"measure"`
	Parameters  map[string]any `json:"parameters,omitempty"`
}

type retentionRec struct {
	AggregatesKeptLonger bool   `json:"aggregates_kept_longer"`
	BackupMaxAge         string `json:"backup_max_age,omitempty"`
	MaxAge               string `json:"max_age"`
	MaxAgeSeconds        int64  `json:"max_age_seconds"`
}

type ruleSet struct {
	Description string `json:"description"`
	Name        string `json:"name"`
	Version     string `json:"version"`
}

// Record writes the record of the processing activity of the merged
// rules c as indented JSON with sorted keys, in English and without
// recipients; see RecordWith.
func Record(c *rules.Config) ([]byte, error) {
	return RecordWith(c, Options{})
}

// RecordWith is Record with the recipients and the language of the
// descriptions taken from o (o.Format is not used).
func RecordWith(c *rules.Config, o Options) ([]byte, error) {
	l, err := langOf(o.Lang)
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, fmt.Errorf("policy: no rules")
	}
	f := analyze(c, o.Recipients)
	r := record{
		Activity:       l.title,
		DataCategories: categories(f, l),
		DataSubjects:   subjects(f, l),
		Measures:       recordMeasures(f, l),
		Purposes:       slices.Clone(l.purposes),
		Recipients:     recipients(f, l),
		Retention: retentionRec{AggregatesKeptLonger: f.agg != nil, MaxAge: strictyaml.Duration(f.maxAge).String(),
			MaxAgeSeconds: int64(f.maxAge / time.Second)},
		RuleSet: ruleSet{Description: c.Description, Name: c.Name, Version: c.Version},
	}
	if f.backups > 0 {
		r.Retention.BackupMaxAge = strictyaml.Duration(f.backups).String()
	}
	if f.agg != nil {
		r.Purposes = append(r.Purposes, l.purposeStats)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// recipients describes the sink types.
func recipients(f *facts, l *lang) []recipient {
	out := []recipient{}
	for _, t := range f.recipients {
		out = append(out, recipient{Description: recipientNames([]string{t}, l)[0], Type: t})
	}
	return out
}

// categories lists the data categories with their treatment.
func categories(f *facts, l *lang) []category {
	var out []category
	for _, it := range f.all() {
		c := category{Rules: sortedCopy(it.paths), Treatment: it.treat.kind.String()}
		switch {
		case isWeb(it.id):
			c.Source, c.Category, c.Description = "web_server_logs", webDefOf(it.id).record, webDescription(l, it)
		case it.id == "app":
			c.Source, c.Category, c.Description = "application_logs", classIDs[it.cl], itemLabel(f, l, it)
		default:
			c.Source, c.Category, c.Description = "all_logs", extraIDs[it.id], itemLabel(f, l, it)
		}
		out = append(out, c)
	}
	return out
}

// extraIDs name the extra items in the record.
var extraIDs = map[string]string{"other": "other_fields", "unparsed": "unrecognized_lines", "text": "log_lines"}

// webDescription names a web-server item and those folded into it.
func webDescription(l *lang, it item) string {
	names := []string{l.web[it.id].one}
	for _, id := range it.merged {
		names = append(names, l.web[id].one)
	}
	return l.join(names)
}

// subjects names the people whose data the logs hold.
func subjects(f *facts, l *lang) []string {
	var out []string
	if f.web {
		out = append(out, l.subjWeb)
	}
	if f.app {
		out = append(out, l.subjApp)
	}
	if len(out) == 0 {
		out = append(out, l.subjText)
	}
	return out
}

// recordMeasures lists every measure with its parameters: one per
// treatment of fields, then pseudonym keys, metadata, drop rules,
// tenants, retention and aggregates.
func recordMeasures(f *facts, l *lang) []measure {
	var out []measure
	groups := groupBy(f.all(), func(it item) treat { return it.treat })
	stated := truncations(groups)
	for _, g := range groups {
		t := g[0].treat
		if t.kind == kKeep {
			continue
		}
		var paths []string
		for _, it := range g {
			paths = append(paths, it.paths...)
		}
		m := measure{Measure: t.kind.String(), Description: sentence(f, l, g, stated), AppliesTo: sortedCopy(paths), Parameters: params(t)}
		if t.kind == kScrub {
			m.Parameters = scrubParams(f)
		}
		out = append(out, m)
	}
	return append(out, extraMeasures(f, l)...)
}

// extraMeasures are the measures that are not field actions.
func extraMeasures(f *facts, l *lang) []measure {
	var out []measure
	if f.pseudonyms() {
		out = append(out, measure{Measure: "pseudonym_keys", Description: l.keys + " " + l.rotation[f.rotation()],
			Parameters: map[string]any{"algorithm": "HMAC-SHA256", "rotation": f.rotation(), "length": pseudoLength(f.c)}})
	}
	if len(f.meta) > 0 {
		m := map[string]any{}
		for _, it := range f.meta {
			m[it.name] = it.field
		}
		out = append(out, measure{Measure: "metadata_pseudonyms", Description: fmt.Sprintf(l.metadata, l.join(metaLabels(f, l))),
			Parameters: map[string]any{"metadata": m}})
	}
	if n := len(f.c.DropRecords); n > 0 {
		out = append(out, measure{Measure: "drop_records", Description: fmt.Sprintf(l.dropRecords, n), Parameters: map[string]any{"rules": n}})
	}
	if t := f.c.Tenant; t != nil {
		out = append(out, measure{Measure: "tenant_separation", Description: fmt.Sprintf(l.tenant, t.Field), Parameters: map[string]any{"field": t.Field}})
	}
	ret := map[string]any{"max_age": strictyaml.Duration(f.maxAge).String()}
	if f.backups > 0 {
		ret["backup_max_age"] = strictyaml.Duration(f.backups).String()
	}
	out = append(out, measure{Measure: "retention", Description: strings.TrimSuffix(retention(f, l), " "+l.profiling), Parameters: ret})
	if a := f.agg; a != nil {
		out = append(out, measure{Measure: "aggregate", Description: aggregateText(f, l), Parameters: aggregateParams(a)})
	}
	return out
}

// params are the effective parameters of a treatment.
func params(t treat) map[string]any {
	p := map[string]any{}
	switch t.kind {
	case kTruncate:
		if t.v4 >= 0 {
			p["ipv4_prefix"] = t.v4
		}
		if t.v6 >= 0 {
			p["ipv6_prefix"] = t.v6
		}
	case kPseudo:
		if t.keepDomain {
			p["keep_domain"] = true
		}
	case kMask:
		p["keep_first"], p["keep_last"] = t.first, t.last
	case kStrip:
		p["allow"], p["pseudonymize"], p["redact"] = nonNil(t.allow), nonNil(t.pseudo), nonNil(t.redact)
	case kCoarsen:
		p["to"] = t.to
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// scrubParams describe the detectors: each one's action and parameters.
func scrubParams(f *facts) map[string]any {
	dets := map[string]any{}
	for _, d := range f.detectors {
		for _, path := range d.paths {
			p := map[string]any{"action": d.treat.kind.String()}
			for k, v := range params(d.treat) {
				p[k] = v
			}
			name := strings.TrimPrefix(path, "detect.")
			switch name {
			case "ipv4":
				delete(p, "ipv6_prefix")
			case "ipv6":
				delete(p, "ipv4_prefix")
			}
			dets[name] = p
		}
	}
	return map[string]any{"detectors": dets, "scrub_unknown": f.scrubUnknown}
}

func aggregateParams(a *aggregateFacts) map[string]any {
	p := map[string]any{"window": strictyaml.Duration(a.window).String(), "top_routes": a.top,
		"k_anonymity": a.k, "visitors": a.visitors}
	if a.api {
		p["api_group_by"], p["api_key_field"] = nonNil(a.groupBy), a.keyField
	}
	return p
}

// aggregateText is the statement's paragraph on aggregates as one text.
func aggregateText(f *facts, l *lang) string {
	var d doc
	aggregates(&d, f, l)
	var parts []string
	for _, b := range d.blocks {
		if len(b.items) > 0 {
			parts = append(parts, b.text+" "+strings.Join(b.items, "; ")+".")
		} else {
			parts = append(parts, b.text)
		}
	}
	return strings.Join(parts, " ")
}

// pseudoLength is the default pseudonym length in hex characters.
func pseudoLength(c *rules.Config) int {
	if c.Pseudonyms.Length > 0 {
		return c.Pseudonyms.Length
	}
	return rules.DefaultPseudoLen
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
