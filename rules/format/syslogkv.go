package format

import "bytes"

// kvScan is the state of one scan of a message for key=value pairs.
type kvScan struct {
	t           *kvTable
	m           int
	prev, prev2 []byte // the two words before the current one
}

// scanKV adds the key=value and key=<value> pairs of b[s:e] as sub-fields
// of field m, plus the user names of "for user X", "of user X" and
// "by X(uid=N)" and, for postfix, the host[IP] of "from host[IP]".
// Known keys get the table's names (pam.rhost), others their own key as
// the path, so the keys rules apply to them.
func (r *Record) scanKV(m, s, e int, t *kvTable) {
	b := r.Line
	st := kvScan{t: t, m: m}
	for i := s; i < e; {
		if isKVSep(b[i]) || t.parens && (b[i] == '(' || b[i] == ')') {
			i++
			continue
		}
		ws := i
		k := ws
		for k < e && isKVKey(b[k]) {
			k++
		}
		if k > ws && k < e && b[k] == '=' {
			i = r.kvPair(&st, ws, k, e)
			st.prev2, st.prev = st.prev, nil
			continue
		}
		for i < e && !isKVSep(b[i]) && !(t.parens && (b[i] == '(' || b[i] == ')')) {
			i++
		}
		r.kvWord(&st, ws, i)
		st.prev2, st.prev = st.prev, b[ws:i]
	}
}

// isKVSep reports whether c separates words of a message.
func isKVSep(c byte) bool { return c == ' ' || c == ',' || c == ';' || c == '\t' }

// isKVKey reports whether c may be part of a key.
func isKVKey(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.'
}

// kvPair adds the pair whose key is b[ks:eq] and returns the index after
// its value. A value runs to the next separator; "<...>" to its '>'.
func (r *Record) kvPair(st *kvScan, ks, eq, e int) int {
	b := r.Line
	vs, ve := eq+1, eq+1
	if vs < e && b[vs] == '<' {
		if c := bytes.IndexByte(b[vs:e], '>'); c > 0 {
			vs, ve = vs+1, vs+c
			if ve > vs {
				r.kvAdd(st, ks, eq, vs, ve)
			}
			return ve + 1
		}
	}
	for ve < e && !isKVSep(b[ve]) && !(st.t.parens && b[ve] == ')') {
		ve++
	}
	if ve > vs {
		r.kvAdd(st, ks, eq, vs, ve)
	}
	return ve
}

// kvAdd adds the value b[vs:ve] of key b[ks:eq]; a postfix client=host[IP]
// gets the host and the address as sub-fields of its own.
func (r *Record) kvAdd(st *kvScan, ks, eq, vs, ve int) {
	b := r.Line
	key := b[ks:eq]
	name := key[:len(key):len(key)]
	for _, n := range st.t.keys {
		if string(key) == n.key {
			name = n.name
			break
		}
	}
	if st.t.client && string(key) == "client" {
		r.hostIP(st.m, vs, ve)
		return
	}
	r.addField(name, Span{ks, eq}, Span{vs, ve}, Bare, false, st.m)
}

// hostIP adds postfix.client for "host[IP]" (or "host[IP]:port") at
// b[s:e], with the host and the address as its sub-fields. It reports
// whether b[s:e] had that form.
func (r *Record) hostIP(m, s, e int) bool {
	b := r.Line
	o := bytes.IndexByte(b[s:e], '[')
	if o <= 0 {
		return false
	}
	o += s
	c := bytes.IndexByte(b[o:e], ']')
	if c < 0 || !looksIP(b[o+1:o+c]) {
		return false
	}
	c += o
	p := r.addField(nameClient, Span{}, Span{s, c + 1}, Bare, false, m)
	r.addField(nameClientHost, Span{}, Span{s, o}, Bare, false, p)
	r.addField(nameClientIP, Span{}, Span{o + 1, c}, Bare, false, p)
	return true
}

// kvWord looks at the word b[ws:we] that is not a pair: a user name after
// "for user", "of user" or "by", or a postfix host[IP] after "from".
func (r *Record) kvWord(st *kvScan, ws, we int) {
	b := r.Line
	prev := string(st.prev)
	switch {
	case prev == "user" && (b[ws] == '"' || b[ws] == '\''):
		if q := bytes.IndexByte(b[ws+1:we], b[ws]); q > 0 {
			r.addField(st.t.user, Span{}, Span{ws + 1, ws + 1 + q}, Bare, false, st.m)
		}
	case prev == "for" && string(st.prev2) == "changed":
		r.kvUser(st, st.t.user, ws, we)
	case prev == "user" && (string(st.prev2) == "for" || string(st.prev2) == "of"):
		r.kvUser(st, st.t.user, ws, we)
	case prev == "by" && st.t.ruser != nil && we < len(b) && b[we] == '(':
		r.kvUser(st, st.t.ruser, ws, we)
	case prev == "from" && st.t.client:
		r.hostIP(st.m, ws, we)
	}
}

// kvUser adds the user name in the word b[ws:we], which ends at a '(' or
// before a sentence's final '.'.
func (r *Record) kvUser(st *kvScan, name []byte, ws, we int) {
	b := r.Line
	if p := bytes.IndexByte(b[ws:we], '('); p >= 0 {
		we = ws + p
	} else if we-ws > 1 && b[we-1] == '.' {
		we--
	}
	if we > ws {
		r.addField(name, Span{}, Span{ws, we}, Bare, false, st.m)
	}
}
