package page

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"
)

// Chart geometry: a viewBox the browser scales to the page's width.
const (
	chartW, chartH         = 720, 200
	padL, padR, padT, padB = 56, 12, 12, 28
)

// Colours of the series (also used by the legend in the page's CSS).
const (
	colRequests = "#4f6bed"
	colBots     = "#e8a23a"
	colBytes    = "#2e9e6e"
	colVisitors = "#8a55d6"
)

var classColours = [len(classes)]string{"#2e9e6e", "#4f6bed", "#e8a23a", "#d64545", "#8892a6", "#b5bccb"}

// series is one line of a time chart.
type series struct {
	name, colour string
	values       []float64
}

// timeChart draws one or more series over the same steps as filled
// areas (the first behind the others), with a y axis of nice ticks, a
// time axis, and a <title> per step that a pointer shows as a tooltip.
func timeChart(label string, times []time.Time, step time.Duration, unit func(float64) string, ss ...series) template.HTML {
	var b strings.Builder
	svgOpen(&b, label)
	top := 0.0
	for _, s := range ss {
		for _, v := range s.values {
			top = math.Max(top, v)
		}
	}
	ticks := niceTicks(top)
	top = ticks[len(ticks)-1]
	yAxis(&b, ticks, unit)
	n := len(times)
	x := func(i int) float64 {
		if n <= 1 {
			return padL + (chartW-padL-padR)/2
		}
		return padL + float64(i)*(chartW-padL-padR)/float64(n-1)
	}
	y := func(v float64) float64 { return chartH - padB - v/top*(chartH-padT-padB) }
	for _, s := range ss {
		var line strings.Builder
		for i, v := range s.values {
			cmd := 'L'
			if i == 0 {
				cmd = 'M'
			}
			fmt.Fprintf(&line, "%c%.1f %.1f ", cmd, x(i), y(v))
		}
		if n == 1 { // one step: a short flat line so it is visible
			fmt.Fprintf(&line, "M%.1f %.1f L%.1f %.1f ", x(0)-20, y(s.values[0]), x(0)+20, y(s.values[0]))
		} else if n > 1 {
			fmt.Fprintf(&b, `<path d="%sL%.1f %.1f L%.1f %.1f Z" fill="%s" fill-opacity="0.18" stroke="none"/>`,
				line.String(), x(n-1), y(0), x(0), y(0), s.colour)
		}
		fmt.Fprintf(&b, `<path class="line" d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"/>`, strings.TrimSpace(line.String()), s.colour)
	}
	timeAxis(&b, times, step, x)
	// Hover targets: one transparent column per step.
	w := (chartW - padL - padR) / math.Max(1, float64(n-1))
	for i, t := range times {
		var tip strings.Builder
		tip.WriteString(formatTime(t, step))
		for _, s := range ss {
			fmt.Fprintf(&tip, "\n%s: %s", s.name, unit(s.values[i]))
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="transparent"><title>%s</title></rect>`,
			x(i)-w/2, padT, w, chartH-padT-padB, html.EscapeString(tip.String()))
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// bar is one bar of a bar chart.
type bar struct {
	label  string
	value  float64
	colour string
}

// barChart draws vertical bars with their labels below.
func barChart(label string, unit func(float64) string, bars []bar) template.HTML {
	var b strings.Builder
	svgOpen(&b, label)
	top := 0.0
	for _, br := range bars {
		top = math.Max(top, br.value)
	}
	ticks := niceTicks(top)
	top = ticks[len(ticks)-1]
	yAxis(&b, ticks, unit)
	slot := float64(chartW-padL-padR) / math.Max(1, float64(len(bars)))
	every := 1 + len(bars)/16 // label at most ~16 bars
	for i, br := range bars {
		h := br.value / top * (chartH - padT - padB)
		x := padL + float64(i)*slot + slot*0.15
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`,
			x, chartH-padB-h, slot*0.7, h, br.colour, html.EscapeString(br.label), html.EscapeString(unit(br.value)))
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" class="tick">%s</text>`,
				x+slot*0.35, chartH-padB+16, html.EscapeString(br.label))
		}
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

