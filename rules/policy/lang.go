package policy

import "strings"

// label names one kind of data: many is the plural a sentence starts
// with ("IP addresses are ..."), one the entry of the data-category list,
// short the name in a list of pseudonymized data (one if empty).
type label struct{ one, many, short string }

// lang holds the words and sentence patterns of one language. A pattern
// with %s gets a list of labels, all plural, so the verbs always agree.
type lang struct {
	tag, title string
	// and joins the last two list entries; andLong does when an entry
	// holds the conjunction itself. or joins field names.
	and, andLong, or string
	web              map[string]label
	class            [numClasses]string
	appIP            string // the IP addresses of application logs, apart from the web server's
	qualified        string // %s in fields named %s
	fieldsNamed      string // fields named %s
	extra            map[string]string
	det              map[string]string

	introWeb, introApp, introAppAlso, introText, purpose string
	tool, toolNamed, version                             string
	webHead, appText, appTextClasses, textLogs           string
	protectHead                                          string

	truncate, truncateAlso, bitsBoth, bitsV4, bitsV6, example string
	pseudo, pseudoDomain, redact, drop, keep, userAgent       string
	maskNone, maskSome, first1, firstN, last1, lastN          string
	charOne, charMany                                         string
	strip, stripExcept, stripPseudo, stripRedact              string
	coarsen                                                   map[string]string
	scrub                                                     string
	detTruncateSame, detTruncate, detPseudo, detRedact        string
	metadata                                                  string
	keys                                                      string
	rotation                                                  map[string]string

	retention, backups, profiling                 string
	aggHead, aggNoPersonal                        string
	aggRequests, aggRoutes, aggRoutesK            string
	aggVisitors, aggAPI, aggAPIKey, aggAPIKeyOnly string
	recipients                                    string
	recipientNames                                map[string]string

	// The record of processing activities.
	purposes                   []string
	purposeStats               string
	subjWeb, subjApp, subjText string
	dropRecords, tenant        string

	units map[string][2]string // unit → {one, %d many}
	per   map[string][2]string // unit → {per one, per %d many}
}

// langs are the supported languages.
var langs = map[string]*lang{"en": &english, "de": &german}

// join lists entries: "a, b and c"; with the long conjunction when an
// entry holds the conjunction itself ("a, b and c, and d and e").
func (l *lang) join(items []string) string {
	return joinWith(items, l.and, l.andLong)
}

// joinOr lists alternatives: "a, b or c".
func (l *lang) joinOr(items []string) string {
	return joinWith(items, l.or, l.or)
}

func joinWith(items []string, last, long string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	word := " " + strings.TrimSpace(strings.TrimLeft(last, ", ")) + " "
	for _, it := range items {
		if strings.Contains(it, word) {
			last = long
			break
		}
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}

// capitalize upper-cases the first letter of a sentence.
func capitalize(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}
