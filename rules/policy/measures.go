package policy

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// measures are the bullets saying how each kind of data is treated, one
// per treatment: truncation first, data kept unchanged last.
func measures(f *facts, l *lang) []string {
	var out, keep []string
	groups := groupBy(f.all(), func(it item) treat { return it.treat })
	stated := truncations(groups)
	for _, g := range groups {
		s := sentence(f, l, g, stated)
		if g[0].treat.kind == kKeep {
			keep = append(keep, s)
		} else {
			out = append(out, s)
		}
	}
	if len(f.meta) > 0 {
		out = append(out, fmt.Sprintf(l.metadata, l.join(metaLabels(f, l))))
	}
	if f.pseudonyms() {
		out = append(out, l.keys+" "+l.rotation[f.rotation()])
	}
	return append(out, keep...)
}

// groupBy groups xs by treatment, ordered by kind and then by first
// appearance.
func groupBy[T any](xs []T, treatOf func(T) treat) [][]T {
	var groups [][]T
	for _, x := range xs {
		k := treatOf(x).key()
		i := slices.IndexFunc(groups, func(g []T) bool { return treatOf(g[0]).key() == k })
		if i < 0 {
			groups = append(groups, []T{x})
		} else {
			groups[i] = append(groups[i], x)
		}
	}
	slices.SortStableFunc(groups, func(a, b []T) int { return int(treatOf(a[0]).kind) - int(treatOf(b[0]).kind) })
	return groups
}

// truncations are the truncations the statement states for fields.
func truncations(groups [][]item) []treat {
	var out []treat
	for _, g := range groups {
		if g[0].treat.kind == kTruncate {
			out = append(out, g[0].treat)
		}
	}
	return out
}

// sentence describes one group of items treated alike.
func sentence(f *facts, l *lang, g []item, stated []treat) string {
	t := g[0].treat
	subj := capitalize(l.join(labels(f, l, g)))
	switch t.kind {
	case kTruncate:
		return fmt.Sprintf(l.truncate, subj, bits(l, t), example(l, t))
	case kPseudo:
		if t.keepDomain {
			return fmt.Sprintf(l.pseudoDomain, subj)
		}
		return fmt.Sprintf(l.pseudo, subj)
	case kMask:
		return mask(l, subj, t)
	case kStrip:
		return strip(l, subj, t)
	case kCoarsen:
		return fmt.Sprintf(l.coarsen[t.to], subj)
	case kScrub:
		return fmt.Sprintf(l.scrub, subj, detectorClauses(f, l, stated))
	}
	pattern := map[kind]string{kRedact: l.redact, kDrop: l.drop, kUserAgent: l.userAgent, kKeep: l.keep}[t.kind]
	return fmt.Sprintf(pattern, subj)
}

// labels names the items of a group, each once.
func labels(f *facts, l *lang, g []item) []string {
	var out []string
	for _, it := range g {
		if it.id == "user" && slices.ContainsFunc(g, func(o item) bool { return o.cl == clUser && o.id == "app" && o.names == nil }) {
			continue // "user names and IDs" says it
		}
		out = appendUnique(out, itemLabel(f, l, it))
	}
	return out
}

// itemLabel is the plural name of one item.
func itemLabel(f *facts, l *lang, it item) string {
	switch {
	case isWeb(it.id):
		return l.web[it.id].many
	case it.id == "other" && !f.scrubUnknown:
		return l.extra["otherKeep"]
	case it.id != "app":
		return l.extra[it.id]
	case it.cl == clOther:
		return fmt.Sprintf(l.fieldsNamed, l.joinOr(it.names))
	}
	name := l.class[it.cl]
	if it.cl == clIP && f.web {
		name = l.appIP
	}
	if it.names != nil {
		name = fmt.Sprintf(l.qualified, name, l.joinOr(it.names))
	}
	return name
}

