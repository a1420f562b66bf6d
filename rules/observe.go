package rules

import (
	"bytes"
	"github.com/cespare/xxhash/v2"
	"strconv"
	"time"

	"github.com/tarn-project/tarn/rules/aggregate"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/pseudo"
	"github.com/tarn-project/tarn/rules/useragent"
)

// role is what a record field means to aggregation.
type role uint8

const (
	roleNone role = iota
	roleHost
	roleClient
	roleMethod
	roleStatus
	roleBytes
	roleURI
	roleAgent
	roleSeconds
	roleMillis
	numRoles
)

// roleOf maps a field's name (the last element of its path, lower case)
// to its role: nginx/Apache names of the combined formats and the usual
// keys of JSON access logs.
func roleOf(name []byte) role {
	switch string(name) {
	case "vhost", "host", "server_name", "http_host":
		return roleHost
	case "remote_addr", "client_ip", "clientip", "remote_ip", "ip", "client":
		return roleClient
	case "request_method", "method", "http_method":
		return roleMethod
	case "status", "status_code", "response_status", "statuscode":
		return roleStatus
	case "body_bytes_sent", "bytes_sent", "bytes", "size", "response_size", "resp_bytes":
		return roleBytes
	case "request_uri", "uri", "path", "url", "request_path":
		return roleURI
	case "http_user_agent", "user_agent", "useragent", "ua":
		return roleAgent
	case "request_time", "upstream_response_time", "duration", "latency", "elapsed", "response_time":
		return roleSeconds
	case "duration_ms", "latency_ms", "elapsed_ms", "response_time_ms", "request_time_ms":
		return roleMillis
	}
	return roleNone
}

// Observe fills o from the record the last Append kept, for aggregation,
// and reports whether there is anything to count: a web request (it has a
// method, a status or a request URI; o.Web) or, with an api section, an
// application record (it has a group_by field or the key field). Values
// are raw and only valid until the next Append; the visitor is a MAC of
// address and user agent under the day's key, the API key a pseudonym.
func (p *Processor) Observe(o *aggregate.Obs) bool {
	at := p.roles()
	web := at[roleMethod] >= 0 || at[roleStatus] >= 0 || at[roleURI] >= 0
	api := p.observeAPI(o)
	if !web {
		if api {
			o.Time, o.Host, o.Web, o.Duration = p.t, nil, false, p.obsDuration(at)
			o.Bytes = uint64(max(p.obsNumber(at[roleBytes]), 0))
		}
		return api
	}
	groups, key := o.Groups, o.Key
	*o = aggregate.Obs{Time: p.t, Duration: -1, Host: p.obsValue(at[roleHost], &p.obsHost), Web: true,
		Method: p.obsValue(at[roleMethod], &p.obsMethod), URI: p.obsValue(at[roleURI], &p.obsURI), Groups: groups, Key: key}
	o.Status = int(p.obsNumber(at[roleStatus]))
	o.Bytes = uint64(max(p.obsNumber(at[roleBytes]), 0))
	o.Duration = p.obsDuration(at)
	agent := p.obsValue(at[roleAgent], &p.obsAgent)
	o.Bot = agent != nil && p.isBot(agent)
	o.Visitor = p.visitor(p.obsValue(at[roleClient], &p.obsClient), agent)
	if o.URI == nil && at[roleURI] >= 0 {
		o.URI = []byte{}
	}
	return true
}

// maxLayouts bounds the cache of JSON and logfmt field layouts.
const maxLayouts = 256

// roles returns the index of the field of each role (-1: none). The
// access-log formats have fixed fields, so their roles are computed once
// per format and field count; JSON and logfmt records are cached by a
// hash of their field paths (applications log a few layouts).
func (p *Processor) roles() [numRoles]int {
	f, n := p.rec.Format, len(p.rec.Fields)
	fixed := f == format.Combined || f == format.Common
	if fixed {
		for i := range p.roleCache {
			if c := &p.roleCache[i]; c.format == f && c.fields == n {
				return c.at
			}
		}
	}
	var sig uint64
	if !fixed {
		p.obsBuf = p.obsBuf[:0]
		for j := range p.rec.Fields {
			p.obsBuf = append(append(p.obsBuf, p.rec.Fields[j].Path...), 0)
		}
		sig = xxhash.Sum64(p.obsBuf)
		if at, ok := p.layouts[sig]; ok {
			return at
		}
	}
	at := p.scanRoles()
	if fixed {
		p.roleCache[n%len(p.roleCache)] = roleCache{format: f, fields: n, at: at}
	} else {
		if p.layouts == nil || len(p.layouts) >= maxLayouts {
			p.layouts = make(map[uint64][numRoles]int, 16)
		}
		p.layouts[sig] = at
	}
	return at
}

