// Package page renders tarn's privacy-safe aggregates as one
// self-contained HTML page, in the spirit of Plausible and GoAccess:
// requests, visitors and bytes over time per virtual host, status
// classes, bots' share, duration percentiles and the top routes.
//
// The page is made only of an aggregate.Report — counts, sums, duration
// histograms, route templates that were k-anonymous in their window and
// distinct-visitor estimates — so nothing in it is personal data by
// construction; the visitor sketches themselves are not written. Charts
// are SVG drawn here, styles are inline, there is no JavaScript and no
// external asset (a Content-Security-Policy of default-src 'none' says
// so to the browser), and every text from the report is escaped by
// html/template.
package page

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/tarn-project/tarn/rules/aggregate"
)

// CSP is the Content-Security-Policy of the page: nothing may be loaded,
// only the page's own inline styles apply. A server of the page sends it
// as a header too.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Options are the page's texts and limits.
type Options struct {
	// Title heads the page (default "tarn aggregates").
	Title string
	// Source says where the aggregates come from (a file, an agent).
	Source string
	// Generated is when the page was made (default: the clock).
	Generated time.Time
	// TopRoutes is how many routes a host's table lists (default 20).
	TopRoutes int
	// MaxHosts is how many virtual hosts get their own section (default
	// 25); the others are listed in the overview table.
	MaxHosts int
	// Note is an extra line under the title (e.g. what the agent keeps).
	Note string
}

//go:embed page.html
var pageHTML string

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"count": func(v uint64) string { return count(float64(v)) },
	"size":  func(v uint64) string { return size(float64(v)) },
	"pct":   func(v float64) string { return fmt.Sprintf("%.1f%%", v) },
	"width": func(v float64) template.CSS { return template.CSS(fmt.Sprintf("width:%.1f%%", v)) },
}).Parse(pageHTML))

// view is what the template shows.
type view struct {
	Title, Source, Note string
	Generated, From, To string
	Step                string
	Empty               bool
	All                 siteView
	Hosts               []siteView
	Rows                []row
	Hidden              int
	CSP                 string
}

// siteView is one section: a virtual host or all of them.
type siteView struct {
	Name, ID                        string
	Requests, Bytes, Bots, Visitors uint64
	BotShare, ErrorShare            float64
	VisitorsLabel                   string
	P50, P95, P99                   string
	RequestsChart, BytesChart       template.HTML
	VisitorsChart, StatusChart      template.HTML
	DurationChart                   template.HTML
	Routes                          []routeRow
	Other                           routeRow
	HasDuration, HasVisitors        bool
}

type routeRow struct {
	Route           string
	Requests, Bytes uint64
	Share           float64
	Visitors        string
}

// row is one line of the overview table.
type row struct {
	Name, ID                  string
	Requests, Bytes, Visitors uint64
	BotShare, ErrorShare      float64
	Linked                    bool
}

// Render writes the page of r to w.
func Render(w io.Writer, r *aggregate.Report, o Options) error {
	if o.Title == "" {
		o.Title = "tarn aggregates"
	}
	if o.Generated.IsZero() {
		o.Generated = time.Now()
	}
	if o.TopRoutes <= 0 {
		o.TopRoutes = aggregate.DefaultTopRoutes
	}
	if o.MaxHosts <= 0 {
		o.MaxHosts = 25
	}
	v := view{Title: o.Title, Source: o.Source, Note: o.Note, CSP: CSP,
		Generated: o.Generated.UTC().Format("2006-01-02 15:04 UTC"), Empty: len(r.Windows) == 0}
	sp := reportSpan(r)
	if !v.Empty {
		v.From, v.To, v.Step = sp.from.UTC().Format("2006-01-02 15:04"), sp.to.UTC().Format("2006-01-02 15:04 UTC"), shortDuration(sp.step)
	}
	all, hosts := buildSites(r, sp, o.TopRoutes)
	v.All = section(all, sp, "all")
	for i, h := range hosts {
		linked := i < o.MaxHosts
		if linked {
			v.Hosts = append(v.Hosts, section(h, sp, anchor("host-", h.name)))
		}
		v.Rows = append(v.Rows, row{Name: h.name, ID: anchor("host-", h.name), Requests: h.requests, Bytes: h.bytes,
			Visitors: maxVisitors(h), BotShare: share(h.bots, h.requests), ErrorShare: share(h.classes[3], h.requests), Linked: linked})
	}
	v.Hidden = max(0, len(hosts)-o.MaxHosts)
	return tmpl.Execute(w, &v)
}

