package agent

import (
	"encoding/json"
	"fmt"
	"github.com/tarn-project/tarn/agent/inputs"
	"github.com/tarn-project/tarn/rules/format"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules/cuttest"
)

// The tests of cutting container lines run the agent over real files:
// cuttest's rules (every detector redacts, lines cut at cutMax) and
// identifiers planted where a line is cut, checked by cuttest.Leak.

const cutMax = 1024 // max_line_bytes of cuttest.Rules

// cutPodConfig is podConfig with cuttest's rules and free-text messages.
func cutPodConfig(t *testing.T, dir, format string) string {
	t.Helper()
	cfg := podConfig(t, dir, format, "\n    message_format: text")
	if err := os.WriteFile(filepath.Join(dir, "cut.yaml"), []byte(cuttest.Rules(cutMax)), 0o644); err != nil {
		t.Fatal(err)
	}
	body, _ := os.ReadFile(cfg)
	s := strings.Replace(string(body), "rules: builtin:default", "rules: cut.yaml", 1)
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// cutTime is the records' time: whole seconds, so every CRI prefix is
// as long as criPre says.
var cutTime = time.Now().UTC().Add(-time.Minute).Truncate(time.Second)

// criPre is the length of a CRI record's prefix.
var criPre = len(cri(cutTime, "stdout", "P", "")) - 1

// byStream returns the lines of es by their stream label.
func byStream(es []podEntry) map[string][]string {
	out := map[string][]string{}
	for _, e := range es {
		out[e.Labels["stream"]] = append(out[e.Labels["stream"]], e.Line)
	}
	return out
}

// truncated returns the agent's count of cut lines.
func (s *setup) truncated() float64 {
	return s.metric(`tarn_records_total{input="web",outcome="line_truncated"}`)
}

// TestCRICutPartialLeavesNoFragment writes lines the runtime split into
// partial records inside an identifier (of every kind, at every offset),
// the first record longer than max_line_bytes, so the tailer cuts it in
// the identifier and the next record begins with the identifier's rest:
// the line ends where the tailer cut it, no fragment of the identifier
// survives (neither at the cut nor glued from the records after it, which
// are dropped up to the line's F record), the other stream's line in
// between and the next line come out intact, and each cut line is
// counted once.
func TestCRICutPartialLeavesNoFragment(t *testing.T) {
	dir := t.TempDir()
	cfg := cutPodConfig(t, dir, "cri")
	planted := cuttest.Lines(cutMax - criPre)
	rng := rand.New(rand.NewPCG(13, 1))
	var b strings.Builder
	for i, l := range planted {
		text, cut := string(l.Text), cutMax-criPre // the tailer cuts the text at cut
		split := cut + 1 + rng.IntN(len(l.Ident.Value)-l.Off)
		b.WriteString(cri(cutTime, "stdout", "P", text[:split]) + cri(cutTime, "stderr", "F", fmt.Sprintf("zq err %d", i)) +
			cri(cutTime, "stdout", "P", text[split:]) + cri(cutTime, "stdout", "F", l.Ident.Value+" zq end") +
			cri(cutTime, "stdout", "F", fmt.Sprintf("zq next %d", i)))
	}
	appendFile(t, dir, "pods/ns_pod_uid/app/0.log", b.String())
	s := runOnce(t, cfg)
	got := byStream(s.entries(t))
	out, errs := got["stdout"], got["stderr"]
	if len(out) != 2*len(planted) || len(errs) != len(planted) {
		t.Fatalf("%d stdout and %d stderr lines, want %d and %d", len(out), len(errs), 2*len(planted), len(planted))
	}
	for i, l := range planted {
		if f := cuttest.Leak([]byte(out[2*i]), l.Ident); f != "" || !strings.HasPrefix(out[2*i], "zq ") || len(out[2*i]) > cutMax {
			t.Errorf("%s cut after %d bytes: %q survived in …%s", l.Ident.Kind, l.Off, f, end(out[2*i]))
		}
		if want := fmt.Sprintf("zq next %d", i); out[2*i+1] != want {
			t.Errorf("%s cut after %d bytes: the next line is %q, want %q", l.Ident.Kind, l.Off, end(out[2*i+1]), want)
		}
		if want := fmt.Sprintf("zq err %d", i); errs[i] != want {
			t.Errorf("stderr line %q, want %q", errs[i], want)
		}
	}
	if n := s.truncated(); n != float64(len(planted)) {
		t.Errorf("%v lines counted as cut, want %d", n, len(planted))
	}
}

// end returns the end of a long line, for messages.
func end(s string) string { return s[max(len(s)-120, 0):] }

// TestCRIPendingAtRotationLosesLastWord ends files while a line is
// pending, its P record stopping inside an identifier (of every kind, at
// three offsets): when the file is gone the line comes out with the word
// at its end cut, so no fragment of the identifier survives, and it is
// counted as cut.
func TestCRIPendingAtRotationLosesLastWord(t *testing.T) {
	dir := t.TempDir()
	cfg := cutPodConfig(t, dir, "cri")
	type plant struct {
		id   cuttest.Ident
		file string
	}
	var plants []plant
	for _, id := range cuttest.Idents() {
		whole := string(cuttest.Whole(id))
		at := strings.Index(whole, id.Value)
		for _, off := range []int{1, len(id.Value) / 2, len(id.Value) - 1} {
			rel := fmt.Sprintf("pods/ns_pod_uid/app/%d.log", len(plants))
			appendFile(t, dir, rel, cri(cutTime, "stdout", "F", "zq first")+cri(cutTime, "stdout", "P", whole[:at+off]))
			plants = append(plants, plant{id, filepath.Join(dir, rel)})
		}
	}
	s := start(t, cfg, Options{})
	waitFor(t, "the first lines", func() bool { return len(s.output(t)) == len(plants) })
	for _, p := range plants {
		if err := os.Remove(p.file); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the pending lines", func() bool { return len(s.output(t)) == 2*len(plants) })
	last := map[string]string{}
	for _, e := range s.entries(t) {
		last[e.Labels["filename"]] = e.Line
	}
	for _, p := range plants {
		got := last[p.file]
		if f := cuttest.Leak([]byte(got), p.id); f != "" || !strings.HasPrefix(got, "zq ") {
			t.Errorf("%s: %q survived in %q", p.id.Kind, f, got)
		}
	}
	if n := s.truncated(); n != float64(len(plants)) {
		t.Errorf("%v lines counted as cut, want %d", n, len(plants))
	}
}

// TestDockerOverlongRecordCutsBothNeighbours puts a docker record longer
// than max_line_bytes, which cannot be parsed once cut, inside a line
// split in an identifier (of every kind, at every offset): the pending
// line ends before it with its last word cut, the record is scrubbed as
// text with the word at the start of its message cut, the record after it
// loses its first word, and no fragment of the identifier survives.
func TestDockerOverlongRecordCutsBothNeighbours(t *testing.T) {
	dir := t.TempDir()
	cfg := cutPodConfig(t, dir, "docker")
	rec := func(log, stream string) string {
		b, _ := json.Marshal(map[string]string{"log": log, "stream": stream, "time": cutTime.Format(time.RFC3339Nano)})
		return string(b) + "\n"
	}
	long := strings.Repeat("zq ", cutMax/3)
	var b strings.Builder
	n := 0
	for _, id := range cuttest.Idents() {
		whole := string(cuttest.Whole(id))
		at := strings.Index(whole, id.Value)
		for off := 1; off < len(id.Value); off++ {
			cut := at + off
			b.WriteString(rec(whole[:cut], "stdout") + rec(whole[cut:]+" "+long, "stdout") +
				rec(id.Value[len(id.Value)/2:]+" zq tail\n", "stdout") + rec("zq next\n", "stdout"))
			n++
		}
	}
	appendFile(t, dir, "pods/ns_pod_uid/app/0.log", b.String())
	s := runOnce(t, cfg)
	es := s.entries(t)
	if len(es) != 4*n {
		t.Fatalf("%d lines, want %d", len(es), 4*n)
	}
	k := 0
	for _, id := range cuttest.Idents() {
		for off := 1; off < len(id.Value); off++ {
			for j, e := range es[4*k : 4*k+3] {
				if f := cuttest.Leak([]byte(e.Line), id); f != "" {
					t.Errorf("%s split after %d bytes, line %d: %q survived in %q", id.Kind, off, j, f, end(e.Line))
				}
			}
			if es[4*k+3].Line != "zq next" {
				t.Errorf("%s split after %d bytes: the next line is %q", id.Kind, off, es[4*k+3].Line)
			}
			k++
		}
	}
}

// TestContainerCutLinesAcrossRestarts writes container logs holding cut
// lines (a record longer than max_line_bytes with the rest of its line
// after it; for docker a record cut beyond parsing) between plain and
// split lines of both streams, in pieces ending at random records, and
// restarts the agent from its saved position after each piece: the sink
// then holds exactly what one run over the whole log writes, no line lost
// or repeated, and the identifier spanning each cut does not survive.
func TestContainerCutLinesAcrossRestarts(t *testing.T) {
	for _, format := range []string{"cri", "docker"} {
		for seed := range uint64(6) {
			t.Run(fmt.Sprint(format, seed), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, 13))
				records, want := cutLog(rng, format, 60)
				once := runPieces(t, format, records, nil)
				cuts := []int{}
				for range 30 {
					cuts = append(cuts, rng.IntN(len(records)))
				}
				pieces := runPieces(t, format, records, cuts)
				if fmt.Sprint(pieces) != fmt.Sprint(once) {
					t.Errorf("restarted at records %v, the sink holds\n%q\none run writes\n%q", cuts, pieces, once)
				}
				checkCutLog(t, once, want)
			})
		}
	}
}

