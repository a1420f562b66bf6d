package main

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/tarn-project/tarn/agent/pipe"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/anonip"
	"github.com/tarn-project/tarn/rules/detect"
	"github.com/tarn-project/tarn/rules/format"
	"github.com/tarn-project/tarn/rules/pseudo"
)

// filterFlags are the flags of `tarn filter`.
type filterFlags struct {
	rules, format, keyFile, input, output, now string
	workers                                    int
	stats                                      bool
	anonipMode                                 bool // an anonip flag was given
	columnsOrDelimiter                         bool // -c or -l was given
	anon                                       anonip.Options
}

func (f *filterFlags) specs() []flagSpec {
	mode := &f.anonipMode
	a := &f.anon
	return []flagSpec{
		{[]string{"--rules"}, oneFlag, "rules file or builtin:NAME (default builtin:default)", setString(&f.rules)},
		{[]string{"--format"}, oneFlag, "input format: auto, combined, common, json, logfmt, text, cri, docker, syslog, nginx_error, php_trace", setString(&f.format)},
		{[]string{"--key-file"}, oneFlag, "pseudonym key file (default: a random key for this process)", setString(&f.keyFile)},
		{[]string{"--input"}, oneFlag, "file or FIFO to read (default stdin)", setString(&f.input)},
		{[]string{"-o", "--output"}, oneFlag, "file to append to (default stdout)", setString(&f.output)},
		{[]string{"-j", "--workers"}, oneFlag, "parallel workers (default: all cores)", setInt(&f.workers, nil)},
		{[]string{"--now"}, oneFlag, "processing time, RFC 3339, for the age rule (default: the clock)", setString(&f.now)},
		{[]string{"--stats"}, boolFlag, "print counters to stderr at the end", setBool(&f.stats)},
		{[]string{"--anonip"}, boolFlag, "anonip mode with anonip's defaults", setBool(mode)},
		{[]string{"-4", "--ipv4mask"}, oneFlag, "anonip mode: zero the last n bits of IPv4 (default 12)", setInt(&a.IPv4Mask, mode)},
		{[]string{"-6", "--ipv6mask"}, oneFlag, "anonip mode: zero the last n bits of IPv6 (default 84)", setInt(&a.IPv6Mask, mode)},
		{[]string{"-i", "--increment"}, oneFlag, "anonip mode: add n (>= 1) to the masked address", f.setIncrement},
		{[]string{"-c", "--column"}, manyFlag, "anonip mode: 1-based columns holding addresses", f.setColumns},
		{[]string{"-l", "--delimiter"}, oneFlag, "anonip mode: column delimiter (default \" \")", f.setDelimiter},
		{[]string{"--regex"}, manyFlag, "anonip mode: regexes whose groups hold addresses", f.setRegex},
		{[]string{"-r", "--replace"}, oneFlag, "anonip mode: replacement when a column is no address", f.setReplace},
		{[]string{"-p", "--skip-private"}, boolFlag, "anonip mode: keep private addresses", f.setSkipPrivate},
		{[]string{"-d", "--debug"}, boolFlag, "anonip mode: accepted for compatibility", func([]string) error { return nil }},
	}
}

func (f *filterFlags) setColumns(v []string) error {
	f.anonipMode, f.columnsOrDelimiter, f.anon.Columns = true, true, nil
	for _, s := range v {
		var n int
		if err := setInt(&n, nil)([]string{s}); err != nil {
			return err
		}
		f.anon.Columns = append(f.anon.Columns, n)
	}
	return nil
}

// setIncrement sets -i. Like anonip, it rejects 0, which anonip.Options
// would read as "off".
func (f *filterFlags) setIncrement(v []string) error {
	var n int
	if err := setInt(&n, &f.anonipMode)(v); err != nil {
		return err
	}
	if n < 1 {
		return fmt.Errorf("must be a positive integer, got %d", n)
	}
	f.anon.Increment = n
	return nil
}

func (f *filterFlags) setDelimiter(v []string) error {
	f.anonipMode, f.columnsOrDelimiter, f.anon.Delimiter = true, true, v[0]
	return nil
}

func (f *filterFlags) setRegex(v []string) error {
	f.anonipMode, f.anon.Regex = true, v
	return nil
}

