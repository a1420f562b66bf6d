package rules

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tarn-project/tarn/rules/aggregate"
	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/ipaddr"
	"github.com/tarn-project/tarn/rules/pseudo"
)

// Defaults of a rule set that does not say otherwise.
const (
	DefaultMaxAge       = 168 * time.Hour
	DefaultMaxLineBytes = 256 << 10
	DefaultPlaceholder  = "[redacted]"
	// DefaultPseudoLen is the length of a hex pseudonym (in hex digits)
	// when neither the action nor pseudonyms.length sets one.
	DefaultPseudoLen = 16
)

// DefaultTimeKeys are the JSON/logfmt keys searched for the record time
// when a rule set names none.
var DefaultTimeKeys = []string{"time", "timestamp", "ts", "@timestamp", "t", "datetime", "date", "logtime", "start_time"}

// op is a compiled action.
type op uint8

const (
	opKeep op = iota
	opTruncate
	opPseudo
	opRedact
	opDrop
	opMask
	opStripQuery
	opUserAgent
	opCoarsen
	opScrub
)

// form is how a pseudonym is written.
type form uint8

const (
	formHex form = iota
	formIPv6
	formDecimal
)

// action is an Action compiled for the hot path.
type action struct {
	op          op
	rule        string // counter label, e.g. "fields.remote_addr"
	slot        int    // index into Stats.Actions
	prefix      ipaddr.Prefix
	placeholder []byte
	form        form
	length      int
	keepDomain  bool
	maskFirst   int
	maskLast    int
	maskChar    byte
	allow       map[string]bool
	pseudoKeys  map[string]bool
	redactKeys  map[string]bool
	coarsen     time.Duration
}

// dropRule is a compiled DropRecord.
type dropRule struct {
	field    string
	equals   [][]byte
	prefix   [][]byte
	contains [][]byte
	re       *regexp.Regexp
	slot     int // counter in Stats.Actions
}

// Engine is a compiled rule set. It is immutable and safe for concurrent
// use; each goroutine runs it through its own Processor.
type Engine struct {
	cfg          *Config
	format       format.Format
	timeKeys     [][]byte
	maxAge       time.Duration
	rotation     pseudo.Rotation
	key          []byte
	fields       map[string]*action
	keys         map[string]*action
	folded       map[string]*action // keys without '-' and '_' (foldKey), for the other spellings
	named        map[string]*action // fields, plus keys (lower-case) no field shadows
	scrubUnknown bool
	scrub        *action
	keyDrop      *action
	detectors    *detect.Set
	phones       *detect.Phones // decides the phone candidates of detectors
	kinds        [detect.NumKinds]*action
	patterns     []*action
	drops        []dropRule
	dropUnparsed bool
	maxLine      int
	actions      []*action
	meta         []compiledMeta
	subtrees     []subtree      // fields rules "path.*": every field below path
	api          *aggregate.API // the aggregate section's api part, if any
	tenant       *compiledTenant
	pseudonym    *action // pseudonymize with the defaults: metadata and the API key id (not counted)
}

// Compile turns a validated, merged Config into an Engine. key is the master
// pseudonym key (at least pseudo.MinKeyBytes).
func Compile(c *Config, key []byte) (*Engine, error) {
	if len(key) < pseudo.MinKeyBytes {
		return nil, fmt.Errorf("rules: pseudonym key has %d bytes, need at least %d", len(key), pseudo.MinKeyBytes)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: c, key: key, maxAge: DefaultMaxAge, maxLine: DefaultMaxLineBytes, scrubUnknown: true}
	e.format, _ = format.ParseFormat(orDefault(c.Format, "auto"))
	e.rotation, _ = pseudo.ParseRotation(orDefault(c.Pseudonyms.Rotation, "daily"))
	timeKeys := c.TimeKeys
	if timeKeys == nil {
		timeKeys = DefaultTimeKeys
	}
	for _, k := range timeKeys {
		e.timeKeys = append(e.timeKeys, []byte(k))
	}
	if c.Retention.MaxAge != nil {
		e.maxAge = time.Duration(*c.Retention.MaxAge)
	}
	if c.MaxLineBytes > 0 {
		e.maxLine = int(c.MaxLineBytes)
	}
	if c.ScrubUnknown != nil {
		e.scrubUnknown = *c.ScrubUnknown
	}
	e.dropUnparsed = c.OnUnparsed == "drop"
	e.compileRoute(c)
	if c.Aggregate != nil {
		e.api = c.Aggregate.API
	}
	e.scrub = e.compileAction("scrub_unknown", &Action{Scrub: &Empty{}})
	e.keyDrop = e.compileAction("key_with_personal_data", &Action{DropField: &Empty{}})
	e.fields = e.compileMap("fields", c.Fields, false)
	e.subtrees = subtreeRules(e.fields)
	e.keys = e.compileMap("keys", c.Keys, true)
	e.folded = foldKeys(e.keys)
	e.named = make(map[string]*action, len(e.fields)+len(e.keys))
	for k, a := range e.keys {
		e.named[k] = a
	}
	for k, a := range e.fields {
		e.named[k] = a // an exact field name wins over a key
	}
	if err := e.compileDetect(&c.Detect); err != nil {
		return nil, err
	}
	for i, d := range c.DropRecords {
		r := dropRule{field: d.Field, equals: toBytes(d.Equals), prefix: toBytes(d.Prefix), contains: toBytes(d.Contains),
			slot: e.counter(fmt.Sprintf("drop_records[%d]", i))}
		if d.Regex != "" {
			r.re = regexp.MustCompile(d.Regex) // validated above
		}
		e.drops = append(e.drops, r)
	}
	return e, nil
}