// cutLog returns n lines of stdout and some of stderr as container
// records of the format, and the stdout lines one run must write: whole
// lines as written, a cut line (its line starting "zq cut") only up to
// where it was cut, never with the address 203.0.113.195 that spans the
// cut.
func cutLog(rng *rand.Rand, format string, n int) (records []string, want []string) {
	rec := func(stream, msg string, partial bool) string {
		if format == "cri" {
			return cri(cutTime, stream, map[bool]string{true: "P", false: "F"}[partial], msg)
		}
		if !partial {
			msg += "\n"
		}
		b, _ := json.Marshal(map[string]string{"log": msg, "stream": stream, "time": cutTime.Format(time.RFC3339Nano)})
		return string(b) + "\n"
	}
	long := strings.Repeat("zq ", cutMax/3)
	errs := 0
	for i := range n {
		var parts []string
		switch rng.IntN(3) {
		case 0:
			parts = []string{fmt.Sprintf("zq whole %d", i)}
			want = append(want, parts[0])
		case 1:
			parts = []string{fmt.Sprintf("zq split %d a", i), " b", " c"}
			want = append(want, strings.Join(parts, ""))
		default:
			parts = []string{fmt.Sprintf("zq cut %d ", i) + long + "to 203.0.11", "3.195 zq more", "1 zq", " end"}
			if format == "docker" { // the middle record is cut beyond parsing
				parts[0], parts[1] = fmt.Sprintf("zq cut %d to 203.0.11", i), parts[1]+" "+long
			}
			want = append(want, fmt.Sprintf("zq cut %d", i))
		}
		for k, p := range parts {
			records = append(records, rec("stdout", p, k < len(parts)-1))
			if rng.IntN(3) == 0 {
				records = append(records, rec("stderr", fmt.Sprintf("zq err %d", errs), false))
				errs++
			}
		}
	}
	return records, want
}

