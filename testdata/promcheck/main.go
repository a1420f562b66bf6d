// Command promcheck validates tarn's Prometheus alert rules and Grafana
// dashboards: the rule files are loaded with Prometheus' own rule parser
// (rulefmt, which parses every expression), every PromQL expression of a
// dashboard is parsed with the PromQL parser, and every metric name any
// of them selects must be one a running agent exports (its /metrics
// scrape, in the text format, is the -metrics file). It is separate from
// tarn's module so that tarn does not depend on Prometheus' server code;
// the test TestPrometheusGrafana in cmd/tarn runs it.
//
//	promcheck -metrics scrape.txt -rules a.yml,b.yml -dashboards x.json,y.json
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	metrics := flag.String("metrics", "", "a scrape of the agent's /metrics (text format)")
	ruleFiles := flag.String("rules", "", "comma-separated Prometheus rule files")
	dashboards := flag.String("dashboards", "", "comma-separated Grafana dashboard JSON files")
	flag.Parse()
	names, err := exported(*metrics)
	if err != nil {
		fail(err)
	}
	var errs []error
	used := map[string]bool{}
	for _, p := range split(*ruleFiles) {
		errs = append(errs, checkRules(p, names, used)...)
	}
	for _, p := range split(*dashboards) {
		errs = append(errs, checkDashboard(p, names, used)...)
	}
	if err := errors.Join(errs...); err != nil {
		fail(err)
	}
	list := make([]string, 0, len(used))
	for n := range used {
		list = append(list, n)
	}
	sort.Strings(list)
	fmt.Printf("ok: %d metric names used, all exported: %s\n", len(list), strings.Join(list, " "))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func split(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// synthetic are the series Prometheus itself adds to every scrape.
var synthetic = []string{"up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"}

// exported returns the series names of a scrape: a histogram or summary
// family X also names X_bucket, X_sum and X_count.
func exported(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	names := map[string]bool{}
	for _, n := range synthetic {
		names[n] = true
	}
	for name, fam := range fams {
		if len(fam.GetMetric()) == 0 {
			continue
		}
		names[name] = true
		for _, s := range []string{"_bucket", "_sum", "_count"} {
			names[name+s] = true
		}
	}
	return names, nil
}

// checkRules loads a rule file with Prometheus' parser and checks the
// metric names of its expressions and that each alert says what to do.
func checkRules(path string, names, used map[string]bool) []error {
	groups, errs := rulefmt.ParseFile(path, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		return errs
	}
	var out []error
	n := 0
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			n++
			where := fmt.Sprintf("%s: group %s: rule %s%s", path, g.Name, r.Alert, r.Record)
			if r.Alert != "" && (r.Annotations["summary"] == "" || r.Labels["severity"] == "") {
				out = append(out, fmt.Errorf("%s: an alert needs a severity label and a summary annotation", where))
			}
			out = append(out, checkExpr(where, r.Expr, names, used)...)
		}
	}
	if n == 0 {
		out = append(out, fmt.Errorf("%s: no rules", path))
	}
	return out
}

// grafanaVar matches Grafana's template variables ($x, ${x}, ${x:fmt},
// [[x]]).
var grafanaVar = regexp.MustCompile(`\$\{[^}]+\}|\$__[a-z_]+|\$[A-Za-z_][A-Za-z0-9_]*|\[\[[^\]]+\]\]`)

// substitute replaces template variables by values that parse: range
// variables by a duration, the others by a label value.
func substitute(expr string) string {
	return grafanaVar.ReplaceAllStringFunc(expr, func(v string) string {
		if strings.Contains(v, "interval") || strings.Contains(v, "range") {
			return "5m"
		}
		return "x"
	})
}

// labelValues matches a Grafana variable query label_values(expr, label).
var labelValues = regexp.MustCompile(`^label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\)$`)

// checkDashboard decodes a dashboard and checks every query of its
// panels (rows' panels too) and template variables.
func checkDashboard(path string, names, used map[string]bool) []error {
	data, err := os.ReadFile(path)
	if err != nil {
		return []error{err}
	}
	var d struct {
		UID           string  `json:"uid"`
		Title         string  `json:"title"`
		SchemaVersion int     `json:"schemaVersion"`
		Panels        []panel `json:"panels"`
		Templating    struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&d); err != nil {
		return []error{fmt.Errorf("%s: %w", path, err)}
	}
	var out []error
	if d.UID == "" || d.Title == "" || d.SchemaVersion == 0 {
		out = append(out, fmt.Errorf("%s: uid, title and schemaVersion are required", path))
	}
	exprs := 0
	var walk func([]panel)
	walk = func(ps []panel) {
		for _, p := range ps {
			if p.Type != "row" && p.Type != "text" && len(p.Targets) == 0 {
				out = append(out, fmt.Errorf("%s: panel %q has no queries", path, p.Title))
			}
			for i, t := range p.Targets {
				if t.Expr == "" {
					out = append(out, fmt.Errorf("%s: panel %q: target %d has no expr", path, p.Title, i))
					continue
				}
				exprs++
				out = append(out, checkExpr(fmt.Sprintf("%s: panel %q", path, p.Title), substitute(t.Expr), names, used)...)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(string)
		if m, ok := v.Query.(map[string]any); ok {
			q, _ = m["query"].(string)
		}
		if sub := labelValues.FindStringSubmatch(strings.TrimSpace(q)); sub != nil {
			out = append(out, checkExpr(fmt.Sprintf("%s: variable %s", path, v.Name), substitute(sub[1]), names, used)...)
		} else {
			out = append(out, fmt.Errorf("%s: variable %s: query %q is not label_values(expr, label)", path, v.Name, q))
		}
	}
	if exprs == 0 {
		out = append(out, fmt.Errorf("%s: no queries", path))
	}
	return out
}

type panel struct {
	Title   string  `json:"title"`
	Type    string  `json:"type"`
	Panels  []panel `json:"panels"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
}

// checkExpr parses a PromQL expression and checks that every metric it
// selects is exported.
func checkExpr(where, expr string, names, used map[string]bool) []error {
	e, err := parser.NewParser(parser.Options{}).ParseExpr(expr)
	if err != nil {
		return []error{fmt.Errorf("%s: %q: %w", where, expr, err)}
	}
	var out []error
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		if name == "" {
			out = append(out, fmt.Errorf("%s: %q: a selector without a metric name", where, expr))
			return nil
		}
		used[name] = true
		if !names[name] {
			out = append(out, fmt.Errorf("%s: %q: metric %s is not exported by the agent", where, expr, name))
		}
		return nil
	})
	return out
}
