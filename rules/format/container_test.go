package format

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

const criTS = "2016-10-20T18:39:20.57606443Z"

// sharedRealdata returns ../shared/realdata next to the module root (the
// directory holding go.mod), skipping the test when it is absent.
func sharedRealdata(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	for err == nil {
		if _, e := os.Stat(filepath.Join(dir, "go.mod")); e == nil {
			break
		}
		if up := filepath.Dir(dir); up != dir {
			dir = up
			continue
		}
		err = os.ErrNotExist
	}
	rd := filepath.Join(dir, "..", "shared", "realdata")
	if _, e := os.Stat(rd); err != nil || e != nil {
		t.Skipf("shared real data not found at %s (next to the module root): skipping", rd)
	}
	return rd
}

// kubeletCRI restates kubelet's parseCRILog (pkg/kubelet/kuberuntime/logs)
// as the reference: its time, stream and log, or ok false for an error.
func kubeletCRI(line []byte) (tm time.Time, stream string, log []byte, ok bool) {
	var fields [3][]byte
	for k := range fields {
		i := bytes.IndexByte(line, ' ')
		if i < 0 {
			return
		}
		fields[k], line = line[:i], line[i+1:]
	}
	tm, err := time.Parse(time.RFC3339Nano, string(fields[0]))
	stream = string(fields[1])
	if err != nil || (stream != "stdout" && stream != "stderr") {
		return tm, stream, nil, false
	}
	if string(bytes.Split(fields[2], []byte(":"))[0]) == "P" {
		line = bytes.TrimSuffix(line, []byte("\n"))
	}
	return tm, stream, line, true
}

// kubeletLog is what kubelet reports as the log of c parsed from line:
// Message plus the newline of a full line that had one.
func kubeletLog(c *Container, newline bool) string {
	if !c.Partial && newline {
		return string(c.Message) + "\n"
	}
	return string(c.Message)
}

// checkCRI checks ParseCRI on line against kubeletCRI and the bounds of
// the message.
func checkCRI(t *testing.T, line []byte) (Container, bool) {
	t.Helper()
	var c Container
	ok := ParseCRI(line, &c)
	wt, ws, wl, wok := kubeletCRI(line)
	if ok != wok {
		t.Fatalf("ParseCRI(%q) = %v, kubelet %v", line, ok, wok)
	}
	if !ok {
		return c, false
	}
	end := len(line) - len(c.Message)
	if bytes.HasSuffix(line, []byte("\n")) {
		end--
	}
	if len(c.Message) > 0 && &c.Message[0] != &line[end] {
		t.Fatalf("Message does not point into the line at %d", end)
	}
	got := kubeletLog(&c, bytes.HasSuffix(line, []byte("\n")))
	if !c.Time.Equal(wt) || c.Time.Location() != time.UTC || c.Stream.String() != ws || got != string(wl) {
		t.Fatalf("ParseCRI(%q) = %v %v %q, kubelet %v %v %q", line, c.Time, c.Stream, got, wt, ws, wl)
	}
	return c, true
}