func (f *filterFlags) setReplace(v []string) error {
	f.anonipMode, f.anon.Replace = true, v[0]
	return nil
}

func (f *filterFlags) setSkipPrivate([]string) error {
	f.anonipMode, f.anon.SkipPrivate = true, true
	return nil
}

// filterCommand is `tarn filter`.
var filterCommand = &command{
	name: "filter", summary: "anonymize a log stream (stdin → stdout); accepts anonip's flags",
	usage:    "tarn filter [flags] < in > out\ntarn filter --input FILE [-o OUT] [flags]",
	argsHint: " (use --input)",
	setup: func() ([]flagSpec, action) {
		f := filterFlags{rules: rules.BuiltinPrefix + "default", anon: anonip.DefaultOptions()}
		return f.specs(), f.run
	},
}

// run is the action of `tarn filter`.
func (f *filterFlags) run(_ []string, stdin io.Reader, stdout, stderr io.Writer) int {
	in, out, closeAll, err := openStreams(f.input, f.output, stdin, stdout)
	if err != nil {
		return fail(stderr, err)
	}
	defer closeAll()
	in, j := startJob(in, stderr)
	if f.anonipMode {
		err = filterAnonip(in, out, f)
		j.finish(nil)
	} else {
		err = filterRules(in, out, stderr, f, j)
	}
	if err != nil {
		return fail(stderr, err)
	}
	return 0
}

// openStreams opens --input and --output (appending, like anonip).
func openStreams(input, output string, stdin io.Reader, stdout io.Writer) (io.Reader, io.Writer, func(), error) {
	in, out := stdin, stdout
	var closers []func() error
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	if input != "" {
		r, c, err := openInput(input) // a FIFO stays open across writers (filter_fifo.go)
		if err != nil {
			return nil, nil, nil, err
		}
		closers, in = append(closers, c), r
	}
	if output != "" {
		f, err := os.OpenFile(output, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o640)
		if err != nil {
			closeAll()
			return nil, nil, nil, err
		}
		closers, out = append(closers, f.Close), f
	}
	return in, out, closeAll, nil
}

// filterAnonip runs the anonip-compatible filter.
func filterAnonip(in io.Reader, out io.Writer, f *filterFlags) error {
	if len(f.anon.Regex) > 0 && f.columnsOrDelimiter {
		return fmt.Errorf("%w: ambiguous arguments: when using --regex, -c and -l can't be used", errUsage)
	}
	a, err := anonip.New(f.anon)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	// anonip reads stdin split at "\n" only, but opens --input with
	// universal newlines, where a lone "\r" ends a line too.
	universal := f.input != ""
	o := pipe.Options{Workers: f.workers, MaxLineBytes: anonipMaxLine, Universal: universal}
	return pipe.Run(in, out, o, func() pipe.Func {
		return func(dst, chunk []byte) []byte { return anonipChunk(a, dst, chunk, universal, anonipMaxLine) }
	})
}

// anonipMaxLine bounds the lines of anonip mode (anonip has no bound) like
// the default mode's: a longer line is cut, so memory stays bounded.
const anonipMaxLine = rules.DefaultMaxLineBytes

// anonipChunk frames lines as anonip does: every line, also a last one
// without newline, is written with "\n"; with universal newlines a lone
// "\r" ends a line too. A line longer than max bytes (the pipe passes
// max+1 bytes of it) is cut as in the default mode, where no identifier is
// cut in half (detect.CutEnd).
func anonipChunk(a *anonip.Anonymizer, dst, chunk []byte, universal bool, max int) []byte {
	split := anonip.ScanLines
	if universal {
		split = anonip.ScanLinesUniversal
	}
	for len(chunk) > 0 {
		adv, line, _ := split(chunk, true)
		if len(line) > max {
			line = line[:detect.CutEnd(line[:max], line[max])]
		}
		dst = append(a.AppendLine(dst, line), '\n')
		chunk = chunk[adv:]
	}
	return dst
}