// Config returns the merged configuration the engine was compiled from.
func (e *Engine) Config() *Config { return e.cfg }

// MaxAge returns the retention period.
func (e *Engine) MaxAge() time.Duration { return e.maxAge }

// Rules returns the counter label of every action, indexed like
// Stats.Actions.
func (e *Engine) Rules() []string {
	out := make([]string, len(e.actions))
	for i, a := range e.actions {
		out[i] = a.rule
	}
	return out
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}

// compileMap compiles a field or key map in a stable order.
func (e *Engine) compileMap(prefix string, m map[string]Action, lower bool) map[string]*action {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]*action, len(m))
	for _, k := range names {
		a := m[k]
		key := k
		if lower {
			key = strings.ToLower(k)
		}
		out[key] = e.compileAction(prefix+"."+k, &a)
	}
	return out
}

// foldKeys indexes the lower-case keys by their folded spelling
// ("x-api-key" and "x_api_key" are "xapikey"). When two keys fold alike,
// the first in sorted order wins; an exact spelling is looked up first.
func foldKeys(keys map[string]*action) map[string]*action {
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make(map[string]*action, len(keys))
	for _, k := range names {
		f := string(foldKey(nil, []byte(k)))
		if _, dup := out[f]; !dup {
			out[f] = keys[k]
		}
	}
	return out
}