func TestParseCRI(t *testing.T) {
	for _, c := range []struct {
		line, time string
		stream     Stream
		partial    bool
		msg        string
	}{
		{criTS + " stdout F hello world", criTS, Stdout, false, "hello world"},
		{criTS + " stdout F hello\n", criTS, Stdout, false, "hello"},
		{criTS + " stderr F oops", criTS, Stderr, false, "oops"},
		{criTS + " stdout P part\n", criTS, Stdout, true, "part"},
		{criTS + " stdout P:TAG1:TAG2 part", criTS, Stdout, true, "part"},
		{criTS + " stdout F:x a", criTS, Stdout, false, "a"},
		{criTS + " stdout p lower-case p is not partial", criTS, Stdout, false, "lower-case p is not partial"},
		{criTS + " stdout PX x", criTS, Stdout, false, "x"},
		{criTS + " stdout  empty tag", criTS, Stdout, false, "empty tag"},
		{criTS + " stdout F  two  spaces\t", criTS, Stdout, false, " two  spaces\t"},
		{criTS + " stdout F ", criTS, Stdout, false, ""},
		{criTS + " stdout F \n", criTS, Stdout, false, ""},
		{criTS + " stdout F crlf\r\n", criTS, Stdout, false, "crlf\r"},
		{criTS + " stdout F \xff\xfe\x00 bin", criTS, Stdout, false, "\xff\xfe\x00 bin"},
		{"2016-10-20T18:39:20+02:00 stdout F x", "2016-10-20T16:39:20Z", Stdout, false, "x"},
		{"2016-10-20T8:39:20,5Z stdout F x", "2016-10-20T08:39:20.5Z", Stdout, false, "x"},
		{"2016-10-20T18:39:20.1234567891Z stdout F x", "2016-10-20T18:39:20.123456789Z", Stdout, false, "x"},
		{"2016-10-20T18:39:20-24:00 stdout F x", "2016-10-21T18:39:20Z", Stdout, false, "x"},
	} {
		got, ok := checkCRI(t, []byte(c.line))
		want, _ := time.Parse(time.RFC3339Nano, c.time)
		if !ok || !got.Time.Equal(want) || got.Stream != c.stream || got.Partial != c.partial || string(got.Message) != c.msg {
			t.Errorf("ParseCRI(%q) = %v %v partial=%v %q", c.line, got.Time, got.Stream, got.Partial, got.Message)
		}
	}
}

// TestParseCRIMalformed checks lines kubelet refuses: missing fields,
// doubled or leading spaces, unknown streams, malformed timestamps.
func TestParseCRIMalformed(t *testing.T) {
	for _, s := range []string{"", "unsupported log format test log\n", criTS + " stdout F", criTS + " stdout",
		criTS + "  stdout F x", " " + criTS + " stdout F x", criTS + " STDOUT F x", criTS + " stdin F x",
		"2016-10-20 18:39:20Z stdout F x", "2016-10-20t18:39:20Z stdout F x", "2016-10-20T18:39:20z stdout F x",
		"2016-10-20T18:39:20 stdout F x", "2016-10-20T18:39:20.Z stdout F x", "2016-10-20T18:39:60Z stdout F x",
		"2016-10-20T24:00:00Z stdout F x", "2016-02-30T18:39:20Z stdout F x", "2016-10-20T18:39:20+0100 stdout F x",
		"2016-10-20T18:39:20+25:00 stdout F x", "1476988760 stdout F x"} {
		if c, ok := checkCRI(t, []byte(s)); ok || c.Message != nil || !c.Time.IsZero() || c.Stream != 0 || c.Partial {
			t.Errorf("ParseCRI(%q) accepted or left %v", s, c)
		}
	}
}

func TestRuntimeTimeMatchesTimeParse(t *testing.T) {
	for _, s := range []string{criTS, "2016-10-20T18:39:20Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
		"2016-02-29T00:00:00Z", "2015-02-29T00:00:00Z", "2000-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2016-13-01T00:00:00Z",
		"2016-00-01T00:00:00Z", "2016-01-00T00:00:00Z", "2016-04-31T00:00:00Z", "2016-1-01T00:00:00Z", "16-01-01T00:00:00Z",
		"2016-01-01T1:00:00Z", "2016-01-01T:00:00Z", "2016-01-01T001:00:00Z", "2016-01-01T23:59:59+24:00", "2016-01-01T23:59:59+23:60",
		"2016-01-01T23:59:59+23:61", "2016-01-01T23:59:59-00:00", "2016-01-01T23:59:59+1:00", "2016-01-01T23:59:59+01:00x",
		"2016-01-01T23:59:59Zx", "2016-01-01T23:59:59,123Z", "2016-01-01T23:59:59.Z", "2016-01-01T23:59:59.1.2Z", "2016-01-01T23:59:59",
		"2016-01-01T23:5:59Z", "2016-01-01T23:59:5Z", "+016-01-01T00:00:00Z", "2016-01-01T00:00:00\xffZ", "2016-01-01T00:00:00.00000000000000001Z",
	} {
		got, ok := parseRuntimeTime([]byte(s))
		want, err := time.Parse(time.RFC3339Nano, s)
		if ok != (err == nil) || ok && (!got.Equal(want) || got.Location() != time.UTC) {
			t.Errorf("parseRuntimeTime(%q) = %v %v; time.Parse = %v %v", s, got, ok, want, err)
		}
	}
}

