package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	"github.com/tarn-project/tarn/agent/pipe"
	"github.com/tarn-project/tarn/rules/cuttest"
)

// The tests of joining container records in `tarn filter` run the real
// binary (buildTarn) over CRI and docker input.

const (
	criMax  = 1024                          // max_line_bytes of cuttest.Rules
	criNow  = "2026-11-20T11:00:00Z"        // --now
	criTime = "2026-11-20T10:00:00.123456Z" // the records' time
)

// criPrefix is the prefix of a CRI record; all of them are this long.
func criPrefix(stream, tag string) string { return criTime + " " + stream + " " + tag + " " }

// runFilter runs the built binary's filter with args over stdin and
// returns its standard output.
func runFilterBin(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(buildTarn(t), append([]string{"filter", "--now", criNow}, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("tarn filter %q: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

// cutRules writes cuttest's rules (every detector redacts, lines cut at
// criMax) and returns the flags that use them.
func cutRules(t *testing.T, format string) []string {
	return []string{"--rules", writeFile(t, t.TempDir(), "rules.yaml", cuttest.Rules(criMax)), "--format", format}
}

// criMessage returns what follows the prefix of a CRI output line.
func criMessage(line string) string {
	for range 3 {
		if i := strings.IndexByte(line, ' '); i >= 0 {
			line = line[i+1:]
		}
	}
	return line
}

// TestFilterCRIJoinsSplitIdentifiers feeds identifiers the runtime split
// into partial records, in the cases of issue 13: each logical line comes
// out as one record, and neither the value nor a half of it survives.
func TestFilterCRIJoinsSplitIdentifiers(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6Ik1heCJ9.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
	long := strings.Repeat("zq ", 400) // longer than criMax with its prefix
	cases := []struct {
		name    string
		in      []string // records, without newline
		records int      // logical lines
		planted []string // value and halves that must not appear
		want    []string // what must appear
	}{
		{"email", []string{
			criPrefix("stdout", "P") + `{"msg":"mail to hannah.sch`,
			criPrefix("stdout", "F") + `warz@example.org sent"}`,
		}, 1, []string{"hannah.schwarz@example.org", "hannah.sch", "warz@example.org"}, []string{`{"msg":"mail to `, ` sent"}`}},
		{"ipv4", []string{
			criPrefix("stdout", "P") + "client 203.0.11",
			criPrefix("stdout", "F") + "3.77 port 443",
		}, 1, []string{"203.0.113.77", "3.77"}, []string{"client ", " port 443"}}, // the default rules keep 203.0.113.0
		{"iban", []string{
			criPrefix("stdout", "P") + "iban DE89 3704 00",
			criPrefix("stdout", "F") + "44 0532 0130 00 paid",
		}, 1, []string{"DE89", "3704", "0532 0130"}, []string{"iban ", " paid"}},
		{"jwt", []string{
			criPrefix("stdout", "P") + "got " + jwt[:50],
			criPrefix("stdout", "F") + jwt[50:] + " ok",
		}, 1, []string{jwt[:20], jwt[50:70], jwt[len(jwt)-20:]}, []string{"got ", " ok"}},
		{"interleaved", []string{
			criPrefix("stdout", "P") + "mail to hannah.sch",
			criPrefix("stderr", "P") + "client 203.0.11",
			criPrefix("stderr", "F") + "3.77 failed",
			criPrefix("stdout", "F") + "warz@example.org sent",
		}, 2, []string{"hannah.sch", "warz@example.org", "3.77"}, []string{"stderr F client ", "stdout F mail to "}},
		{"three pieces", []string{
			criPrefix("stdout", "P") + "to hannah",
			criPrefix("stdout", "P") + ".schwarz@exa",
			criPrefix("stdout", "P") + "mple.or",
			criPrefix("stdout", "F") + "g sent",
		}, 1, []string{"hannah", "schwarz", "mple.or", "example"}, []string{"stdout F to ", " sent"}},
		{"partial at end of input", []string{
			criPrefix("stdout", "F") + "first",
			criPrefix("stdout", "P") + "mail to hannah.sch",
		}, 2, []string{"hannah.sch"}, []string{"first", "mail to "}},
		{"partial longer than the limit", []string{
			criPrefix("stdout", "P") + long + "mail to hannah.schwarz@example.org " + long,
			criPrefix("stdout", "P") + "more hannah.sch",
			criPrefix("stdout", "F") + "warz@example.org sent",
			criPrefix("stdout", "F") + "next",
		}, 2, []string{"hannah", "warz@"}, []string{"stdout F zq zq", "stdout F next"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := strings.Join(c.in, "\n") + "\n"
			for _, rules := range [][]string{cutRules(t, "cri"), {"--format", "cri"}, {"--format", "auto"}} {
				out := runFilterBin(t, in, rules...)
				if n := strings.Count(out, "\n"); n != c.records {
					t.Errorf("%q: %d lines out, want %d:\n%s", rules, n, c.records, out)
				}
				for _, p := range c.planted {
					if strings.Contains(out, p) {
						t.Errorf("%q: %q survived:\n%s", rules, p, out)
					}
				}
				for _, w := range c.want {
					if !strings.Contains(out, w) {
						t.Errorf("%q: %q missing:\n%s", rules, w, out)
					}
				}
			}
		})
	}
}

// TestFilterCRILeavesNoFragment splits a line holding each identifier of
// cuttest at every offset of its value into a P and an F record, with a
// stderr record in between, and again into 2..5 pieces at random points:
// no raw fragment of the value survives, and every line comes out once.
func TestFilterCRILeavesNoFragment(t *testing.T) {
	type logical struct {
		id   cuttest.Ident
		line string
	}
	var in bytes.Buffer
	var lines []logical
	rng := rand.New(rand.NewPCG(13, 4))
	for _, id := range cuttest.Idents() {
		whole := string(cuttest.Whole(id))
		at := strings.Index(whole, id.Value)
		for off := 1; off < len(id.Value); off++ {
			cut := at + off
			fmt.Fprintf(&in, "%s%s\n%s%s\n%s%s\n", criPrefix("stdout", "P"), whole[:cut],
				criPrefix("stderr", "F"), "zq other", criPrefix("stdout", "F"), whole[cut:])
			lines = append(lines, logical{id, "zq other"}, logical{id, whole})
		}
		for range 20 {
			cuts := []int{0}
			for range 1 + rng.IntN(4) {
				cuts = append(cuts, 1+rng.IntN(len(whole)-1))
			}
			cuts = append(cuts, len(whole))
			for i := 1; i < len(cuts); i++ { // sort the few cuts
				for k := i; k > 1 && cuts[k] < cuts[k-1]; k-- {
					cuts[k], cuts[k-1] = cuts[k-1], cuts[k]
				}
			}
			for i := 1; i < len(cuts); i++ {
				tag := "P"
				if i == len(cuts)-1 {
					tag = "F"
				}
				fmt.Fprintf(&in, "%s%s\n", criPrefix("stdout", tag), whole[cuts[i-1]:cuts[i]])
			}
			lines = append(lines, logical{id, whole})
		}
	}
	out := splitLines(runFilterBin(t, in.String(), append(cutRules(t, "cri"), "-j", "2")...))
	if len(out) != len(lines) {
		t.Fatalf("%d lines out, %d logical lines in", len(out), len(lines))
	}
	for i, l := range lines {
		msg := criMessage(out[i])
		if f := cuttest.Leak([]byte(msg), l.id); f != "" {
			t.Errorf("%s: %q survived in %q", l.id.Kind, f, out[i])
		}
		if !strings.HasPrefix(msg, "zq ") {
			t.Errorf("%s: line %d is not the planted line: %q", l.id.Kind, i, out[i])
		}
	}
}

// TestFilterCRICutLeavesNoFragment joins lines longer than the limit:
// split in two records at random points, or the first record alone
// longer than the limit, the line is cut where cuttest plants the
// identifier (the cut counts the CRI prefix, as the rules do), and no raw
// fragment of it survives, neither at the cut nor in the records after.
func TestFilterCRICutLeavesNoFragment(t *testing.T) {
	pre := len(criPrefix("stdout", "F"))
	planted := cuttest.Lines(criMax - pre)
	rng := rand.New(rand.NewPCG(13, 5))
	var in bytes.Buffer
	for i, l := range planted {
		text := string(l.Text)
		switch i % 3 {
		case 0: // the joined line passes the limit
			cut := 1 + rng.IntN(len(text)-1)
			fmt.Fprintf(&in, "%s%s\n%s%s\n", criPrefix("stdout", "P"), text[:cut], criPrefix("stdout", "F"), text[cut:])
		case 1: // a P record alone passes it; the rest of the line follows
			fmt.Fprintf(&in, "%s%s\n%s%s\n", criPrefix("stdout", "P"), text, criPrefix("stdout", "F"), l.Ident.Value+" end")
		default: // as before, with a further P record
			fmt.Fprintf(&in, "%s%s\n%s%s\n%s%s\n", criPrefix("stdout", "P"), text, criPrefix("stdout", "P"), l.Ident.Value,
				criPrefix("stdout", "F"), l.Ident.Value+" end")
		}
	}
	r := exec.Command(buildTarn(t), append([]string{"filter", "--now", criNow, "--stats", "-j", "2"}, cutRules(t, "cri")...)...)
	r.Stdin = &in
	var stdout, stderr bytes.Buffer
	r.Stdout, r.Stderr = &stdout, &stderr
	if err := r.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.String())
	}
	out := splitLines(stdout.String())
	if len(out) != len(planted) {
		t.Fatalf("%d lines out, %d logical lines in", len(out), len(planted))
	}
	for i, l := range planted {
		if f := cuttest.Leak([]byte(criMessage(out[i])), l.Ident); f != "" {
			t.Errorf("%s cut after %d bytes (case %d): %q survived", l.Ident.Kind, l.Off, i%3, f)
		}
	}
	if want := fmt.Sprintf("cut %d,", len(planted)); !strings.Contains(stderr.String(), want) {
		t.Errorf("stats lack %q: %s", want, stderr.String())
	}
}

// TestFilterDockerJoins joins docker json-file records whose "log" lacks
// the final newline, per stream, and writes one record per line.
func TestFilterDockerJoins(t *testing.T) {
	rec := func(log, stream string) string {
		return fmt.Sprintf(`{"log":%q,"stream":%q,"time":"2026-11-20T10:00:00.1Z"}`, log, stream) + "\n"
	}
	in := rec("mail to hannah.sch", "stdout") + rec("client 203.0.11", "stderr") +
		rec("warz@example.org sent\n", "stdout") + rec("3.77 failed\n", "stderr") +
		rec("whole line\n", "stdout") + rec("tail max.muster", "stdout")
	for _, format := range []string{"docker", "auto"} {
		out := runFilterBin(t, in, cutRules(t, format)...)
		if n := strings.Count(out, "\n"); n != 4 {
			t.Errorf("%s: %d lines out, want 4:\n%s", format, n, out)
		}
		for _, p := range []string{"hannah.sch", "warz@example.org", "203.0.11", "3.77", "max.muster"} {
			if strings.Contains(out, p) {
				t.Errorf("%s: %q survived:\n%s", format, p, out)
			}
		}
		for _, w := range []string{`"log":"mail to `, `"log":"client `, `{"log":"whole line\n","stream":"stdout"`, `"log":"tail \n"`} {
			if !strings.Contains(out, w) {
				t.Errorf("%s: %q missing:\n%s", format, w, out)
			}
		}
	}
}

// TestFilterCRIUnsplitVerbatim checks that records needing no join go
// through the rules as before: the prefix of a full record is kept.
func TestFilterCRIUnsplitVerbatim(t *testing.T) {
	in := criPrefix("stdout", "F:x") + "plain words\n" + "not a cri line at all\n" + criPrefix("stderr", "F") + "more"
	out := runFilterBin(t, in, cutRules(t, "cri")...)
	want := criPrefix("stdout", "F:x") + "plain words\n" + "not a cri line at all\n" + criPrefix("stderr", "F") + "more"
	if out != want {
		t.Errorf("got\n%q\nwant\n%q", out, want)
	}
}

// TestFilterDockerOverlongRecord puts a docker record longer than the
// limit, which cannot be parsed once cut, between the partial records of
// a line: the pending line ends before it, cut, and the record after it
// loses the word at its start (on either stream: the cut record's stream
// is unknown), so neither half of the address survives.
func TestFilterDockerOverlongRecord(t *testing.T) {
	rec := func(log, stream string) string {
		return fmt.Sprintf(`{"log":%q,"stream":%q,"time":"2026-11-20T10:00:00.1Z"}`, log, stream) + "\n"
	}
	in := rec("mail to hannah.sch", "stdout") + rec(strings.Repeat("zq ", 400), "stdout") +
		rec("warz@example.org sent\n", "stdout") + rec("next words here\n", "stderr")
	out := runFilterBin(t, in, cutRules(t, "docker")...)
	if n := strings.Count(out, "\n"); n != 4 {
		t.Errorf("%d lines out, want 4:\n%s", n, out)
	}
	for _, p := range []string{"hannah", "warz@", "example.org"} {
		if strings.Contains(out, p) {
			t.Errorf("%q survived:\n%s", p, out)
		}
	}
	for _, w := range []string{`{"log":"mail to \n"`, `{"log":" sent\n","stream":"stdout"`, `{"log":" words here\n","stream":"stderr"`} { // it may have been stderr's
		if !strings.Contains(out, w) {
			t.Errorf("%q missing:\n%s", w, out)
		}
	}
	// The overlong record itself may start with the rest of the pending
	// line: an IBAN's last groups.
	in = rec("refund to DE89 3704", "stdout") + rec("0044 0532 0130 00 "+strings.Repeat("zq ", 400), "stdout")
	out = runFilterBin(t, in, cutRules(t, "docker")...)
	for _, p := range []string{"3704", "0044", "0532", "0130"} {
		if strings.Contains(out, p) {
			t.Errorf("%q survived:\n%s", p, out)
		}
	}
	if !strings.Contains(out, `{"log":" zq zq`) {
		t.Errorf("the overlong record's words after the IBAN are missing:\n%s", out)
	}
}

// FuzzContainerJoin runs the joining stage alone over arbitrary input
// (its seeds in every go test): it never fails, every record it writes
// fits the limit and it writes no more records than it reads.
func FuzzContainerJoin(f *testing.F) {
	for _, s := range []string{
		criPrefix("stdout", "P") + "mail to hannah.sch\n" + criPrefix("stderr", "P") + "x\n" + criPrefix("stdout", "F") + "warz@example.org\n",
		criPrefix("stdout", "P") + strings.Repeat("zq ", 200) + "\n" + criPrefix("stdout", "F") + "end",
		`{"log":"a","stream":"stdout","time":"2026-11-20T10:00:00Z"}` + "\n" + `{"log":"b\n","stream":"stdout","time":"2026-11-20T10:00:00Z"}`,
		`{"log":"` + strings.Repeat(`\"`, 300) + `","stream":"stderr","time":"2026-11-20T10:00:00Z"}` + "\n" + `{"log":"b\n","stream":"stderr","time":"2026-11-20T10:00:00Z"}`,
		`{"log":"` + strings.Repeat("zq ", 200) + "\n\n" + criPrefix("stderr", "P") + "\r\n",
	} {
		f.Add([]byte(s))
	}
	const max = 256
	f.Fuzz(func(t *testing.T, in []byte) {
		j := newContainerJoin(joinWrapper{cri: true, docker: true}, max)
		var out bytes.Buffer
		copyFunc := func() pipe.Func { return func(dst, chunk []byte) []byte { return append(dst, chunk...) } }
		if err := runJoined(bytes.NewReader(in), &out, j, pipe.Options{MaxLineBytes: max, ChunkBytes: 64}, copyFunc); err != nil {
			t.Fatal(err)
		}
		lines := splitLines(out.String())
		if n := len(splitLines(string(in) + "\n")); len(lines) > n {
			t.Errorf("%d records out of %d lines", len(lines), n)
		}
		for _, l := range lines {
			if n := len(strings.TrimSuffix(l, "\n")); n > max {
				t.Errorf("record of %d bytes: %q", n, l)
			}
		}
	})
}
