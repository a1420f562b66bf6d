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
		p.norm = Normalize(p.norm[:0], p.rec.AppendValue(p.scratch[:0], j))
		p.obsKey = pseudo.AppendHex(p.obsKey[:0], p.ps.Sum(p.t, p.norm), p.e.pseudoLen)
		o.Key = p.obsKey
		found = true
	}
	if found {
		o.Groups = p.obsGroups
	}
	return found
}

// anonymizedValue appends field j's value as the rules write it (its
// action applied, e.g. a pseudonym or a scrubbed text), so a group value
// never holds more than the anonymized record; the action is not counted
// a second time.
func (p *Processor) anonymizedValue(dst []byte, j int) []byte {
	a, _ := p.resolve(j)
	if a == nil {
		return p.rec.AppendValue(dst, j)
	}
	p.savedActions = append(p.savedActions[:0], p.Stats.Actions...)
	detections := p.Stats.Detections
	out, _, changed := p.transform(dst, j, a)
	copy(p.Stats.Actions, p.savedActions)
	p.Stats.Detections = detections
	if !changed {
		return p.rec.AppendValue(dst, j)
	}
	return out
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

// obsSeconds returns field i as seconds: a number in unit, or a Go
// duration string ("12ms"); -1 when it is neither. nginx writes
// upstream times as "0.010, 0.020" for retries: the first is used.
func (p *Processor) obsSeconds(i int, unit time.Duration) float64 {
	v := p.obsValue(i, &p.scratch)
	if k := bytes.IndexByte(v, ','); k >= 0 {
		v = v[:k]
	}
	if f, ok := plainDecimal(v); ok {
		return f * unit.Seconds()
	}
	if f, err := strconv.ParseFloat(string(v), 64); err == nil && f >= 0 {
		return f * unit.Seconds()
	}
	if d, err := time.ParseDuration(string(v)); err == nil && d >= 0 {
		return d.Seconds()
	}
	return -1
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