// TestKubeletVectors checks kubelet's TestParseLog vectors: each line must
// give kubelet's time, stream and log through ParseCRI, else ParseDocker
// (kubelet's order), or be refused by both.
func TestKubeletVectors(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(sharedRealdata(t), "cri_parse_cases.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")[1:]
	unescape := strings.NewReplacer(`\n`, "\n").Replace
	for _, row := range rows {
		col := strings.Split(row, "\t")
		if len(col) != 6 {
			t.Fatalf("row with %d columns: %q", len(col), row)
		}
		line, wantLog := []byte(unescape(col[1])), unescape(col[4])
		var c Container
		ok, newline := ParseCRI(line, &c), bytes.HasSuffix(line, []byte("\n"))
		if ok { // auto reads kubelet's CRI lines as Parse(CRI) does
			var auto, cri Record
			Parse(Auto, line, nil, &auto)
			Parse(CRI, line, nil, &cri)
			if !slices.Equal(dump(&auto), dump(&cri)) || !auto.Written.Equal(cri.Written) || auto.Format != cri.Format {
				t.Errorf("%s: auto %q %v %v, CRI %q %v %v", col[0], dump(&auto), auto.Format, auto.Written, dump(&cri), cri.Format, cri.Written)
			}
		}
		if !ok {
			_, ok = ParseDocker(line, nil, &c)
			newline = true
		}
		if ok != (col[5] == "no") {
			t.Errorf("%s: %q parsed %v, want error %s", col[0], line, ok, col[5])
			continue
		}
		want, _ := time.Parse(time.RFC3339Nano, col[2])
		if got := kubeletLog(&c, newline); ok && (!c.Time.Equal(want) || c.Stream.String() != col[3] || got != wantLog) {
			t.Errorf("%s: got %v %v %q, want %v %v %q", col[0], c.Time, c.Stream, got, want, col[3], wantLog)
		}
	}
	if len(rows) < 7 {
		t.Errorf("only %d vectors", len(rows))
	}
}

// checkDocker checks ParseDocker's result for line against encoding/json
// decoding into kubelet's jsonLog and the bounds of the message.
func checkDocker(t *testing.T, line []byte, c *Container, dst []byte) {
	t.Helper()
	if len(c.Message) > len(line) || len(c.Message) > len(dst) || len(c.Message) > 0 && &c.Message[0] != &dst[0] {
		t.Fatalf("Message (len %d) not at the start of dst (len %d) or longer than the line (%d)", len(c.Message), len(dst), len(line))
	}
	var ref struct {
		Log     string    `json:"log,omitempty"`
		Stream  string    `json:"stream,omitempty"`
		Created time.Time `json:"time"`
	}
	if !utf8.Valid(line) {
		return // encoding/json substitutes U+FFFD; ParseDocker keeps the bytes
	}
	if err := json.Unmarshal(line, &ref); err != nil {
		t.Fatalf("ParseDocker accepted %q, encoding/json: %v", line, err)
	}
	if got := kubeletLog(c, true); got != ref.Log || c.Stream.String() != ref.Stream || !c.Time.Equal(ref.Created) {
		t.Fatalf("ParseDocker(%q) = %q %v %v, encoding/json %q %v %v", line, got, c.Stream, c.Time, ref.Log, ref.Stream, ref.Created)
	}
}

