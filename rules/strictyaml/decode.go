// Package strictyaml decodes YAML configuration strictly and reports every
// problem at once, each with file, line and field path:
//
//	rules.yaml:14: fields.remote_addr.truncate_ip.ipv4_prefix: must be 0..32, got 40
//
// Unknown keys, duplicate keys and values of the wrong type are errors.
// Validation code reports problems as *FieldError values with a path; the
// Positions returned by Decode turn those into file:line messages.
package strictyaml

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ScalarDecoder is implemented by types that decode themselves from a YAML
// scalar (durations, sizes, action shorthands). The error is reported at the
// scalar's position.
type ScalarDecoder interface {
	DecodeScalar(s string) error
}

// NodeDecoder is implemented by types that decode a whole node themselves,
// for example a value that may be a path or an inline mapping. Errors it
// returns are located like all others (use Errorf with paths under path).
type NodeDecoder interface {
	DecodeNode(p *Positions, n *yaml.Node, path string) error
}

// FieldError is a problem with the value at a field path such as
// "fields.remote_addr.truncate_ip.ipv4_prefix".
type FieldError struct {
	Path string
	Err  error
}

// Error returns "path: message".
func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Err.Error()
	}
	return e.Path + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *FieldError) Unwrap() error { return e.Err }

// Errorf returns a *FieldError for path with a formatted message.
func Errorf(path, format string, args ...any) error {
	return &FieldError{Path: path, Err: fmt.Errorf(format, args...)}
}

// Join joins path elements: Join("a", "b") = "a.b", Join("a", "[2]") = "a[2]".
func Join(path, elem string) string {
	if path == "" || strings.HasPrefix(elem, "[") {
		return path + elem
	}
	return path + "." + elem
}

// Positions maps the field paths of one decoded document to their lines.
type Positions struct {
	file  string
	lines map[string]int
}

// File is the name errors are reported under.
func (p *Positions) File() string { return p.file }

// Line returns the line of path, or of its nearest recorded parent.
func (p *Positions) Line(path string) int {
	for {
		if l, ok := p.lines[path]; ok {
			return l
		}
		i := strings.LastIndexAny(path, ".[")
		if i < 0 {
			return p.lines[""]
		}
		path = path[:i]
	}
}

// Locate rewrites every *FieldError in err (also inside errors.Join trees)
// as "file:line: path: message". Other errors get "file: " in front.
func (p *Positions) Locate(err error) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, p.Locate(e))
		}
		return errors.Join(out...)
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return fmt.Errorf("%s:%d: %w", p.file, p.Line(fe.Path), err)
	}
	return fmt.Errorf("%s: %w", p.file, err)
}