// filterRules runs the rules engine over the stream; at the end it warns
// about records dropped as too old and finishes the job j.
func filterRules(in io.Reader, out, stderr io.Writer, f *filterFlags, j *job) error {
	eng, err := compileRules(f.rules, f.format, f.keyFile, stderr)
	if err != nil {
		return err
	}
	clock, err := parseNow(f.now)
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var procs []*rules.Processor
	o := pipe.Options{Workers: f.workers, MaxLineBytes: eng.MaxLineBytes()}
	newFunc := func() pipe.Func {
		p := eng.NewProcessor()
		mu.Lock()
		procs = append(procs, p)
		mu.Unlock()
		return func(dst, chunk []byte) []byte { return appendChunk(p, dst, chunk, clock()) }
	}
	var joinCut uint64
	inFormat, _ := format.ParseFormat(cmp.Or(eng.Config().Format, "auto"))
	if w, ok := joinFor(inFormat); ok {
		// Partial container records are joined first (filter_cri.go).
		j := newContainerJoin(w, eng.MaxLineBytes())
		err = runJoined(in, out, j, o, newFunc)
		joinCut = j.cutRecs
	} else {
		err = pipe.Run(in, out, o, newFunc)
	}
	s := sumStats(eng, procs, joinCut)
	if f.stats {
		printStats(stderr, eng, &s)
	}
	warnTooOld(stderr, eng, &s, clock())
	j.finish(func(elapsed time.Duration) string { return summaryLine(&s, "out", elapsed) })
	return err
}

// compileRules loads the rules at path (or builtin:NAME), overrides their
// input format with inputFormat unless it is empty (--format), and
// compiles them with the key of keyFile (or a random one, see
// loadOrRandomKey). It is shared by `tarn filter` and `tarn aggregate`.
func compileRules(path, inputFormat, keyFile string, stderr io.Writer) (*rules.Engine, error) {
	cfg, err := rules.LoadConfig(path)
	if err != nil {
		return nil, asConfigError(err)
	}
	if inputFormat != "" {
		if _, err := format.ParseFormat(inputFormat); err != nil {
			return nil, fmt.Errorf("%w: --format: %v", errUsage, err)
		}
		cfg.Format = inputFormat
	}
	key, err := loadOrRandomKey(keyFile, stderr)
	if err != nil {
		return nil, asConfigError(err)
	}
	eng, err := rules.Compile(cfg, key)
	return eng, asConfigError(err)
}

// appendChunk runs p over every line of chunk. A "\r" before the newline
// is kept; a dropped record leaves no line.
func appendChunk(p *rules.Processor, dst, chunk []byte, now time.Time) []byte {
	for len(chunk) > 0 {
		line := chunk
		nl := bytes.IndexByte(chunk, '\n')
		if nl >= 0 {
			line, chunk = chunk[:nl], chunk[nl+1:]
		} else {
			chunk = nil
		}
		cr := len(line) > 0 && line[len(line)-1] == '\r'
		if cr {
			line = line[:len(line)-1]
		}
		mark := len(dst)
		var res rules.Result
		dst, res = p.Append(dst, line, now)
		if res.Reason != rules.Kept {
			dst = dst[:mark]
			continue
		}
		if cr {
			dst = append(dst, '\r')
		}
		if nl >= 0 {
			dst = append(dst, '\n')
		}
	}
	return dst
}

// loadOrRandomKey loads the key file, or makes a random key for this
// process and says so once on stderr.
func loadOrRandomKey(path string, stderr io.Writer) ([]byte, error) {
	if path != "" {
		warnKeyFile(path, stderr)
		return pseudo.LoadKeyFile(path)
	}
	fmt.Fprintln(stderr, "tarn: no --key-file: pseudonyms use a random key of this process only; they will not match other runs or nodes")
	return pseudo.GenerateKey()
}

// printStats prints the counters of a run (--stats).
func printStats(w io.Writer, eng *rules.Engine, s *rules.Stats) {
	fmt.Fprintf(w, "lines %d, bytes %d, cut %d, unparsed (scrubbed) %d\n", s.Lines, s.Bytes, s.Cut, s.Unparsed)
	for r := rules.Reason(0); r < rules.NumReasons; r++ {
		fmt.Fprintf(w, "records %s %d\n", r, s.Records[r])
	}
	for k, n := range s.Detections {
		if n > 0 {
			fmt.Fprintf(w, "detected %s %d\n", detect.Kind(k), n)
		}
	}
	for i, name := range eng.Rules() {
		if s.Actions[i] > 0 {
			fmt.Fprintf(w, "rule %s %d\n", name, s.Actions[i])
		}
	}
}
