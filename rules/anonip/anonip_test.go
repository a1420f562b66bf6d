package anonip

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

// lineCase is one anonip run over a single line.
type lineCase struct {
	name string
	args []string
	in   string
	want string
	// divergent marks the cases where anonip 1.1.0 crashes; they are not
	// compared with the real anonip.
	divergent bool
}

var lineCases = []lineCase{
	{name: "default v4", in: "192.168.100.200 - - x", want: "192.168.96.0 - - x"},
	{name: "v4 port", in: "1.2.3.4:80 foo", want: "1.2.0.0:80 foo"},
	{name: "v4 trailing bracket", in: "1.2.3.4]", want: "1.2.0.0]"},
	{name: "v4 in brackets is rejected by urlsplit", in: "[1.2.3.4]:80", want: "[1.2.3.4]:80"},
	{name: "v4 user@", in: "user@1.2.3.4 x", want: "user@1.2.0.0 x"},
	{name: "v4 query and fragment", in: "1.2.3.4?a 1.2.3.4#b", want: "1.2.0.0?a 1.2.3.4#b"},
	{name: "v4 all occurrences in column", in: "1.2.3.4:1.2.3.4", want: "1.2.0.0:1.2.0.0"},
	{name: "v4 CIDR host bits set keeps suffix", in: "1.2.3.4/24 foo", want: "1.2.0.0/24 foo"},
	{name: "v4 network becomes bare address", in: "1.2.3.0/24", want: "1.2.0.0"},
	{name: "v4 /32", in: "1.2.3.4/32", want: "1.2.0.0"},
	{name: "v4 dotted netmask", in: "1.2.3.0/255.255.255.0", want: "1.2.0.0"},
	{name: "v4 hostmask", in: "1.2.3.0/0.0.0.255", want: "1.2.0.0"},
	{name: "v4 /0", in: "0.0.0.0/0", want: "0.0.0.0"},
	{name: "v4 /0 increment", args: []string{"-i", "7"}, in: "0.0.0.0/0", want: "0.0.0.7"},
	{name: "short prefix crashes anonip", in: "10.0.0.0/8 x", want: "10.0.0.0/8 x", divergent: true},
	{name: "short prefix with replace", args: []string{"-r", "R"}, in: "10.0.0.0/8", want: "R", divergent: true},
	{name: "invalid v4", in: "999.1.1.1 foo", want: "999.1.1.1 foo"},
	{name: "leading zero v4", in: "01.02.03.04 x", want: "01.02.03.04 x"},
	{name: "quoted v4", in: `"1.2.3.4" x`, want: `"1.2.3.4" x`},
	{name: "fullwidth digits", in: "１.２.３.４", want: "１.２.３.４"},
	{name: "mapped v6 uses v6 mask", in: "::ffff:1.2.3.4", want: "::"},
	{name: "mapped v6 bracket port", in: "[::ffff:1.2.3.4]:443", want: "[::]:443"},
	{name: "mapped v6 small mask prints hex", args: []string{"-6", "8"}, in: "::ffff:1.2.3.4", want: "::ffff:102:300"},
	{name: "v6 compressed lower", in: "2001:DB8::1 x", want: "2001:db8:: x"},
	{name: "v6 bracket port", in: "[::1]:8080 x", want: "[::]:8080 x"},
	{name: "v6 upper-case in brackets is not found", in: "[2001:DB8::1]:80", want: "[2001:DB8::1]:80"},
	{name: "v6 double bracket", in: "[2001:db8::1]]", want: "[2001:db8::]]"},
	{name: "v6 data after bracket", in: "[2001:db8::1]x", want: "[2001:db8::1]x"},
	{name: "v6 zone dropped", in: "fe80::1%eth0 x", want: "fe80:: x"},
	{name: "v6 zone in brackets", in: "[fe80::1%EtH0]:80", want: "[fe80::]:80"},
	{name: "v6 empty zone", in: "fe80::1% x", want: "fe80::1% x"},
	{name: "v6 two percent", in: "[fe80::1%a%b]", want: "[fe80::1%a%b]"},
	{name: "v6 network", in: "2001:db8::/64", want: "2001:db8::"},
	{name: "v6 skip private normalizes", args: []string{"-p"}, in: "fe80::0001", want: "fe80::1"},
	{name: "tab inside host", in: "[fe80::\t1]:80", want: "[fe80::\t1]:80"},
	{name: "tab after port colon", in: "1.2.3.4:\t80", want: "1.2.0.0:\t80"},
	{name: "NFKC-unsafe char in netloc", in: "1.2.3.4:\uff03", want: "1.2.3.4:\uff03"},
	{name: "NFKC-safe char in netloc", in: "1.2.3.4:é", want: "1.2.0.0:é"},
	{name: "no ip", in: "no ip here", want: "no ip here"},
	{name: "column does not exist", args: []string{"-c", "5"}, in: "1.2.3.4 a", want: "1.2.3.4 a"},
	{name: "empty column untouched by replace", args: []string{"-r", "R", "-c", "2"}, in: "a  b", want: "a  b"},
	{name: "replace non-ip column", args: []string{"-r", "0.0.0.0"}, in: "bar baz", want: "0.0.0.0 baz"},
	{name: "replace invalid ip", args: []string{"-r", "0.0.0.0"}, in: "999.1.1.1 foo", want: "0.0.0.0 foo"},
	{name: "columns 1 3", args: []string{"-c", "3", "1"}, in: "1.1.1.1 2.2.2.2 3.3.3.3", want: "1.1.0.0 2.2.2.2 3.3.0.0"},
	{name: "repeated column applies twice", args: []string{"-c", "1", "1", "-i", "5000"}, in: "1.2.3.4", want: "1.2.35.136"},
	{name: "repeated column replace then mask", args: []string{"-c", "1", "1", "-r", "9.9.9.9"}, in: "x", want: "9.9.0.0"},
	{name: "delimiter rejoin", args: []string{"-l", ";", "-c", "2"}, in: "a;1.2.3.4;;c", want: "a;1.2.0.0;;c"},
	{name: "multi-byte delimiter", args: []string{"-l", "é"}, in: "1.2.3.4é1.2.3.4", want: "1.2.0.0é1.2.3.4"},
	{name: "increment", args: []string{"-i", "3"}, in: "192.168.100.200", want: "192.168.96.3"},
	{name: "increment overflow keeps mask", args: []string{"-i", "4294967295"}, in: "1.2.3.4", want: "1.2.0.0"},
	{name: "v6 increment", args: []string{"-i", "1", "-6", "42"}, in: "2a00:1450:400a:803::200e", want: "2a00:1450:400a:803::1"},
	{name: "skip private v4", args: []string{"-p"}, in: "10.1.2.3", want: "10.1.2.3"},
	{name: "skip private shared space masked", args: []string{"-p"}, in: "100.64.1.1", want: "100.64.0.0"},
	{name: "skip private exception masked", args: []string{"-p"}, in: "192.0.0.9", want: "192.0.0.0"},
	{name: "skip private mapped public", args: []string{"-p"}, in: "::ffff:1.2.3.4", want: "::"},
	{name: "skip private mapped private", args: []string{"-p"}, in: "::ffff:10.0.0.1", want: "::ffff:a00:1"},
	{name: "rstrip unicode space", in: "1.2.3.4\u00a0\u3000\u0085 \r", want: "1.2.0.0"},
	{name: "whitespace only", in: " \t\u2028", want: ""},
	{name: "NUL and invalid UTF-8 kept", in: "\xff\x00 1.2.3.4 \xc3", want: "\xff\x00 1.2.3.4 \xc3"},
	{name: "zero-width space is not whitespace", in: "1.2.3.4\u200b", want: "1.2.3.4\u200b"},
	{name: "prefix with 4300 digits", in: "0.0.0.0/" + strings.Repeat("0", 4300), want: "0.0.0.0"},
	{name: "prefix with 4301 digits is invalid", in: "0.0.0.0/" + strings.Repeat("0", 4301), want: "0.0.0.0/" + strings.Repeat("0", 4301)},
	{name: "v6 increment overflow", args: []string{"-6", "1", "-i", "2"}, in: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", want: "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"},
	{name: "zone tab join is a different string", in: "[fe80::1%\xc3\t\x80]:1fe80::1%\xc3\x80", want: "[fe80::1%\xc3\t\x80]:1fe80::1%\xc3\x80"},
	{name: "zone tab removed then found", in: "[fe80::1%a\tb]:1fe80::1%ab", want: "[fe80::1%a\tb]:1fe80::"},
	{name: "zone ends inside a character elsewhere", in: "[fe80::1%\xc3]:1fe80::1%\xc3\xa9", want: "[fe80::]:1fe80::1%\xc3\xa9"},
	{name: "regex replace needle starting with continuation byte", args: []string{"--regex", `^(\S+) `, "-r", "R"}, in: "\x80a \xc3\x80a", want: "R \xc3\x80a"},
	{name: "regex groups", args: []string{"--regex", `^([^,]+) - somefixedstring: ([^,]+) - .* - ([^,]+)`},
		in: "1.1.1.1 - somefixedstring: 2.2.2.2 - x - 3.3.3.3", want: "1.1.0.0 - somefixedstring: 2.2.0.0 - x - 3.3.0.0"},
	{name: "regex replaces everywhere in line", args: []string{"--regex", `^(\S+)`}, in: "1.2.3.4 x 1.2.3.4", want: "1.2.0.0 x 1.2.0.0"},
	{name: "regex no match", args: []string{"--regex", `^x(\d+)`}, in: "1.2.3.4", want: "1.2.3.4"},
	{name: "regex replace non-ip group", args: []string{"--regex", `^(\w+) `, "-r", "R"}, in: "abc abc", want: "R R"},
	{name: "regex unicode digit class", args: []string{"--regex", `^\d+ (\S+)`}, in: "١٢ 1.2.3.4", want: "١٢ 1.2.0.0"},
	{name: "regex joined alternatives", args: []string{"--regex", `^a (\S+)`, `^b (\S+)`}, in: "b 1.2.3.4", want: "b 1.2.0.0"},
	{name: "regex bracketed group", args: []string{"--regex", `^\S+ (\S+)`}, in: "x [::1]:80", want: "x [::]:80"},
}

func TestAppendLine(t *testing.T) {
	for _, c := range lineCases {
		t.Run(c.name, func(t *testing.T) {
			a := mustNew(t, c.args...)
			got := a.AppendLine([]byte("prefix|"), []byte(c.in))
			if want := "prefix|" + c.want; string(got) != want {
				t.Errorf("AppendLine(%q) with %q = %q, want %q", c.in, c.args, got, want)
			}
		})
	}
}

// TestAppendLineAgainstAnonip checks the literal expectations above with
// the real anonip (one process per distinct flag set).
func TestAppendLineAgainstAnonip(t *testing.T) {
	bin := anonipPath(t)
	byArgs := map[string][]lineCase{}
	for _, c := range lineCases {
		if !c.divergent {
			k := strings.Join(c.args, "\x00")
			byArgs[k] = append(byArgs[k], c)
		}
	}
	for _, cases := range byArgs {
		var in, want strings.Builder
		for _, c := range cases {
			in.WriteString(c.in + "\n")
			want.WriteString(c.want + "\n")
		}
		got := runAnonip(t, bin, cases[0].args, []byte(in.String()))
		compareOutputs(t, "table "+strings.Join(cases[0].args, " "), []byte(in.String()), got, []byte(want.String()))
	}
}

// tsvExceptions are rows of the upstream suite (main branch, newer than
// 1.1.0) on which anonip 1.1.0 behaves differently; the value is 1.1.0's
// output, verified with /usr/bin/anonip.
var tsvExceptions = map[string]string{
	// 1.1.0 lower-cases the bracketed hostname and then cannot find it in
	// the column, so the column stays unchanged.
	"[2001:db8:1::ab9:C0A8:102]:8080": "[2001:db8:1::ab9:C0A8:102]:8080",
}

// TestRealdataTSV runs every row of the shared anonip test vectors.
func TestRealdataTSV(t *testing.T) {
	for _, file := range []string{"anonip_cases.tsv", "anonip_observed.tsv"} {
		b, err := os.ReadFile(filepath.Join(realdataDir, file))
		if err != nil {
			t.Skipf("shared test vectors not available (%v)", err)
		}
		rows := strings.Split(strings.TrimRight(string(b), "\n"), "\n")[1:]
		if len(rows) < 20 {
			t.Fatalf("%s: only %d rows", file, len(rows))
		}
		for i, row := range rows {
			f := strings.Split(row, "\t")
			if len(f) < 3 {
				t.Fatalf("%s row %d: %d fields", file, i+2, len(f))
			}
			o := tsvOptions(t, f[0])
			a, err := build(o, false)
			if err != nil {
				t.Fatalf("%s row %d: %v", file, i+2, err)
			}
			want, ok := tsvExceptions[f[1]]
			if !ok {
				want = f[2]
			}
			if got := a.AppendLine(nil, []byte(f[1])); string(got) != want {
				t.Errorf("%s row %d (%s): %q -> %q, want %q", file, i+2, f[0], f[1], got, want)
			}
		}
	}
}

// tsvOptions parses the options column of the shared vectors: either
// "key=value ..." (values may contain spaces) or anonip flags.
func tsvOptions(t *testing.T, s string) Options {
	s = strings.TrimPrefix(s, "CLI: ")
	if i := strings.Index(s, " ("); i >= 0 && !strings.HasPrefix(s, "ipv4mask=") {
		s = s[:i] // drop explanations like "(skip-private)"
	}
	if strings.HasPrefix(s, "-") {
		if strings.HasPrefix(s, "--input") {
			return DefaultOptions()
		}
		o, err := parseCLI(strings.Fields(s))
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	o := DefaultOptions()
	if !strings.HasPrefix(s, "ipv4mask=") {
		return o // "defaults ..." rows
	}
	s = strings.ReplaceAll(s, " skip-private", " skip-private=1")
	keys := []string{"ipv4mask", "ipv6mask", "increment", "columns", "regex", "replace", "delimiter", "skip-private"}
	for s != "" {
		k, rest, _ := strings.Cut(s, "=")
		v := rest
		next := len(rest)
		for _, key := range keys {
			if j := strings.Index(rest, " "+key+"="); j >= 0 && j < next {
				next = j
			}
		}
		v, s = rest[:next], strings.TrimPrefix(rest[next:], " ")
		setTSVOption(t, &o, k, v)
	}
	return o
}

func setTSVOption(t *testing.T, o *Options, k, v string) {
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("option %s: %v", k, err)
		}
		return n
	}
	switch k {
	case "ipv4mask":
		o.IPv4Mask = atoi(v)
	case "ipv6mask":
		o.IPv6Mask = atoi(v)
	case "increment":
		o.Increment = atoi(v)
	case "columns":
		o.Columns = nil
		if !strings.HasPrefix(v, "default") {
			for _, c := range strings.Split(v, ",") {
				o.Columns = append(o.Columns, atoi(c))
			}
		}
	case "regex":
		o.Regex = []string{v}
	case "replace":
		o.Replace = v
	case "delimiter":
		o.Delimiter = v
	case "skip-private":
		o.SkipPrivate = true
	default:
		t.Fatalf("unknown option %q", k)
	}
}