// Decode decodes data (the content of file) into v, a non-nil pointer.
// It returns every problem found, joined, each located by file and line.
func Decode(file string, data []byte, v any) (*Positions, error) {
	p := &Positions{file: file, lines: map[string]int{}}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return p, fmt.Errorf("%s: %s", file, strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if len(doc.Content) == 0 {
		return p, nil // empty document: defaults stand
	}
	d := &decoder{pos: p}
	d.value(doc.Content[0], "", reflect.ValueOf(v).Elem())
	return p, p.Locate(errors.Join(d.errs...))
}

// DecodeNode decodes one node into v, recording positions under path in p.
// It is for types that decode part of a document themselves.
func DecodeNode(p *Positions, n *yaml.Node, path string, v any) error {
	d := &decoder{pos: p}
	d.value(n, path, reflect.ValueOf(v).Elem())
	return errors.Join(d.errs...)
}

type decoder struct {
	pos   *Positions
	errs  []error
	nodes int    // nodes visited, aliases expanded: bounded against alias bombs
	owner string // " for type X" in unknown-field errors of a component's keys
}

// maxNodes bounds the nodes one document may expand to.
const maxNodes = 1 << 20

func (d *decoder) fail(path string, format string, args ...any) {
	d.errs = append(d.errs, Errorf(path, format, args...))
}

var (
	scalarDecoderType = reflect.TypeFor[ScalarDecoder]()
	nodeDecoderType   = reflect.TypeFor[NodeDecoder]()
)

// value decodes n into v, which must be settable.
func (d *decoder) value(n *yaml.Node, path string, v reflect.Value) {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if d.nodes++; d.nodes > maxNodes {
		if d.nodes == maxNodes+1 {
			d.fail(path, "document too large (more than %d values after expanding aliases)", maxNodes)
		}
		return
	}
	if _, ok := d.pos.lines[path]; !ok {
		d.pos.lines[path] = n.Line // a key's own line was recorded first
	}
	if v.Kind() == reflect.Pointer {
		if n.Tag == "!!null" {
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
	if reflect.PointerTo(v.Type()).Implements(nodeDecoderType) {
		if err := v.Addr().Interface().(NodeDecoder).DecodeNode(d.pos, n, path); err != nil {
			d.errs = append(d.errs, err)
		}
		return
	}
	if n.Kind == yaml.ScalarNode && reflect.PointerTo(v.Type()).Implements(scalarDecoderType) {
		if err := v.Addr().Interface().(ScalarDecoder).DecodeScalar(n.Value); err != nil {
			d.fail(path, "%v", err)
		}
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.structure(n, path, v)
	case reflect.Map:
		d.mapping(n, path, v)
	case reflect.Slice:
		d.sequence(n, path, v)
	default:
		d.scalar(n, path, v)
	}
}

func (d *decoder) structure(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.fail(path, "expected a mapping, got %s", describe(n))
		return
	}
	fields := structFields(v.Type())
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		kp := Join(path, k.Value)
		d.pos.lines[kp] = k.Line
		if seen[k.Value] {
			d.fail(kp, "duplicate key")
			continue
		}
		seen[k.Value] = true
		idx, ok := fields[k.Value]
		if !ok {
			d.fail(kp, "unknown field%s%s", d.owner, suggest(k.Value, fields))
			continue
		}
		d.value(val, kp, v.FieldByIndex(idx))
	}
}

func (d *decoder) mapping(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.MappingNode {
		d.fail(path, "expected a mapping, got %s", describe(n))
		return
	}
	if v.Type().Key().Kind() != reflect.String {
		d.fail(path, "unsupported map key type")
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		kp := Join(path, k.Value)
		d.pos.lines[kp] = k.Line
		key := reflect.ValueOf(k.Value).Convert(v.Type().Key())
		if v.MapIndex(key).IsValid() {
			d.fail(kp, "duplicate key")
			continue
		}
		elem := reflect.New(v.Type().Elem()).Elem()
		d.value(val, kp, elem)
		v.SetMapIndex(key, elem)
	}
}

func (d *decoder) sequence(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.SequenceNode {
		d.fail(path, "expected a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, c := range n.Content {
		d.value(c, Join(path, "["+strconv.Itoa(i)+"]"), s.Index(i))
	}
	v.Set(s)
}

func (d *decoder) scalar(n *yaml.Node, path string, v reflect.Value) {
	if n.Kind != yaml.ScalarNode {
		d.fail(path, "expected a %s, got %s", kindName(v.Kind()), describe(n))
		return
	}
	s := n.Value
	switch v.Kind() {
	case reflect.String:
		if n.Tag == "!!null" {
			d.fail(path, "expected a string, got null")
			return
		}
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if n.Tag != "!!bool" || err != nil {
			d.fail(path, "expected true or false, got %q", clip(s))
			return
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		i, err := strconv.ParseInt(s, 0, v.Type().Bits())
		if n.Tag != "!!int" || err != nil {
			d.fail(path, "expected an integer, got %q", clip(s))
			return
		}
		v.SetInt(i)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if (n.Tag != "!!float" && n.Tag != "!!int") || err != nil {
			d.fail(path, "expected a number, got %q", clip(s))
			return
		}
		v.SetFloat(f)
	default:
		d.fail(path, "unsupported field type %s", v.Type())
	}
}

// structFields maps yaml tag names to field index paths. The fields of a
// struct field tagged `yaml:",inline"` are keys of the outer mapping.
func structFields(t reflect.Type) map[string][]int {
	m := map[string][]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if opts == "inline" && f.Type.Kind() == reflect.Struct {
			for k, idx := range structFields(f.Type) {
				m[k] = append([]int{i}, idx...)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		m[name] = []int{i}
	}
	return m
}

// suggest names the known key closest to k, if any is close.
func suggest(k string, fields map[string][]int) string {
	best, bestD := "", 3
	for name := range fields {
		if dd := distance(k, name); dd < bestD || (dd == bestD && best != "" && name < best) {
			best, bestD = name, dd
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.Tag == "!!null" {
		return "null"
	}
	return fmt.Sprintf("%q", clip(n.Value))
}

func kindName(k reflect.Kind) string {
	switch k {
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	case reflect.Float32, reflect.Float64:
		return "number"
	}
	return "integer"
}

// clip shortens a config value quoted in an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Prefix puts path in front of the path of every *FieldError in err (also
// inside errors.Join trees), for documents decoded inside another one.
func Prefix(path string, err error) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Prefix(path, e))
		}
		return errors.Join(out...)
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return &FieldError{Path: Join(path, fe.Path), Err: fe.Err}
	}
	return err
}