// stackBar draws one horizontal bar split into parts, with a legend.
func stackBar(label string, parts []bar) template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d 64" role="img" aria-label="%s"><title>%s</title>`,
		chartW, html.EscapeString(label), html.EscapeString(label))
	total := 0.0
	for _, p := range parts {
		total += p.value
	}
	x := 0.0
	lx := 0.0
	for _, p := range parts {
		if p.value == 0 {
			continue
		}
		w := p.value / total * chartW
		pct := 100 * p.value / total
		fmt.Fprintf(&b, `<rect class="bar" x="%.1f" y="0" width="%.1f" height="28" fill="%s"><title>%s: %s (%.1f%%)</title></rect>`,
			x, w, p.colour, html.EscapeString(p.label), count(p.value), pct)
		x += w
		fmt.Fprintf(&b, `<rect x="%.1f" y="42" width="12" height="12" fill="%s"/><text x="%.1f" y="52" class="tick">%s %.1f%%</text>`,
			lx, p.colour, lx+16, html.EscapeString(p.label), pct)
		lx += 120
	}
	if total == 0 {
		b.WriteString(`<rect x="0" y="0" width="720" height="28" fill="#eef0f4"/><text x="8" y="19" class="tick">no requests</text>`)
	}
	b.WriteString("</svg>")
	return template.HTML(b.String())
}

func svgOpen(b *strings.Builder, label string) {
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s"><title>%s</title>`,
		chartW, chartH, html.EscapeString(label), html.EscapeString(label))
}

// yAxis draws horizontal grid lines at the ticks and their labels.
func yAxis(b *strings.Builder, ticks []float64, unit func(float64) string) {
	top := ticks[len(ticks)-1]
	for _, t := range ticks {
		y := chartH - padB - t/top*(chartH-padT-padB)
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/><text x="%d" y="%.1f" text-anchor="end" class="tick">%s</text>`,
			padL, chartW-padR, y, y, padL-6, y+4, html.EscapeString(unit(t)))
	}
}

// timeAxis labels about six evenly spaced steps.
func timeAxis(b *strings.Builder, times []time.Time, step time.Duration, x func(int) float64) {
	n := len(times)
	every := max(1, (n+5)/6)
	for i := 0; i < n; i += every {
		anchor := "middle"
		switch {
		case n > 1 && i == 0:
			anchor = "start"
		case x(i) > chartW-padR-30:
			anchor = "end"
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d" text-anchor="%s" class="tick">%s</text>`,
			x(i), chartH-padB+18, anchor, html.EscapeString(formatTick(times[i], step)))
	}
}

// niceTicks returns 0 and up to four more round ticks, the last ≥ top.
func niceTicks(top float64) []float64 {
	if !(top > 1e-9) || math.IsInf(top, 0) { // also NaN
		return []float64{0, 1}
	}
	raw := top / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	var step float64
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if step = m * mag; step >= raw {
			break
		}
	}
	out := []float64{0}
	for i := 1; i <= 8; i++ {
		out = append(out, float64(i)*step)
		if float64(i)*step >= top*0.999 {
			break
		}
	}
	return out
}

func formatTick(t time.Time, step time.Duration) string {
	t = t.UTC()
	switch {
	case step >= 24*time.Hour:
		return t.Format("Jan 2")
	case step >= time.Hour:
		return t.Format("Jan 2 15h")
	}
	return t.Format("15:04")
}

func formatTime(t time.Time, step time.Duration) string {
	t = t.UTC()
	if step >= 24*time.Hour {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04") + " UTC, " + shortDuration(step)
}

func shortDuration(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d >= time.Hour && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d >= time.Minute && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// count formats a count with k/M/G suffixes.
func count(v float64) string {
	switch a := math.Abs(v); {
	case a >= 1e9:
		return trim(v/1e9) + "G"
	case a >= 1e6:
		return trim(v/1e6) + "M"
	case a >= 1e4:
		return trim(v/1e3) + "k"
	}
	return trim(v)
}

// size formats bytes with binary units.
func size(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return trim(v) + " " + units[i]
}

// seconds formats a duration in seconds as ms or s.
func seconds(v float64) string {
	if v < 1 {
		return trim(v*1000) + " ms"
	}
	return trim(v) + " s"
}

// trim prints a number with at most one decimal and no trailing ".0".
func trim(v float64) string {
	if v == math.Trunc(v) || math.Abs(v) >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", v), ".0")
}