// maxVisitors is the largest daily distinct-visitor estimate of s.
func maxVisitors(s *site) uint64 {
	var n uint64
	for _, v := range s.visitors {
		n = max(n, v.Estimate)
	}
	return n
}

// section builds the charts and tables of one site.
func section(s *site, sp span, id string) siteView {
	v := siteView{Name: s.name, ID: id, Requests: s.requests, Bytes: s.bytes, Bots: s.bots,
		BotShare: share(s.bots, s.requests), ErrorShare: share(s.classes[3], s.requests)}
	times := make([]time.Time, len(s.series))
	req, bots, byt := make([]float64, len(s.series)), make([]float64, len(s.series)), make([]float64, len(s.series))
	for i, p := range s.series {
		times[i], req[i], bots[i], byt[i] = p.start, float64(p.requests), float64(p.bots), float64(p.bytes)
	}
	per := " per " + shortDuration(sp.step)
	v.RequestsChart = timeChart("Requests"+per+" of "+s.name, times, sp.step, count,
		series{"requests", colRequests, req}, series{"of them bots", colBots, bots})
	v.BytesChart = timeChart("Response bytes"+per+" of "+s.name, times, sp.step, size, series{"bytes", colBytes, byt})
	var parts []bar
	for i, c := range classes {
		parts = append(parts, bar{c, float64(s.classes[i]), classColours[i]})
	}
	v.StatusChart = stackBar("Status classes of "+s.name, parts)
	if len(s.visitors) > 0 {
		v.HasVisitors = true
		var bars []bar
		for _, d := range s.visitors {
			bars = append(bars, bar{d.Day, float64(d.Estimate), colVisitors})
			v.Visitors = max(v.Visitors, d.Estimate)
		}
		v.VisitorsLabel = "busiest day"
		if len(s.visitors) == 1 {
			v.VisitorsLabel = s.visitors[0].Day
		}
		v.VisitorsChart = barChart("Distinct visitors per UTC day of "+s.name, count, bars)
	}
	if s.dur.Count > 0 {
		v.HasDuration = true
		v.P50, v.P95, v.P99 = pctl(&s.dur, 0.5), pctl(&s.dur, 0.95), pctl(&s.dur, 0.99)
		var bars []bar
		for i, n := range s.dur.Buckets {
			var label string
			if i < len(aggregate.Bounds) {
				label = "≤" + seconds(aggregate.Bounds[i])
			} else {
				label = ">" + seconds(aggregate.Bounds[i-1])
			}
			bars = append(bars, bar{label, float64(n), colRequests})
		}
		v.DurationChart = barChart("Request durations of "+s.name, count, bars)
	}
	for _, r := range s.routes {
		v.Routes = append(v.Routes, routeRow{Route: r.Route, Requests: r.Requests, Bytes: r.Bytes,
			Share: share(r.Requests, s.requests), Visitors: visitorsAtLeast(r.Visitors)})
	}
	v.Other = routeRow{Route: "other routes", Requests: s.other.Requests, Bytes: s.other.Bytes, Share: share(s.other.Requests, s.requests)}
	return v
}

// visitorsAtLeast shows a route's visitor count, which is capped at k.
func visitorsAtLeast(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("≥ %d", n)
}

func pctl(h *aggregate.Histogram, q float64) string {
	v, above, _ := quantile(h, q)
	if above {
		return "> " + seconds(v)
	}
	return seconds(round1(v*1000) / 1000)
}
