package strictyaml

import (
	"errors"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// DecodeSplit decodes a mapping whose keys belong to two values: the keys
// of common's struct (the keys every component has, such as name and
// type) go into common, all others into the value that own returns once
// common is decoded (the settings of the type common names). own also
// returns the type's name, for errors: a key that is neither common nor
// the type's own is "unknown field for type NAME". When own returns nil
// (an unknown type, reported by the caller's validation) the other keys
// are not checked. Both values are decoded strictly, positions recorded
// under path as for DecodeNode.
func DecodeSplit(p *Positions, n *yaml.Node, path string, common any, own func() (v any, typeName string)) error {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return Errorf(path, "expected a mapping, got %s", describe(n))
	}
	fields := structFields(reflect.TypeOf(common).Elem())
	mine, rest := *n, *n
	mine.Content, rest.Content = nil, nil
	for i := 0; i+1 < len(n.Content); i += 2 {
		if _, ok := fields[n.Content[i].Value]; ok {
			mine.Content = append(mine.Content, n.Content[i], n.Content[i+1])
		} else {
			rest.Content = append(rest.Content, n.Content[i], n.Content[i+1])
		}
	}
	d := &decoder{pos: p}
	d.value(&mine, path, reflect.ValueOf(common).Elem())
	v, typeName := own()
	if v == nil {
		return errors.Join(d.errs...)
	}
	o := &decoder{pos: p, nodes: d.nodes, owner: " for type " + typeName}
	o.value(&rest, path, reflect.ValueOf(v).Elem())
	return errors.Join(append(d.errs, o.errs...)...)
}