func TestParseDocker(t *testing.T) {
	const tm = `"time":"` + criTS + `"`
	dst := make([]byte, 0, 8)
	for _, c := range []struct {
		line    string
		stream  Stream
		partial bool
		msg     string
	}{
		{`{"log":"hello\n","stream":"stdout",` + tm + `}`, Stdout, false, "hello"},
		{`{"log":"hello\n","stream":"stdout",` + tm + "}\n", Stdout, false, "hello"},
		{`{"log":"par","stream":"stderr",` + tm + `}`, Stderr, true, "par"},
		{`{"log":"a\tb \"q\" \u00e9 \\ \/ x\ny\n","stream":"stdout",` + tm + `}`, Stdout, false, "a\tb \"q\" é \\ / x\ny"},
		{`{"log":"\ud83d\ude00 \ud800!\n","stream":"stdout",` + tm + `}`, Stdout, false, "😀 \uFFFD!"},
		{` { "time" : "2016-10-20T18:39:20+02:00" , "stream":"stdout","log":"x\n","attrs":{"a":[1,-2.5e3,true,null,{"b":"c"}]} } `, Stdout, false, "x"},
		{`{"log":"first\n","log":"last\n","stream":"stdout",` + tm + `}`, Stdout, false, "last"},
		{`{"log":"","stream":"stdout",` + tm + `}`, Stdout, true, ""},
		{`{"log":"\n","stream":"stdout",` + tm + `}`, Stdout, false, ""},
		{`{"log":"\r\n","stream":"\u0073tdout",` + tm + `}`, Stdout, false, "\r"},
		{"{\"log\":\"\xff\xfe bin\\n\",\"stream\":\"stdout\"," + tm + `}`, Stdout, false, "\xff\xfe bin"},
		{`{"log":"x\n","stream":"stdout",` + tm + `,"a":` + strings.Repeat("[", 63) + strings.Repeat("]", 63) + `}`, Stdout, false, "x"},
	} {
		var got Container
		var ok bool
		line := []byte(c.line)
		dst, ok = ParseDocker(line, dst, &got)
		if !ok || got.Stream != c.stream || got.Partial != c.partial || string(got.Message) != c.msg {
			t.Errorf("ParseDocker(%q) = %v %v partial=%v %q", c.line, ok, got.Stream, got.Partial, got.Message)
		} else {
			checkDocker(t, line, &got, dst)
		}
	}
	for _, s := range []string{`{"stream":"stdout",` + tm + `}`, `{"log":"x\n",` + tm + `}`, `{"log":"x\n","stream":"stdout"}`,
		`{"Log":"x\n","stream":"stdout",` + tm + `}`, `{"log":1,"stream":"stdout",` + tm + `}`, `{"log":null,"stream":"stdout",` + tm + `}`,
		`{"log":"\x\n","stream":"stdout",` + tm + `}`, "{\"log\":\"raw\nnewline\",\"stream\":\"stdout\"," + tm + `}`,
		`{"log":"x","stream":"stdin",` + tm + `}`, `{"log":"x","stream":"stdout","time":"2016-10-20T18:39:20"}`,
		`{"log":"x","stream":"stdout","time":"2016-10-20T18:39:20\u005a"}`, `{"log":"x","stream":"stdout",` + tm + `}x`,
		`{"log":"x","stream":"stdout",` + tm + `,}`, `{"log":"x","stream":"stdout",` + tm, `{"log":"x","stream":"stdout",` + tm + `,"a":[1 2]}`,
		`{"log":"x","stream":"stdout",` + tm + `,"a":` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`,
		`["log","x"]`, ``, `{}`, `{"log":"x" "stream":"stdout",` + tm + `}`} {
		var got Container
		if _, ok := ParseDocker([]byte(s), nil, &got); ok || got.Message != nil {
			t.Errorf("ParseDocker(%q) accepted", s)
		}
	}
}

// TestDockerRealdata unwraps fluent-bit's docker json-file samples and
// parses the messages: an Apache access line and an Istio JSON record.
func TestDockerRealdata(t *testing.T) {
	dir := filepath.Join(sharedRealdata(t), "fluent-bit")
	for name, want := range map[string]Format{"default_apache-logs_apache-logs.log": Common, "socks_session-db-fdd649d68-cq5sp_istio-proxy.log": JSON} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		var c Container
		var rec Record
		dst, ok := ParseDocker(bytes.TrimSuffix(data, []byte("\n")), nil, &c)
		if !ok || c.Partial || c.Stream != Stdout || !Parse(Auto, c.Message, nil, &rec) || rec.Format != want {
			t.Errorf("%s: ok=%v partial=%v format %v, want %v", name, ok, c.Partial, rec.Format, want)
			continue
		}
		checkDocker(t, data, &c, dst)
	}
}

func TestJoiner(t *testing.T) {
	rec := func(s Stream, p bool, m string) *Container {
		return &Container{Stream: s, Partial: p, Message: []byte(m)}
	}
	var j Joiner
	step := func(c *Container, want string, wantCut, wantOK bool) {
		t.Helper()
		msg, cut, ok := j.Add(c)
		if string(msg) != want || cut != wantCut || ok != wantOK {
			t.Errorf("Add(%v %v %q) = %q %v %v, want %q %v %v", c.Stream, c.Partial, c.Message, msg, cut, ok, want, wantCut, wantOK)
		}
	}
	step(rec(Stdout, true, "a"), "", false, false)
	step(rec(Stdout, true, "b"), "", false, false)
	step(rec(Stdout, false, "c"), "abc", false, true)
	step(rec(Stdout, true, "o1 "), "", false, false) // interleaved streams stay apart
	step(rec(Stderr, true, "e1 "), "", false, false)
	step(rec(Stderr, false, "e2"), "e1 e2", false, true)
	if !j.Pending(Stdout) || j.Pending(Stderr) {
		t.Errorf("Pending = %v %v", j.Pending(Stdout), j.Pending(Stderr))
	}
	step(rec(Stdout, false, "o2"), "o1 o2", false, true)
	step(rec(Stdout, true, ""), "", false, false)
	step(rec(Stdout, false, ""), "", false, true)
	full := rec(Stderr, false, "alone")
	if msg, _, _ := j.Add(full); &msg[0] != &full.Message[0] {
		t.Error("a full record without partials was copied")
	}
	j = Joiner{Max: 5} // the bound
	step(rec(Stdout, true, "ab "), "", false, false)
	step(rec(Stdout, true, "def"), "", false, false) // cut in "def": the word is dropped
	step(rec(Stdout, true, "g"), "", false, false)
	step(rec(Stdout, false, "jk"), "ab ", true, true)
	if c := cap(j.pend[0].buf); c > 5 {
		t.Errorf("buffer grew to %d bytes, Max 5", c)
	}
	step(rec(Stdout, false, "xy"), "xy", false, true)
	step(rec(Stdout, false, "to long"), "to ", true, true)
	step(rec(Stdout, false, "abcde;f"), "abcde", true, true) // cut at a separator: all kept
	step(rec(Stderr, true, "tail"), "", false, false)
	if msg, cut, ok := j.Flush(Stderr); string(msg) != "tail" || cut || !ok || j.Pending(Stderr) {
		t.Errorf("Flush = %q %v %v", msg, cut, ok)
	}
	if _, _, ok := j.Flush(Stderr); ok {
		t.Error("second Flush returned a line")
	}
	step(rec(Stdout, true, "x"), "", false, false)
	j.Reset()
	step(rec(Stdout, false, "y"), "y", false, true)
	// Docker records through one reused dst: partials are copied on Add.
	var c Container
	var dst []byte
	var ok bool
	j = Joiner{}
	for _, l := range []string{`{"log":"part 1 ","stream":"stdout",`, `{"log":"part 2\n","stream":"stdout",`} {
		dst, ok = ParseDocker([]byte(l+`"time":"`+criTS+`"}`), dst, &c)
		msg, _, done := j.Add(&c)
		if !ok || done && string(msg) != "part 1 part 2" {
			t.Errorf("docker join: ok=%v %q", ok, msg)
		}
	}
}

func TestParseFormatCRI(t *testing.T) {
	for _, s := range []string{"cri", "CRI", "docker"} {
		if f, err := ParseFormat(s); err != nil || !strings.EqualFold(f.String(), s) {
			t.Errorf("ParseFormat(%q) = %v, %v", s, f, err)
		}
	}
	pre := criTS + " stdout F "
	runParseCases(t, []parseCase{
		{"cri combined", CRI, pre + `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a?b HTTP/1.0" 200 5`, true, Common,
			[]string{"remote_addr:bare=1.2.3.4", "remote_ident:bare=-", "remote_user:bare=-", "time_local:string=10/Oct/2000:13:55:36 -0700",
				"request:string=GET /a?b HTTP/1.0", "request_method:string=GET^request", "request_uri:string=/a?b^request",
				"request_query:string=b^request_uri", "server_protocol:string=HTTP/1.0^request", "status:bare=200", "body_bytes_sent:bare=5"}, "time_local"},
		{"cri json", CRI, pre + `{"ts":"2024-05-01T10:00:00Z","ip":"1.2.3.4"}` + "\n", true, JSON, []string{"ts:string=2024-05-01T10:00:00Z", "ip:string=1.2.3.4"}, "ts"},
		{"cri logfmt", CRI, pre + `a=1 b="x y"`, true, Logfmt, []string{"a:bare=1", "b:string=x y"}, ""},
		{"cri text", CRI, pre + `plain text`, true, Text, []string{}, ""},
		{"cri partial json", CRI, criTS + ` stderr P {"a":`, true, Text, []string{}, ""},
		{"cri malformed", CRI, `{"ts":1}`, false, Text, []string{}, ""},
		{"docker", Docker, `{"log":"a=1\n","stream":"stdout","time":"` + criTS + `"}`, false, Text, []string{}, ""},
	}, keys("ts"))
	var rec Record
	for _, msg := range []string{`a=1 b=2 c=3`, `{"a":1,"b":2}`, `1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 5`} {
		line := []byte(pre + msg + "\n")
		Parse(CRI, line, nil, &rec)
		checkCRIEdits(t, &rec, []byte(`new "v"`))
	}
}

// checkCRIEdits edits every field of a Parse(CRI) record (dropping the odd
// top-level ones) and checks the CRI prefix and trailing newline survive.
func checkCRIEdits(t *testing.T, rec *Record, value []byte) {
	t.Helper()
	var before, after Container
	start, _ := splitCRI(rec.Line, &before)
	var edits []Edit
	for i, f := range rec.Fields {
		if f.Value.Start < start || f.Key != (Span{}) && f.Key.Start < start {
			t.Fatalf("field %d starts before the message at %d", i, start)
		}
		edits = append(edits, Edit{Field: i, Value: value, Drop: i%2 == 1 && f.Parent < 0})
	}
	out := Rewrite(nil, rec, edits)
	_, ok := splitCRI(out, &after)
	msg := rec.Line[start:]
	// A real line's only newline ends it; no edit may take it.
	newline := len(msg) > 0 && bytes.IndexByte(msg, '\n') == len(msg)-1
	if !ok || !bytes.Equal(out[:start], rec.Line[:start]) || before.Partial != after.Partial ||
		newline && !bytes.HasSuffix(out, []byte("\n")) {
		t.Fatalf("edits broke the CRI prefix: %q -> %q", rec.Line, out)
	}
}