// runPieces writes the records to a new pod log, piece by piece ending
// at the records of index cuts, runs the agent once after each piece and
// returns the lines of the sink by stream.
func runPieces(t *testing.T, format string, records []string, cuts []int) map[string][]string {
	t.Helper()
	dir := t.TempDir()
	cfg := cutPodConfig(t, dir, format)
	at := 0
	for _, c := range append(cuts, len(records)) {
		if c < at {
			continue
		}
		appendFile(t, dir, "pods/ns_pod_uid/app/0.log", strings.Join(records[at:c], ""))
		at = c
		runOnce(t, cfg)
	}
	s := &setup{dir: dir}
	return byStream(s.entries(t))
}

// checkCutLog checks the stdout lines of one run against want (a cut
// line by its start, for docker ending cut and followed by the text of
// the unparsed record and by the rest of the line with its first word
// cut); stderr lines must be whole for CRI (for docker, a record after an
// unparsed one loses its first word).
func checkCutLog(t *testing.T, got map[string][]string, want []string) {
	t.Helper()
	out := got["stdout"]
	for _, w := range want {
		if len(out) == 0 {
			t.Fatalf("stdout ends before %q", w)
		}
		line := out[0]
		out = out[1:]
		if !strings.HasPrefix(w, "zq cut") {
			if line != w {
				t.Errorf("line %q, want %q", line, w)
			}
			continue
		}
		if !strings.HasPrefix(line, w+" ") || strings.HasSuffix(line, "203.0.11") || len(line) > cutMax {
			t.Errorf("cut line …%q, want it to start %q and end before the address", end(line), w)
		}
		if len(out) > 0 && strings.HasPrefix(out[0], `{"log":`) { // docker: the unparsed record and the rest
			if len(out) < 2 || !strings.HasPrefix(out[0], `{"log":" zq more zq`) || out[1] != " zq end" {
				t.Errorf("after the unparsed record: %q", out[:min(2, len(out))])
			}
			out = out[min(2, len(out)):]
		}
	}
	if len(out) > 0 {
		t.Errorf("%d more lines on stdout: %q", len(out), out)
	}
	for _, lines := range got {
		for _, l := range lines {
			if strings.Contains(l, "113.195") || strings.Contains(l, "3.195") || strings.Contains(l, "203.0.11") {
				t.Errorf("a piece of the address survived in …%q", end(l))
			}
		}
	}
	for i, l := range got["stderr"] {
		if !strings.HasSuffix(l, fmt.Sprintf(" err %d", i)) || (l[0] != 'z' && !strings.HasPrefix(l, " err")) {
			t.Errorf("stderr line %d is %q", i, l)
		}
	}
}

