package format

import (
	"cmp"
	"slices"
)

// Edit is a change to one field of a parsed Record.
type Edit struct {
	// Field is the index into Record.Fields.
	Field int
	// Drop removes the field: for JSON and logfmt the key, the value and one
	// separating comma or space; for combined the value becomes "-" (a
	// dropped request_query is removed with its '?').
	Drop bool
	// Value is the new value, unquoted and unescaped; Rewrite quotes and
	// escapes it as the field's kind and format require.
	Value []byte
	// Raw means Value is already in the field's raw (escaped) form and
	// replaces exactly the Field.Value span. A raw value that would break the
	// line's structure (an unescaped quote, a control byte, a space in a bare
	// token, an invalid JSON number) is instead encoded as if Raw were false.
	Raw bool
}

// Rewrite appends to dst the line with edits applied and returns the
// extended buffer. Untouched bytes are copied verbatim, so Rewrite with no
// edits reproduces rec.Line. Edits should be sorted by field position; if
// they are not, Rewrite orders them itself (in rec's scratch). An edit of a
// field nested in a field that has an edit itself is ignored (outer wins), as
// are edits with an out-of-range Field and repeated edits of one field (the
// first wins). No edit can insert a raw newline or break the field structure.
func Rewrite(dst []byte, rec *Record, edits []Edit) []byte {
	line := rec.Line
	sorted := rec.editsSorted(edits)
	pos, last := 0, -1
	for k := range edits {
		e := &edits[k]
		if !sorted {
			e = &edits[rec.order[k]]
		}
		if e.Field < 0 || e.Field >= len(rec.Fields) || e.Field == last || rec.ancestorEdited(e.Field, edits) {
			continue
		}
		s, end := rec.editRegion(e, pos)
		if s < pos {
			continue
		}
		dst = append(dst, line[pos:s]...)
		dst = rec.appendEdit(dst, e)
		pos, last = end, e.Field
	}
	return append(dst, line[pos:]...)
}

// editKey orders edits by field position, outer fields before the fields
// nested in them, invalid fields last.
func (r *Record) editKey(e *Edit) (int, int) {
	if e.Field < 0 || e.Field >= len(r.Fields) {
		return len(r.Line) + 1, 0
	}
	v := r.Fields[e.Field].Value
	return v.Start, -v.End
}

// editsSorted reports whether edits are in position order; if not, it fills
// r.order with the sorted order.
func (r *Record) editsSorted(edits []Edit) bool {
	sorted := true
	for k := 1; k < len(edits) && sorted; k++ {
		s0, e0 := r.editKey(&edits[k-1])
		s1, e1 := r.editKey(&edits[k])
		sorted = s0 < s1 || s0 == s1 && e0 <= e1
	}
	if sorted {
		return true
	}
	r.order = r.order[:0]
	for k := range edits {
		r.order = append(r.order, int32(k))
	}
	slices.SortStableFunc(r.order, func(a, b int32) int {
		sa, ea := r.editKey(&edits[a])
		sb, eb := r.editKey(&edits[b])
		return cmp.Or(cmp.Compare(sa, sb), cmp.Compare(ea, eb))
	})
	return false
}

// ancestorEdited reports whether a field enclosing field i has an edit.
func (r *Record) ancestorEdited(i int, edits []Edit) bool {
	for p := r.Fields[i].Parent; p >= 0 && p < i; p, i = r.Fields[p].Parent, p {
		for k := range edits {
			if edits[k].Field == p {
				return true
			}
		}
	}
	return false
}

// editRegion returns the span of the line that edit e replaces, given that
// the bytes before pos have already been written.
func (r *Record) editRegion(e *Edit, pos int) (int, int) {
	f := &r.Fields[e.Field]
	if !e.Drop {
		return f.Value.Start, f.Value.End
	}
	switch r.Format {
	case JSON, Logfmt:
		return r.dropRegion(f, pos)
	}
	if r.isQuery(f) {
		return f.Value.Start - 1, f.Value.End
	}
	return f.Value.Start, f.Value.End
}

// isQuery reports whether f is a combined request_query sub-field.
func (r *Record) isQuery(f *Field) bool { return f.Parent >= 0 && sameName(f.Path, nameQuery) }

// dropRegion returns the span removed when a JSON or logfmt field is
// dropped: the member plus its preceding separator if that was not already
// removed, else its following separator (and whitespace), else nothing more.
func (r *Record) dropRegion(f *Field, pos int) (int, int) {
	ms, me := f.Value.Start, f.Value.End
	if f.Kind == String {
		ms, me = ms-1, me+1
	}
	if f.Key.End > 0 {
		ms = f.Key.Start
	}
	if p := r.prevSep(ms); p >= pos {
		return p, me
	}
	if n := r.nextSep(me); n >= 0 {
		return max(ms, pos), n
	}
	return max(ms, pos), me
}