// scanRoles looks at every field's name.
func (p *Processor) scanRoles() [numRoles]int {
	var at [numRoles]int
	for i := range at {
		at[i] = -1
	}
	for j := range p.rec.Fields {
		path := p.rec.Fields[j].Path
		if k := bytes.LastIndexByte(path, '.'); k >= 0 {
			path = path[k+1:]
		}
		if hasUpper(path) {
			p.lower = appendLower(p.lower[:0], path)
			path = p.lower
		}
		if r := roleOf(path); r != roleNone && at[r] < 0 {
			at[r] = j
		}
	}
	return at
}

// roleCache remembers the roles of one fixed access-log layout (the
// Processor keeps a few, by field count).
type roleCache struct {
	format format.Format
	fields int
	at     [numRoles]int
}

func hasUpper(b []byte) bool {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			return true
		}
	}
	return false
}

// obsDuration returns the record's duration in seconds, -1 without one.
func (p *Processor) obsDuration(at [numRoles]int) float64 {
	switch {
	case at[roleSeconds] >= 0:
		return p.obsSeconds(at[roleSeconds], time.Second)
	case at[roleMillis] >= 0:
		return p.obsSeconds(at[roleMillis], time.Millisecond)
	}
	return -1
}

// observeAPI sets o.Groups and o.Key from the api section's fields and
// reports whether the record has any of them.
func (p *Processor) observeAPI(o *aggregate.Obs) bool {
	o.Groups, o.Key = nil, nil
	api := p.e.api
	if api == nil {
		return false
	}
	found := false
	p.obsGroups = p.obsGroups[:0]
	p.obsBuf = p.obsBuf[:0]
	var spans [8][2]int
	for i, f := range api.GroupBy {
		spans[i] = [2]int{-1, -1}
		if j := p.fieldByName(f); j >= 0 {
			start := len(p.obsBuf)
			p.obsBuf = p.anonymizedValue(p.obsBuf, j)
			spans[i] = [2]int{start, len(p.obsBuf)}
			found = true
		}
	}
	for i := range api.GroupBy {
		var v []byte
		if s := spans[i]; s[0] >= 0 {
			v = p.obsBuf[s[0]:s[1]:s[1]]
		}
		p.obsGroups = append(p.obsGroups, v)
	}
	if j := p.fieldByName(api.KeyField); api.KeyField != "" && j >= 0 {
		p.obsKey = p.appendPseudonym(p.obsKey[:0], p.value(j), p.e.pseudonym, format.String)
		o.Key = p.obsKey
		found = true
	}
	if found {
		o.Groups = p.obsGroups
	}
	return found
}

// anonymizedValue appends field j's value as the anonymized record holds
// it, so a group value never holds more than the record: it reuses the
// edits the last Append made (no action runs, or is counted, twice).
//   - A field with a new value: that value (in the edit's form, raw or
//     unescaped, as the action wrote it).
//   - A dropped field: the placeholder (0 for a JSON number); an empty or
//     "-" value stays as it is.
//   - A field inside an edited parent (combined's request line, dropped,
//     replaced or scrubbed as a whole): its value if the parent was
//     scrubbed around it and it has an explicit keep (it is in the line
//     unchanged, like request_method: keep); else the placeholder, fail
//     closed: it is not in the record as it was read.
//   - A field holding edited sub-fields: the placeholder.
//   - Any other field is unchanged in the record: its value.
func (p *Processor) anonymizedValue(dst []byte, j int) []byte {
	for k := range p.edits {
		e := &p.edits[k]
		switch {
		case e.Field == j && !e.Drop:
			return append(dst, e.Value...)
		case e.Field == j && p.absent(j),
			e.Field < j && !e.Drop && p.inside(j, e.Field) && p.keptInside(e.Field, j):
			return p.rec.AppendValue(dst, j)
		case e.Field == j, e.Field < j && p.inside(j, e.Field), e.Field > j && p.inside(e.Field, j):
			return p.appendRedacted(dst, p.e.keyDrop.placeholder, p.rec.Fields[j].Kind)
		}
	}
	return p.rec.AppendValue(dst, j)
}

// keptInside reports whether field j, inside the edited field i, is in
// i's new value unchanged: i is scrubbed as a whole with its explicit
// sub-fields applied in place (see composite), j is one of those and its
// action is keep, and every field between them is scrubbed too (so the
// scrub looked inside it).
func (p *Processor) keptInside(i, j int) bool {
	if a, _ := p.resolve(i); a == nil || a.op != opScrub {
		return false
	}
	if a, explicit := p.resolve(j); !explicit || a.op != opKeep {
		return false
	}
	for k := p.rec.Fields[j].Parent; k > i; k = p.rec.Fields[k].Parent {
		if a, explicit := p.resolve(k); explicit && a.op != opScrub {
			return false
		}
	}
	return true
}