// TestFraming checks anonip's stdin framing: "\n" only, CRLF, a missing
// final newline, empty and whitespace-only lines, a lone CR.
func TestFraming(t *testing.T) {
	a := mustNew(t)
	cases := []struct{ in, want string }{
		{"", ""},
		{"\n", "\n"},
		{"1.2.3.4", "1.2.0.0\n"},
		{"1.2.3.4\r\n\r\n", "1.2.0.0\n\n"},
		{"  \n\t\n", "\n\n"},
		{"a\rb 1.2.3.4\n", "a\rb 1.2.3.4\n"},
		{"1.2.3.4\n5.6.7.8", "1.2.0.0\n5.6.0.0\n"},
	}
	for _, c := range cases {
		if got := a.AppendText(nil, []byte(c.in)); string(got) != c.want {
			t.Errorf("AppendText(%q) = %q, want %q", c.in, got, c.want)
		}
		if got := scanAll(a, c.in, ScanLines); got != c.want {
			t.Errorf("ScanLines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestScanLinesUniversal checks --input FILE framing, also with a "\r\n"
// split across reads.
func TestScanLinesUniversal(t *testing.T) {
	a := mustNew(t)
	cases := []struct{ in, want string }{
		{"", ""},
		{"a\rb", "a\nb\n"},
		{"a\r\nb\r", "a\nb\n"},
		{"a\r\r\nb\n\n", "a\n\nb\n\n"},
		{"1.2.3.4\r5.6.7.8", "1.2.0.0\n5.6.0.0\n"},
	}
	for _, c := range cases {
		if got := scanAll(a, c.in, ScanLinesUniversal); got != c.want {
			t.Errorf("ScanLinesUniversal(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// scanAll frames in with split, reading one byte at a time.
func scanAll(a *Anonymizer, in string, split bufio.SplitFunc) string {
	sc := bufio.NewScanner(iotest.OneByteReader(strings.NewReader(in)))
	sc.Split(split)
	var out []byte
	for sc.Scan() {
		out = append(a.AppendLine(out, sc.Bytes()), '\n')
	}
	return string(out)
}

func TestNewValidation(t *testing.T) {
	bad := []struct {
		name string
		mod  func(*Options)
	}{
		{"ipv4mask 0", func(o *Options) { o.IPv4Mask = 0 }},
		{"ipv4mask 33", func(o *Options) { o.IPv4Mask = 33 }},
		{"ipv6mask 0", func(o *Options) { o.IPv6Mask = 0 }},
		{"ipv6mask 129", func(o *Options) { o.IPv6Mask = 129 }},
		{"negative increment", func(o *Options) { o.Increment = -1 }},
		{"column 0", func(o *Options) { o.Columns = []int{1, 0} }},
		{"empty delimiter", func(o *Options) { o.Delimiter = "" }},
		{"invalid UTF-8 delimiter", func(o *Options) { o.Delimiter = "\xff" }},
		{"bad regex", func(o *Options) { o.Regex = []string{"("} }},
	}
	for _, c := range bad {
		o := DefaultOptions()
		c.mod(&o)
		if _, err := New(o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: New error = %v, want ErrInvalidOptions", c.name, err)
		}
	}
	o := DefaultOptions()
	o.IPv4Mask, o.IPv6Mask, o.Columns = 0, 200, []int{-1}
	_, err := New(o)
	for _, part := range []string{"ipv4mask", "ipv6mask", "column"} {
		if err == nil || !strings.Contains(err.Error(), part) {
			t.Errorf("joined error %v lacks %q", err, part)
		}
	}
	for _, ok := range []Options{DefaultOptions(), {IPv4Mask: 32, IPv6Mask: 128, Increment: 1, Columns: []int{9999}, Delimiter: "é"}} {
		if _, err := New(ok); err != nil {
			t.Errorf("New(%+v): %v", ok, err)
		}
	}
}

func TestDefaultOptions(t *testing.T) {
	o := DefaultOptions()
	if o.IPv4Mask != 12 || o.IPv6Mask != 84 || o.Increment != 0 || len(o.Columns) != 1 ||
		o.Columns[0] != 1 || o.Delimiter != " " || o.Regex != nil || o.Replace != "" || o.SkipPrivate {
		t.Errorf("DefaultOptions() = %+v", o)
	}
	a, err := New(Options{IPv4Mask: 12, IPv6Mask: 84, Delimiter: " "}) // nil Columns = [1]
	if err != nil {
		t.Fatal(err)
	}
	if got := a.AppendLine(nil, []byte("1.2.3.4 5.6.7.8")); string(got) != "1.2.0.0 5.6.7.8" {
		t.Errorf("nil Columns: %q", got)
	}
}

// TestLargeAndHostileInput feeds a 10 MB line, long zones and pathological
// needles; it must finish (linear time) and keep the byte counts sane.
func TestLargeAndHostileInput(t *testing.T) {
	big := bytes.Repeat([]byte("1.2.3.4 \xff\x00é"), 1<<20)
	for _, args := range [][]string{nil, {"-c", "1", "3", "100000"}, {"-r", "x"}, {"--regex", `^(\S+)`}} {
		a := mustNew(t, args...)
		if out := a.AppendLine(nil, big); len(out) == 0 || len(out) > len(big) {
			t.Errorf("%q: output length %d for input %d", args, len(out), len(big))
		}
	}
	zone := "[fe80::1%" + strings.Repeat("a\t", 1<<20) + "]:1"
	if got := mustNew(t).AppendLine(nil, []byte(zone)); string(got) != zone {
		t.Error("tab-split zone must stay unchanged")
	}
	// A needle that starts inside a multi-byte character at every candidate
	// position: the checked (KMP) path must stay linear.
	hostile := "\x80" + strings.Repeat("\xc3\x80", 1<<20) + " " + strings.Repeat("\xc3\x80", 1<<21)
	a := mustNew(t, "--regex", `^(\S+) `, "-r", "R")
	if got := a.AppendLine(nil, []byte(hostile)); !bytes.HasPrefix(got, []byte("R ")) {
		t.Errorf("hostile needle: output starts %q", got[:min(10, len(got))])
	}
}
