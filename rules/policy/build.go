package policy

import (
	"fmt"
	"strings"
)

// doc is a statement before it is written in a format: a title and
// blocks, each a paragraph optionally followed by a bullet list. All text
// is plain; the writers escape it.
type doc struct {
	lang, title string
	blocks      []block
}

// block is a paragraph and the bullet list after it.
type block struct {
	text  string
	items []string
}

func (d *doc) add(text string, items ...string) {
	d.blocks = append(d.blocks, block{text: text, items: items})
}

// build writes the statement of f in language l.
func build(f *facts, l *lang) *doc {
	d := &doc{lang: l.tag, title: l.title}
	d.add(intro(f, l))
	if f.web {
		d.add(l.webHead, webList(f, l)...)
	}
	if f.app {
		d.add(appText(f, l))
	}
	if f.text {
		d.add(l.textLogs)
	}
	d.add(l.protectHead, measures(f, l)...)
	d.add(retention(f, l))
	if f.agg != nil {
		aggregates(d, f, l)
	}
	if len(f.recipients) > 0 {
		d.add(fmt.Sprintf(l.recipients, l.join(recipientNames(f.recipients, l))))
	}
	return d
}

// intro says who logs what, why, and that tarn anonymizes it.
func intro(f *facts, l *lang) string {
	var s []string
	switch {
	case f.web && f.app:
		s = append(s, l.introWeb, l.introAppAlso)
	case f.web:
		s = append(s, l.introWeb)
	case f.app:
		s = append(s, l.introApp)
	default:
		s = append(s, l.introText)
	}
	s = append(s, l.purpose)
	if name := f.c.Name; name != "" {
		v := ""
		if f.c.Version != "" {
			v = fmt.Sprintf(l.version, f.c.Version)
		}
		s = append(s, fmt.Sprintf(l.toolNamed, name, v))
	} else {
		s = append(s, l.tool)
	}
	return strings.Join(s, " ")
}

// webList lists the web-server data categories.
func webList(f *facts, l *lang) []string {
	var out []string
	for _, id := range f.webIDs {
		if !webDefOf(id).hidden {
			out = append(out, l.web[id].one)
		}
	}
	return out
}

// appText describes the application logs by the classes their rules name.
func appText(f *facts, l *lang) string {
	var seen [numClasses]bool
	for _, it := range f.appItems {
		seen[it.cl] = true
	}
	for _, it := range f.webItems {
		if it.id == "ip" && len(it.paths) > 1 && hasAppPath(it.paths) {
			seen[clIP] = true
		}
	}
	var names []string
	for cl := class(0); cl < clOther; cl++ {
		if seen[cl] {
			names = append(names, l.class[cl])
		}
	}
	if len(names) == 0 {
		return l.appText
	}
	return fmt.Sprintf(l.appTextClasses, l.join(names))
}

// hasAppPath reports whether paths name a key or a non-web field.
func hasAppPath(paths []string) bool {
	for _, p := range paths {
		if strings.HasPrefix(p, "keys.") || strings.HasPrefix(p, "fields.") && !webFieldNames[strings.TrimPrefix(p, "fields.")] {
			return true
		}
	}
	return false
}

// retention states how long entries and backups are kept, and that they
// are not used for profiling.
func retention(f *facts, l *lang) string {
	s := fmt.Sprintf(l.retention, l.duration(f.maxAge))
	if f.backups > 0 {
		s += " " + fmt.Sprintf(l.backups, l.duration(f.backups))
	}
	return s + " " + l.profiling
}

// aggregates adds the paragraph on the statistics kept longer.
func aggregates(d *doc, f *facts, l *lang) {
	a := f.agg
	per := l.perWindow(a.window)
	var items []string
	if f.web || !a.api {
		items = append(items, fmt.Sprintf(l.aggRequests, per))
		if a.k > 1 {
			items = append(items, fmt.Sprintf(l.aggRoutesK, a.top, per, a.k, a.k))
		} else {
			items = append(items, fmt.Sprintf(l.aggRoutes, a.top, per))
		}
		if a.visitors {
			items = append(items, l.aggVisitors)
		}
	}
	if a.api {
		items = append(items, fmt.Sprintf(l.aggAPI, per, apiGroups(a, l)))
	}
	d.add(l.aggHead, items...)
	if a.keyField == "" {
		d.add(l.aggNoPersonal)
	}
}

// apiGroups names what application statistics are grouped by.
func apiGroups(a *aggregateFacts, l *lang) string {
	groups := l.join(a.groupBy)
	switch {
	case a.keyField == "":
		return groups
	case groups == "":
		return fmt.Sprintf(l.aggAPIKeyOnly, a.keyField)
	}
	return fmt.Sprintf(l.aggAPIKey, groups, a.keyField)
}

// recipientNames describes sink types; unknown types are shown as given.
func recipientNames(types []string, l *lang) []string {
	out := make([]string, 0, len(types))
	for _, t := range types {
		if n, ok := l.recipientNames[strings.ToLower(t)]; ok {
			t = n
		}
		out = appendUnique(out, t)
	}
	return out
}