// prevSep returns the index of the separator before the member starting at
// ms, or -1. It looks no further back than the message's start.
func (r *Record) prevSep(ms int) int {
	b, lo := r.Line, r.msgStart
	if r.Format == Logfmt {
		if ms > lo && isLogfmtSpace(b[ms-1]) {
			return ms - 1
		}
		return -1
	}
	j := ms - 1
	for j >= lo && jsonClass[b[j]]&jSpace != 0 {
		j--
	}
	if j >= lo && b[j] == ',' {
		return j
	}
	return -1
}

// nextSep returns the index after the separator (for JSON, and the
// whitespace after it) following the member ending at me, or -1. It looks
// no further than the message's end.
func (r *Record) nextSep(me int) int {
	b := r.Line[:r.msgEnd]
	if r.Format == Logfmt {
		if me >= len(b) || !isLogfmtSpace(b[me]) {
			return -1
		}
		j := me + 1 // all of it: a first pair dropped leaves no leading space
		for j < len(b) && isLogfmtSpace(b[j]) {
			j++
		}
		return j
	}
	j := skipJSONSpace(b, me)
	if j < len(b) && b[j] == ',' {
		return skipJSONSpace(b, j+1)
	}
	return -1
}

// appendEdit appends the replacement bytes of edit e.
func (r *Record) appendEdit(dst []byte, e *Edit) []byte {
	f := &r.Fields[e.Field]
	if r.Format == Syslog || r.Format == NginxError || r.Format == PHPTrace {
		return r.appendTextEdit(dst, f, e)
	}
	if e.Drop {
		if r.Format == JSON || r.Format == Logfmt || r.isQuery(f) {
			return dst
		}
		return append(dst, '-')
	}
	if e.Raw && r.rawSafe(f, e.Value) {
		return append(dst, e.Value...)
	}
	switch r.Format {
	case JSON:
		return appendJSONValue(dst, f.Kind, e.Value)
	case Logfmt:
		return appendLogfmtValue(dst, f.Kind, e.Value)
	}
	return r.appendCLFValue(dst, f, e.Value)
}

// appendJSONValue encodes v for a JSON field of kind k: inside the existing
// quotes for strings, verbatim for valid numbers, else as a quoted string.
func appendJSONValue(dst []byte, k Kind, v []byte) []byte {
	switch {
	case k == String:
		return appendJSONEscaped(dst, v)
	case k == Number && isJSONNumber(v):
		return append(dst, v...)
	}
	dst = append(dst, '"')
	return append(appendJSONEscaped(dst, v), '"')
}

// appendLogfmtValue encodes v for a logfmt field of kind k: inside the
// existing quotes for quoted values, bare when possible, else quoted.
func appendLogfmtValue(dst []byte, k Kind, v []byte) []byte {
	switch {
	case k == String:
		return appendLogfmtEscaped(dst, v)
	case !needsLogfmtQuote(v):
		return append(dst, v...)
	}
	dst = append(dst, '"')
	return append(appendLogfmtEscaped(dst, v), '"')
}

// appendCLFValue encodes v for a combined field: quoted fields and request
// sub-fields are escaped nginx-style, bare fields and the time that cannot
// hold v become "-".
func (r *Record) appendCLFValue(dst []byte, f *Field, v []byte) []byte {
	switch {
	case f.Parent >= 0:
		if len(v) == 0 && !r.isQuery(f) {
			return append(dst, '-')
		}
		return appendCLFEscaped(dst, v, true)
	case f.Kind == String && !sameName(f.Path, nameTime):
		return appendCLFEscaped(dst, v, false)
	case safeCLFField(f, v):
		return append(dst, v...)
	}
	return append(dst, '-')
}

// safeCLFField reports whether v can replace the bare or time field f
// verbatim: status and body_bytes_sent must stay counts.
func safeCLFField(f *Field, v []byte) bool {
	if sameName(f.Path, nameStatus) || sameName(f.Path, nameBytes) {
		return isCount(v)
	}
	return safeCLFBare(v, f.Kind == String)
}

// rawSafe reports whether raw can replace field f's value span verbatim
// without breaking the line's structure.
func (r *Record) rawSafe(f *Field, raw []byte) bool {
	switch r.Format {
	case JSON:
		if f.Kind == String {
			end, _, ok := scanJSONString(raw, 0)
			return ok && end == len(raw)
		}
		return isJSONNumber(raw)
	case Logfmt:
		if f.Kind == String {
			return safeQuotedRaw(raw)
		}
		return len(raw) == 0 || !needsLogfmtQuote(raw)
	}
	switch {
	case f.Parent >= 0:
		return safeQuotedRaw(raw) && !hasByte(raw, ' ') && (len(raw) > 0 || r.isQuery(f))
	case f.Kind == String && !sameName(f.Path, nameTime):
		return safeQuotedRaw(raw)
	}
	return safeCLFField(f, raw)
}
