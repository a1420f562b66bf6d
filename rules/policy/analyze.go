package policy

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/tarn-project/tarn/rules"
)

// item is one kind of data the logs hold and how it is treated.
type item struct {
	// id names the item: a web-server field ("ip", "url"), an application
	// class ("app") or an extra ("other", "unparsed", "text").
	id string
	// cl is the class of an application item.
	cl class
	// treat is the effective treatment.
	treat treat
	// paths are the rules that decide it: "fields.remote_addr".
	paths []string
	// merged are the web-server items folded into this one.
	merged []string
	// names are the field names an application item is qualified with
	// when its class is treated in several ways, or is clOther.
	names []string
}

// facts is what a rule set does, as far as a privacy statement cares.
type facts struct {
	c               *rules.Config
	web, app, text  bool
	combined        bool     // referrer and user agent are present
	webIDs          []string // the web-server fields present, before merging
	webItems        []item
	appItems        []item
	extras          []item
	detectors       []detItem
	scans           bool // the detectors find anything at all
	scrubUnknown    bool
	meta            []metaItem
	maxAge, backups time.Duration // backups 0: not stated
	agg             *aggregateFacts
	recipients      []string
}

// analyze derives the facts of a merged rule set.
func analyze(c *rules.Config, recipients []string) *facts {
	f := &facts{c: c, scrubUnknown: c.ScrubUnknown == nil || *c.ScrubUnknown, maxAge: rules.DefaultMaxAge}
	if c.Retention.MaxAge != nil {
		f.maxAge = time.Duration(*c.Retention.MaxAge)
	}
	if c.Retention.BackupMaxAge != nil {
		f.backups = time.Duration(*c.Retention.BackupMaxAge)
	}
	f.detectors, f.scans = detectors(c)
	f.sources()
	if f.web {
		f.webItems = f.webFields()
	}
	if f.app {
		f.appItems = f.appFields()
		f.mergeAppIP()
	}
	f.extras = f.extraItems()
	f.meta = f.metadata()
	f.agg = aggregateOf(c)
	f.recipients = dedupe(recipients)
	return f
}

// sources decides which logs the rule set is for: the format says it, or
// with format auto the field rules do (none at all: both).
func (f *facts) sources() {
	switch strings.ToLower(orDefault(f.c.Format, "auto")) {
	case "combined":
		f.web, f.combined = true, true
	case "common":
		f.web = true
	case "json", "logfmt":
		f.app = true
	case "text":
		f.text = true
	default:
		for name := range f.c.Fields {
			if webFieldNames[name] {
				f.web = true
			} else {
				f.app = true
			}
		}
		f.app = f.app || len(f.c.Keys) > 0
		if !f.web && !f.app {
			f.web, f.app = true, true
		}
		f.combined = f.web
	}
}

// all returns every item in the order the statement describes them.
func (f *facts) all() []item {
	return slices.Concat(f.webItems, f.appItems, f.extras)
}

// effective turns a scrub into a keep when no detector finds anything.
func (f *facts) effective(t treat) treat {
	if t.kind == kScrub && !f.scans {
		return treat{kind: kKeep}
	}
	return t
}

// lookup finds the rule of a field by exact name, then by key (the
// engine matches keys case-insensitively).
func lookup(c *rules.Config, field string) (rules.Action, string, bool) {
	if a, ok := c.Fields[field]; ok {
		return a, "fields." + field, true
	}
	for _, k := range sortedKeys(c.Keys) {
		if strings.ToLower(k) == field {
			return c.Keys[k], "keys." + k, true
		}
	}
	return rules.Action{}, "", false
}

// appFields classifies the key rules, and the field rules that do not
// name web-server fields, by the kind of data their names suggest.
func (f *facts) appFields() []item {
	type rule struct {
		path, name string
		t          treat
	}
	var rs []rule
	for _, k := range sortedKeys(f.c.Fields) {
		if !webFieldNames[k] {
			a := f.c.Fields[k]
			rs = append(rs, rule{"fields." + k, k, f.effective(treatOf(f.c, &a))})
		}
	}
	for _, k := range sortedKeys(f.c.Keys) {
		a := f.c.Keys[k]
		rs = append(rs, rule{"keys." + k, k, f.effective(treatOf(f.c, &a))})
	}
	byClass := map[class][]item{}
	for _, r := range rs {
		cl := classify(r.name, r.t)
		if cl == clOther && r.t.kind == kKeep || r.t.kind == kScrub && f.scrubUnknown {
			continue // not personal, or scrubbed like every other text field
		}
		byClass[cl] = addToGroup(byClass[cl], cl, r.t, r.path, displayName(r.name))
	}
	var out []item
	for cl := class(0); cl < numClasses; cl++ {
		items := byClass[cl]
		for i := range items {
			if len(items) == 1 && cl != clOther {
				items[i].names = nil
			}
			out = append(out, items[i])
		}
	}
	return out
}

// addToGroup adds a rule to the item of its class and treatment.
func addToGroup(items []item, cl class, t treat, path, name string) []item {
	for i := range items {
		if items[i].treat.key() == t.key() {
			items[i].paths = append(items[i].paths, path)
			items[i].names = appendUnique(items[i].names, name)
			return items
		}
	}
	return append(items, item{id: "app", cl: cl, treat: t, paths: []string{path}, names: []string{name}})
}

// mergeAppIP folds the IP addresses of application logs into those of
// the web server when both are treated alike.
func (f *facts) mergeAppIP() {
	ip := indexOf(f.webItems, "ip")
	if ip < 0 {
		return
	}
	for i := 0; i < len(f.appItems); i++ {
		a := f.appItems[i]
		if a.cl == clIP && a.treat.key() == f.webItems[ip].treat.key() {
			f.webItems[ip].paths = append(f.webItems[ip].paths, a.paths...)
			f.appItems = slices.Delete(f.appItems, i, i+1)
			i--
		}
	}
}

// extraItems are the fields no rule names and the lines no parser
// understands.
func (f *facts) extraItems() []item {
	var out []item
	if f.web || f.app {
		t := treat{kind: kKeep}
		if f.scrubUnknown {
			t = f.effective(treat{kind: kScrub})
		}
		out = append(out, item{id: "other", treat: t, paths: []string{"scrub_unknown"}})
	}
	t := f.effective(treat{kind: kScrub})
	if f.c.OnUnparsed == "drop" {
		t = treat{kind: kDrop}
	}
	id := "unparsed"
	if f.text {
		id = "text"
	}
	return append(out, item{id: id, treat: t, paths: []string{"on_unparsed"}})
}

// displayName is a field name as the statement shows it: without a
// trailing wildcard.
func displayName(n string) string {
	return strings.TrimSuffix(n, ".*")
}

func indexOf(items []item, id string) int {
	for i, it := range items {
		if it.id == id {
			return i
		}
	}
	return -1
}

func appendUnique(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

func dedupe(list []string) []string {
	var out []string
	for _, v := range list {
		if v = strings.TrimSpace(v); v != "" {
			out = appendUnique(out, v)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