// TestIngestRecordsAllocatesNothing runs the records a container reader
// makes (joined, cut) through the ingest's rules again and again: once
// its buffers have grown it allocates nothing per record.
func TestIngestRecordsAllocatesNothing(t *testing.T) {
	in, _ := containerIngest(testEngine(t), nil, nil)
	recs := []inputs.Record{{Line: []byte("zq split a b"), Time: cutTime}, {Line: []byte("zq err"), Time: cutTime, Stream: format.Stderr},
		{Line: []byte(strings.Repeat("zq ", 300)), Time: cutTime}, {Line: []byte("zq err 2"), Time: cutTime, Stream: format.Stderr}}
	src := in.source("/var/log/pods/ns_pod_uid/app/0.log")
	run := func() {
		in.out.Buf, in.out.Meta, in.entries = in.out.Buf[:0], in.out.Meta[:0], in.entries[:0]
		for i := range recs {
			in.record(src, &recs[i], time.Now())
		}
	}
	run()
	if len(in.entries) != 4 || in.entries[1].Labels[len(in.entries[1].Labels)-1].Value != "stderr" {
		t.Fatalf("entries %+v", in.entries)
	}
	if n := testing.AllocsPerRun(100, run); n != 0 {
		t.Errorf("%v allocations per batch of %d records", n, len(recs))
	}
}