// absent reports whether field j's raw value is empty or the "-" of an
// absent value, which no action changes.
func (p *Processor) absent(j int) bool {
	v := p.rec.Fields[j].Value
	return v.End == v.Start || v.End == v.Start+1 && p.rec.Line[v.Start] == '-'
}

// fieldByName returns the field whose path is name or ends in "."+name
// (case-insensitive for the last element), or -1.
func (p *Processor) fieldByName(name string) int {
	if j := p.fieldIndex(name); j >= 0 || name == "" {
		return j
	}
	for j := range p.rec.Fields {
		path := p.rec.Fields[j].Path
		if k := bytes.LastIndexByte(path, '.'); k >= 0 {
			path = path[k+1:]
		}
		if bytes.EqualFold(path, []byte(name)) {
			return j
		}
	}
	return -1
}

// obsValue returns the decoded value of field i, nil if i < 0: the bytes
// of the line itself when the value has no escapes, else a copy in buf.
func (p *Processor) obsValue(i int, buf *[]byte) []byte {
	if i < 0 {
		return nil
	}
	if f := &p.rec.Fields[i]; !f.Escaped {
		return p.rec.Line[f.Value.Start:f.Value.End:f.Value.End]
	}
	*buf = p.rec.AppendValue((*buf)[:0], i)
	return *buf
}

// obsNumber returns field i as a non-negative integer, -1 when absent or
// not one.
func (p *Processor) obsNumber(i int) int64 {
	v := p.obsValue(i, &p.scratch)
	if len(v) == 0 || len(v) > 18 {
		return -1
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

// maxSeconds bounds the durations aggregated: a value of 1e9 seconds (about
// 32 years) or more is a logging error, not a request, and such values
// (or enough of them) would overflow a histogram's sum to +Inf, which no
// JSON report can hold.
const maxSeconds = 1e9

// obsSeconds returns field i as seconds: a number in unit, or a Go
// duration string ("12ms"); -1 when it is neither, or when it is negative,
// not finite ("inf", "NaN") or at least maxSeconds. nginx writes upstream
// times as "0.010, 0.020" for retries: the first is used.
func (p *Processor) obsSeconds(i int, unit time.Duration) float64 {
	v := p.obsValue(i, &p.scratch)
	if k := bytes.IndexByte(v, ','); k >= 0 {
		v = v[:k]
	}
	s := -1.0
	if f, ok := plainDecimal(v); ok {
		s = f * unit.Seconds()
	} else if f, err := strconv.ParseFloat(string(v), 64); err == nil {
		s = f * unit.Seconds()
	} else if d, err := time.ParseDuration(string(v)); err == nil {
		s = d.Seconds()
	}
	if !(s >= 0 && s < maxSeconds) { // also false for NaN
		return -1
	}
	return s
}

// plainDecimal parses the common forms "12", "0.013" quickly (at most 15
// digits, so the value is exact before the division); anything else is
// left to strconv.
func plainDecimal(v []byte) (float64, bool) {
	var n, scale float64 = 0, 1
	digits, dot := 0, false
	for _, c := range v {
		switch {
		case '0' <= c && c <= '9':
			n = n*10 + float64(c-'0')
			digits++
			if dot {
				scale *= 10
			}
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	return n / scale, true
}

// maxBotCache bounds the cache of user agents' bot verdicts.
const maxBotCache = 4096

// isBot reports whether a user agent is a robot, caching the verdict by
// a hash of the agent (user agents repeat a lot).
func (p *Processor) isBot(agent []byte) bool {
	h := xxhash.Sum64(agent)
	if bot, ok := p.botCache[h]; ok {
		return bot
	}
	if p.botCache == nil || len(p.botCache) >= maxBotCache {
		p.botCache = make(map[uint64]bool, 256)
	}
	bot := useragent.Parse(agent).Bot
	p.botCache[h] = bot
	return bot
}

// visitor is the 64-bit visitor hash: a keyed hash (SipHash under the
// day's key) of the client address and user agent — the cookie-less
// method — never 0; 0 without an address.
func (p *Processor) visitor(client, agent []byte) uint64 {
	if len(client) == 0 || string(client) == "-" {
		return 0
	}
	if p.visitors == nil {
		p.visitors = pseudo.NewDayHash(p.e.key)
	}
	p.norm = append(append(append(p.norm[:0], client...), 0), agent...)
	return p.visitors.Sum64(p.t, p.norm) | 1
}