// bits names the prefixes a truncation keeps.
func bits(l *lang, t treat) string {
	switch {
	case t.v4 >= 0 && t.v6 >= 0:
		return fmt.Sprintf(l.bitsBoth, t.v4, t.v6)
	case t.v4 >= 0:
		return fmt.Sprintf(l.bitsV4, t.v4)
	}
	return fmt.Sprintf(l.bitsV6, t.v6)
}

// example shows what a truncation makes of a documentation address.
func example(l *lang, t treat) string {
	if t.v4 < 0 || t.v4 >= 32 {
		return ""
	}
	a := netip.MustParseAddr("203.0.113.77")
	p, _ := a.Prefix(t.v4)
	return fmt.Sprintf(l.example, a, p.Addr())
}

// mask describes a mask action: what stays visible.
func mask(l *lang, subj string, t treat) string {
	var parts []string
	last := 0
	if t.first > 0 {
		parts = append(parts, nth(l.first1, l.firstN, t.first))
		last = t.first
	}
	if t.last > 0 {
		parts = append(parts, nth(l.last1, l.lastN, t.last))
		last = t.last
	}
	if len(parts) == 0 {
		return fmt.Sprintf(l.maskNone, subj)
	}
	noun := l.charMany
	if last == 1 {
		noun = l.charOne
	}
	return fmt.Sprintf(l.maskSome, subj, strings.Join(parts, l.and)+" "+noun)
}

func nth(one, many string, n int) string {
	if n == 1 {
		return one
	}
	return fmt.Sprintf(many, n)
}

// strip describes a strip_query action: which parameters stay and what
// happens to their values.
func strip(l *lang, subj string, t treat) string {
	kept := slices.Concat(t.allow, t.pseudo, t.redact)
	slices.Sort(kept)
	kept = slices.Compact(kept)
	s := fmt.Sprintf(l.strip, subj)
	if len(kept) > 0 {
		s = fmt.Sprintf(l.stripExcept, subj, l.join(kept))
	}
	if len(t.pseudo) > 0 {
		s += " " + fmt.Sprintf(l.stripPseudo, l.join(t.pseudo))
	}
	if len(t.redact) > 0 {
		s += " " + fmt.Sprintf(l.stripRedact, l.join(t.redact))
	}
	return s
}

// detectorClauses say what happens to what the detectors find in
// scrubbed text.
func detectorClauses(f *facts, l *lang, stated []treat) string {
	var out []string
	for _, g := range groupBy(f.detectors, func(d detItem) treat { return d.treat }) {
		var names []string
		for _, d := range g {
			names = appendUnique(names, l.det[d.id])
		}
		subj := l.join(names)
		switch t := g[0].treat; t.kind {
		case kTruncate:
			if slices.ContainsFunc(stated, func(s treat) bool { return covers(s, t) }) {
				out = append(out, fmt.Sprintf(l.detTruncateSame, subj))
			} else {
				out = append(out, fmt.Sprintf(l.detTruncate, subj, fmt.Sprintf(l.truncateAlso, bits(l, t))))
			}
		case kPseudo:
			out = append(out, fmt.Sprintf(l.detPseudo, subj))
		default:
			out = append(out, fmt.Sprintf(l.detRedact, subj))
		}
	}
	return strings.Join(out, "; ")
}

// covers reports whether the stated truncation s keeps the same prefixes
// as the detector truncation t, for the families t applies to.
func covers(s, t treat) bool {
	return (t.v4 < 0 || t.v4 == s.v4) && (t.v6 < 0 || t.v6 == s.v6)
}

// metaLabels names the fields whose pseudonyms travel with each entry.
func metaLabels(f *facts, l *lang) []string {
	var out []string
	for _, m := range f.meta {
		var s string
		switch {
		case m.web != "":
			s = l.web[m.web].short
			if s == "" {
				s = l.web[m.web].one
			}
		case m.cl != clOther:
			s = l.class[m.cl]
		default:
			s = m.field
		}
		out = appendUnique(out, s)
	}
	return out
}