// foldKey appends key to dst in lower case without '-' and '_'.
func foldKey(dst, key []byte) []byte {
	for _, c := range key {
		switch {
		case c == '-' || c == '_':
		case 'A' <= c && c <= 'Z':
			dst = append(dst, c+'a'-'A')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// subtree is a fields rule for everything below a path ("body.*").
type subtree struct {
	prefix []byte // "body."
	a      *action
}

// subtreeRules collects the fields rules that end in ".*", longest prefix
// first (the most specific wins).
func subtreeRules(fields map[string]*action) []subtree {
	var out []subtree
	for name, a := range fields {
		if p, ok := strings.CutSuffix(name, ".*"); ok && p != "" {
			out = append(out, subtree{prefix: []byte(p + "."), a: a})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].prefix) != len(out[j].prefix) {
			return len(out[i].prefix) > len(out[j].prefix)
		}
		return string(out[i].prefix) < string(out[j].prefix)
	})
	return out
}

func (e *Engine) compileDetect(d *Detect) error {
	cfg := detect.DefaultConfig()
	if d.SecretParams != nil {
		cfg.SecretParams = d.SecretParams
	}
	if d.TokenParams != nil {
		cfg.TokenParams = d.TokenParams
	}
	for k := detect.Kind(0); k < detect.Custom; k++ {
		a, ok := d.Actions[k.String()]
		if !ok {
			a = DefaultDetectAction(k)
		}
		if a.Keep != nil {
			continue
		}
		cfg.Kinds[k] = true
		e.kinds[k] = e.compileAction("detect."+k.String(), &a)
	}
	for _, p := range d.Patterns {
		cfg.Patterns = append(cfg.Patterns, detect.Pattern{Name: p.Name, Regex: p.Regex})
		a := Action{Redact: &Redact{}}
		if p.Action != nil {
			a = *p.Action
		}
		e.patterns = append(e.patterns, e.compileAction("detect.patterns."+p.Name, &a))
	}
	cfg.Kinds[detect.Custom] = len(cfg.Patterns) > 0
	phones, err := compilePhones(d.Phone)
	if err != nil {
		return err
	}
	cfg.Phones = phones
	set, err := detect.New(cfg)
	if err != nil {
		return fmt.Errorf("rules: detect: %w", err)
	}
	e.detectors, e.phones = set, phones
	return nil
}

// compilePhones builds the phone number validator of detect.phone.
func compilePhones(d *PhoneDetect) (*detect.Phones, error) {
	regions := detect.DefaultPhoneRegions
	if d != nil {
		regions = make([]string, len(d.Regions))
		for i, r := range d.Regions {
			regions[i] = string(r)
		}
	}
	p, err := detect.NewPhones(regions)
	if err != nil {
		return nil, fmt.Errorf("rules: detect.phone.%w", err)
	}
	return p, nil
}

// normalize appends the canonical form of v, the bytes its pseudonym is
// computed from: the E.164 form of a phone number ("+493012345678" for
// "030 1234567" and "+49 (0)30 123 45 67"), else Normalize.
func (e *Engine) normalize(dst, v []byte) []byte {
	if out, ok := e.phones.AppendE164(dst, v); ok {
		return out
	}
	return Normalize(dst, v)
}

// Pseudonym computes the pseudonym of value as the engine does for a
// record of time t, in hex of the given length and in the ipv6 form: what
// `tarn pseudonym` prints. Unlike the function Pseudonym it reads phone
// numbers with the rule set's phone regions.
func (e *Engine) Pseudonym(t time.Time, value []byte, length int) (hex, ipv6 string) {
	mac := pseudo.New(e.key, e.rotation, 1).Sum(t, e.normalize(nil, value))
	return string(pseudo.AppendHex(nil, mac, length)), string(pseudo.AppendIPv6(nil, mac))
}

// DefaultDetectAction is the action of a detector kind the rules give none:
// addresses are truncated, passwords and card numbers redacted, every
// other identifier becomes a pseudonym.
func DefaultDetectAction(k detect.Kind) Action {
	switch k {
	case detect.IPv4, detect.IPv6:
		return Action{TruncateIP: &TruncateIP{}}
	case detect.Secret, detect.Card:
		return Action{Redact: &Redact{}}
	}
	return Action{Pseudonymize: &Pseudonymize{}}
}

// counter adds a counter labelled rule to Stats.Actions and returns its
// slot.
func (e *Engine) counter(rule string) int {
	e.actions = append(e.actions, &action{rule: rule, slot: len(e.actions)})
	return len(e.actions) - 1
}

// compileAction compiles a validated Action and gives it a counter slot.
func (e *Engine) compileAction(rule string, a *Action) *action {
	c := e.newAction(a)
	c.rule, c.slot = rule, len(e.actions)
	e.actions = append(e.actions, c)
	return c
}

// newAction compiles a validated Action without a counter, for values no
// rule counts (metadata, the API key id).
func (e *Engine) newAction(a *Action) *action {
	c := &action{}
	c.placeholder, c.prefix = []byte(DefaultPlaceholder), e.prefix(a.TruncateIP)
	switch {
	case a.TruncateIP != nil:
		c.op = opTruncate
		if t := a.TruncateIP.Placeholder; t != nil {
			c.placeholder = []byte(*t)
		} else if t := e.cfg.TruncateIP; t != nil && t.Placeholder != nil {
			c.placeholder = []byte(*t.Placeholder)
		}
	case a.Pseudonymize != nil:
		c.op, c.keepDomain = opPseudo, a.Pseudonymize.KeepDomain
		c.form = map[string]form{"": formHex, "hex": formHex, "ipv6": formIPv6, "decimal": formDecimal}[a.Pseudonymize.Form]
		c.length = firstNonZero(a.Pseudonymize.Length, e.cfg.Pseudonyms.Length, DefaultPseudoLen)
	case a.Redact != nil:
		c.op = opRedact
		if a.Redact.With != nil {
			c.placeholder = []byte(*a.Redact.With)
		}
	case a.DropField != nil:
		c.op = opDrop
	case a.Mask != nil:
		c.op, c.maskFirst, c.maskLast, c.maskChar = opMask, a.Mask.KeepFirst, a.Mask.KeepLast, '*'
		if a.Mask.Char != "" {
			c.maskChar = a.Mask.Char[0]
		}
	case a.StripQuery != nil:
		c.op = opStripQuery
		c.allow, c.pseudoKeys, c.redactKeys = lowerSet(a.StripQuery.Allow), lowerSet(a.StripQuery.Pseudonymize), lowerSet(a.StripQuery.Redact)
		c.length = firstNonZero(e.cfg.Pseudonyms.Length, DefaultPseudoLen)
	case a.GeneralizeUserAgent != nil:
		c.op = opUserAgent
	case a.CoarsenTime != nil:
		c.op = opCoarsen
		c.coarsen = map[string]time.Duration{"": time.Hour, "minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}[a.CoarsenTime.To]
	case a.Scrub != nil:
		c.op = opScrub
	default:
		c.op = opKeep
	}
	if c.op == opPseudo || c.op == opScrub {
		c.length = firstNonZero(c.length, e.cfg.Pseudonyms.Length, DefaultPseudoLen)
	}
	return c
}

// prefix resolves the truncation prefixes of an action.
func (e *Engine) prefix(t *TruncateIP) ipaddr.Prefix { return EffectivePrefix(e.cfg, t) }

// EffectivePrefix resolves the truncation prefixes of an action with
// options own: its own, then the rule set's truncate_ip, then the
// defaults (24 and 48).
func EffectivePrefix(c *Config, own *TruncateIP) ipaddr.Prefix {
	p := ipaddr.DefaultPrefix
	for _, s := range []*TruncateIP{c.TruncateIP, own} {
		if s == nil {
			continue
		}
		if s.IPv4Prefix != nil {
			p.V4 = *s.IPv4Prefix
		}
		if s.IPv6Prefix != nil {
			p.V6 = *s.IPv6Prefix
		}
	}
	return p
}

func firstNonZero(v ...int) int {
	for _, x := range v {
		if x != 0 {
			return x
		}
	}
	return 0
}

func lowerSet(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[strings.ToLower(n)] = true
	}
	return m
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// MaxLineBytes returns the line length above which lines are cut.
func (e *Engine) MaxLineBytes() int { return e.maxLine }
