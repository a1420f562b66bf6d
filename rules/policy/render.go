package policy

import (
	"bytes"
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"
)

// width is the line length of the text format.
const width = 72

// markdown writes d as Markdown: a heading, paragraphs and bullet lists.
// Every character Markdown would read as markup is escaped, so text taken
// from the rules (names, field names) stays text.
func markdown(d *doc) []byte {
	var b bytes.Buffer
	b.WriteString("## " + mdEscape(d.title) + "\n")
	for _, bl := range d.blocks {
		b.WriteString("\n" + mdEscape(bl.text) + "\n")
		if len(bl.items) > 0 {
			b.WriteString("\n")
		}
		for _, it := range bl.items {
			b.WriteString("- " + mdEscape(it) + "\n")
		}
	}
	return b.Bytes()
}

// mdEscape backslash-escapes Markdown's punctuation and flattens line
// breaks.
func mdEscape(s string) string {
	var b strings.Builder
	for _, r := range clean(s) {
		if strings.ContainsRune("\\`*_[]<>&#|~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// clean replaces control characters (line breaks in a rule set's name)
// with spaces.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// htmlTemplate is the HTML form; html/template escapes every value.
var htmlTemplate = template.Must(template.New("policy").Parse(`<section class="tarn-policy" lang="{{.Lang}}">
<h2>{{.Title}}</h2>
{{- range .Blocks}}
<p>{{.Text}}</p>
{{- if .Items}}
<ul>
{{- range .Items}}
<li>{{.}}</li>
{{- end}}
</ul>
{{- end}}
{{- end}}
</section>
`))

// htmlView is a doc with exported fields for the template.
type htmlView struct {
	Lang, Title string
	Blocks      []htmlBlock
}

type htmlBlock struct {
	Text  string
	Items []string
}

// htmlDoc writes d as an HTML fragment: a section with a heading,
// paragraphs and lists.
func htmlDoc(d *doc) ([]byte, error) {
	v := htmlView{Lang: d.lang, Title: clean(d.title)}
	for _, bl := range d.blocks {
		hb := htmlBlock{Text: clean(bl.text)}
		for _, it := range bl.items {
			hb.Items = append(hb.Items, clean(it))
		}
		v.Blocks = append(v.Blocks, hb)
	}
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// plainText writes d as plain text wrapped at 72 columns: the title
// underlined, paragraphs, and bullets with a hanging indent.
func plainText(d *doc) []byte {
	var b bytes.Buffer
	title := clean(d.title)
	b.WriteString(title + "\n" + strings.Repeat("=", utf8.RuneCountInString(title)) + "\n")
	for _, bl := range d.blocks {
		b.WriteString("\n" + wrap(clean(bl.text), "", ""))
		if len(bl.items) > 0 {
			b.WriteString("\n")
		}
		for _, it := range bl.items {
			b.WriteString(wrap(clean(it), "- ", "  "))
		}
	}
	return b.Bytes()
}

// wrap breaks s at spaces (not at no-break spaces) into lines of at most
// width runes (longer words stay whole); the first line starts with
// first, the others with indent.
func wrap(s, first, indent string) string {
	var b strings.Builder
	line, n := first, utf8.RuneCountInString(first)
	empty := true
	for _, w := range strings.Split(s, " ") {
		if w == "" {
			continue
		}
		wn := utf8.RuneCountInString(w)
		if !empty && n+1+wn > width {
			b.WriteString(line + "\n")
			line, n, empty = indent, utf8.RuneCountInString(indent), true
		}
		if !empty {
			line, n = line+" ", n+1
		}
		line, n, empty = line+w, n+wn, false
	}
	b.WriteString(line + "\n")
	return b.String()
}
