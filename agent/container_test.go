package agent

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/positions"
)

// podConfig writes a configuration with one container input over
// dir/pods/*/*/*.log (kubelet's layout) and an ndjson file sink; input is
// appended to the input's keys.
func podConfig(t *testing.T, dir, format, input string) string {
	t.Helper()
	cfg := writeConfig(t, dir, "")
	body, _ := os.ReadFile(cfg)
	s := strings.Replace(string(body), `    paths: ["logs/*.log"]
    format: combined`, `    paths: ["pods/*/*/*.log"]
    format: `+format+input, 1)
	s = strings.Replace(s, "    path: out\n", "    path: out\n    format: ndjson\n", 1)
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// podEntry is an entry of the ndjson file sink.
type podEntry struct {
	Time   time.Time         `json:"time"`
	Tenant string            `json:"tenant"`
	Labels map[string]string `json:"labels"`
	Line   string            `json:"line"`
}

func (s *setup) entries(t *testing.T) []podEntry {
	t.Helper()
	var out []podEntry
	for _, l := range s.output(t) {
		var e podEntry
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("%v: %s", err, l)
		}
		out = append(out, e)
	}
	return out
}

// appendFile appends text to dir/rel, creating directories.
func appendFile(t *testing.T, dir, rel, text string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	os.MkdirAll(filepath.Dir(p), 0o755)
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// cri formats a CRI record written at t.
func cri(t time.Time, stream, tag, msg string) string {
	return t.Format(time.RFC3339Nano) + " " + stream + " " + tag + " " + msg + "\n"
}

func TestCRIInputUnwrapsJoinsAndLabels(t *testing.T) {
	dir := t.TempDir()
	cfg := podConfig(t, dir, "cri", "")
	t0 := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	const pod = "pods/shop_web-1_aa-11/app/0.log"
	access := `203.0.113.7 - alice [` + t0.Format("02/Jan/2006:15:04:05 -0700") + `] "GET /cart HTTP/1.1" 200 12 "-" "curl/8"`
	appendFile(t, dir, pod, cri(t0, "stdout", "F", access)+
		cri(t0.Add(time.Second), "stdout", "P", `{"msg":"order placed","email":"jane.`)+
		cri(t0.Add(2*time.Second), "stderr", "F", "warning: retry for bob@example.org")+
		cri(t0.Add(3*time.Second), "stdout", "P", `doe@example.com","client":"198.51`)+
		cri(t0.Add(4*time.Second), "stdout", "F", `.100.23"}`)+
		"not a CRI record from mallory@example.net\n")
	s := runOnce(t, cfg)
	es := s.entries(t)
	if len(es) != 4 {
		t.Fatalf("%d entries, want 4: %+v", len(es), es)
	}
	byStream := map[string][]podEntry{}
	for _, e := range es {
		for _, raw := range []string{"alice", "jane.doe", "bob@", "mallory@", "203.0.113.7", "198.51.100.23"} {
			if strings.Contains(e.Line, raw) {
				t.Errorf("raw %q in %q", raw, e.Line)
			}
		}
		if e.Labels["namespace"] != "shop" || e.Labels["pod"] != "web-1" || e.Labels["container"] != "app" {
			t.Errorf("pod labels %v", e.Labels)
		}
		byStream[e.Labels["stream"]] = append(byStream[e.Labels["stream"]], e)
	}
	out := byStream["stdout"]
	if len(out) != 3 || len(byStream["stderr"]) != 1 {
		t.Fatalf("entries by stream: %v", byStream)
	}
	if !strings.HasPrefix(out[0].Line, "203.0.113.0 - ") || strings.Contains(out[0].Line, "stdout F") {
		t.Errorf("access line not unwrapped and anonymized: %q", out[0].Line)
	}
	var joined map[string]string
	if err := json.Unmarshal([]byte(out[1].Line), &joined); err != nil || joined["msg"] != "order placed" ||
		joined["client"] != "198.51.100.0" || joined["email"] == "" {
		t.Errorf("partial records not joined into one JSON message: %q (%v)", out[1].Line, err)
	}
	if !out[1].Time.Equal(t0.Add(time.Second)) {
		t.Errorf("joined line's time %v, want its first record's %v", out[1].Time, t0.Add(time.Second))
	}
	if !strings.HasPrefix(out[2].Line, "not a CRI record from ") {
		t.Errorf("malformed record not kept scrubbed: %q", out[2].Line)
	}
}

func TestDockerInputUnwrapsAndJoins(t *testing.T) {
	dir := t.TempDir()
	cfg := podConfig(t, dir, "docker", "\n    message_format: logfmt")
	t0 := time.Now().UTC().Add(-time.Minute)
	rec := func(stream, log string, d time.Duration) string {
		b, _ := json.Marshal(map[string]string{"log": log, "stream": stream, "time": t0.Add(d).Format(time.RFC3339Nano)})
		return string(b) + "\n"
	}
	appendFile(t, dir, "pods/blog_wp-1_bb-22/php/0.log",
		rec("stdout", `level=info user=carol msg="login from 192.0.2.55"`+"\n", 0)+
			rec("stdout", `level=warn user=dave msg="a long line split by `, time.Second)+
			rec("stderr", "PHP Notice: mail to erin@example.org failed\n", 2*time.Second)+
			rec("stdout", `docker\twith \"quotes\""`+"\n", 3*time.Second))
	es := runOnce(t, cfg).entries(t)
	if len(es) != 3 {
		t.Fatalf("%d entries, want 3: %+v", len(es), es)
	}
	got := map[string]string{}
	for _, e := range es {
		got[e.Labels["stream"]+" "+e.Time.Format(time.RFC3339)] += e.Line
		for _, raw := range []string{"carol", "dave", "192.0.2.55", "erin@"} {
			if strings.Contains(e.Line, raw) {
				t.Errorf("raw %q in %q", raw, e.Line)
			}
		}
	}
	joined := got["stdout "+t0.Add(time.Second).Format(time.RFC3339)]
	if !strings.HasPrefix(joined, "level=warn user=") || !strings.HasSuffix(joined, ` msg="a long line split by docker\twith \"quotes\""`) {
		t.Errorf("docker partial records not joined and unescaped: %q (all: %v)", joined, got)
	}
}

// TestContainerPartialLineAcrossRestart stops the agent while a stdout
// line is half written and stderr lines follow it: the checkpoint resumes
// at the partial line's start, and the restarted agent rebuilds it without
// sending the stderr lines again.
func TestContainerPartialLineAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := podConfig(t, dir, "cri", "")
	t0 := time.Now().UTC().Add(-time.Minute)
	const pod = "pods/shop_web-1_aa-11/app/0.log"
	appendFile(t, dir, pod, cri(t0, "stderr", "F", "err 1")+
		cri(t0, "stdout", "P", "first half of item 7, ")+
		cri(t0, "stderr", "F", "err 2")+
		cri(t0, "stdout", "P", "second part, ")+
		cri(t0, "stderr", "F", "err 3"))
	first := runOnce(t, cfg).entries(t)
	if got := lines(first); got != "err 1|err 2|err 3" {
		t.Fatalf("first run sent %q", got)
	}
	store, err := positions.Load(filepath.Join(dir, "data", "positions.json"))
	if err != nil {
		t.Fatal(err)
	}
	ps := store.All()
	fi, _ := os.Stat(filepath.Join(dir, pod))
	if len(ps) != 1 || ps[0].Skip != fi.Size() || ps[0].Offset != int64(len(cri(t0, "stderr", "F", "err 1"))) {
		t.Fatalf("checkpoint %+v, want offset at the partial line and skip at %d", ps, fi.Size())
	}
	appendFile(t, dir, pod, cri(t0, "stdout", "F", "end.")+cri(t0, "stderr", "F", "err 4"))
	all := runOnce(t, cfg).entries(t)
	if got := lines(all); got != "err 1|err 2|err 3|first half of item 7, second part, end.|err 4" {
		t.Fatalf("after the restart the sink holds %q", got)
	}
}

func lines(es []podEntry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Line)
	}
	return strings.Join(out, "|")
}

// TestSelectRulesAndTenantPerNamespace gives two customers' namespaces
// rules and tenants of their own; other namespaces keep the defaults.
func TestSelectRulesAndTenantPerNamespace(t *testing.T) {
	dir := t.TempDir()
	cfg := podConfig(t, dir, "cri", `
    message_format: combined
    select:
      - match: {namespace: "strict-*"}
        rules: builtin:strict
        tenant: customer-a
      - match: {namespace: shop, container: nginx}
        tenant: customer-b`)
	t0 := time.Now().UTC().Add(-time.Minute)
	for _, p := range []string{"strict-a_web-1_aa/nginx", "shop_web-2_bb/nginx", "shop_web-2_bb/php", "blog_web-3_cc/nginx"} {
		appendFile(t, dir, "pods/"+p+"/0.log", cri(t0, "stdout", "F", accessLine(6, t0)))
	}
	got := map[string]string{}
	for _, e := range runOnce(t, cfg).entries(t) {
		got[e.Labels["namespace"]+"/"+e.Labels["container"]] = e.Tenant + " " + e.Line[:strings.IndexByte(e.Line, ' ')]
	}
	want := map[string]string{
		"strict-a/nginx": "customer-a 203.0.112.0", // strict: /20
		"shop/nginx":     "customer-b 203.0.113.0", // default rules: /24
		"shop/php":       " 203.0.113.0",
		"blog/nginx":     " 203.0.113.0",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("tenant and client by pod:\n got %v\nwant %v", got, want)
	}
}

// TestDockerRealdata runs fluent-bit's real docker json-file records
// (../shared/realdata/fluent-bit: an Apache line and an Istio JSON access
// record) through a docker input, an hour after they were written and
// eight days after (then retention drops them).
func TestDockerRealdata(t *testing.T) {
	const src = "../../shared/realdata/fluent-bit"
	files, _ := filepath.Glob(filepath.Join(src, "*.log"))
	if len(files) == 0 {
		t.Skip("../shared/realdata/fluent-bit not present")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var rec struct{ Time time.Time }
		if err := json.Unmarshal(data, &rec); err != nil {
			t.Fatal(err)
		}
		for _, age := range []time.Duration{time.Hour, 8 * 24 * time.Hour} {
			es := runDockerAt(t, string(data), rec.Time.Add(age))
			if age > 7*24*time.Hour {
				if len(es) != 0 {
					t.Errorf("%s: a record past retention was kept: %v", filepath.Base(f), es)
				}
				continue
			}
			if len(es) != 1 || !es[0].Time.Equal(rec.Time) {
				t.Fatalf("%s: entries %+v, want one at %v", filepath.Base(f), es, rec.Time)
			}
			checkRealDocker(t, es[0])
		}
	}
}

// runDockerAt runs a docker input over records with the clock at now.
func runDockerAt(t *testing.T, records string, now time.Time) []podEntry {
	t.Helper()
	dir := t.TempDir()
	cfg := podConfig(t, dir, "docker", "")
	appendFile(t, dir, "pods/real_pod_uid/app/0.log", records)
	s := start(t, cfg, Options{Once: true, Now: func() time.Time { return now }})
	if err := <-s.done; err != nil {
		t.Fatal(err)
	}
	close(s.done)
	return s.entries(t)
}

func checkRealDocker(t *testing.T, e podEntry) {
	t.Helper()
	for _, raw := range []string{"20.38.166.115", "10.244.0.78", "10.244.1.131"} {
		if strings.Contains(e.Line, raw) {
			t.Errorf("raw address %s in %q", raw, e.Line)
		}
	}
	if e.Labels["stream"] != "stdout" || strings.Contains(e.Line, `"log":`) {
		t.Errorf("record not unwrapped: %v %q", e.Labels, e.Line)
	}
	apache := `20.38.166.0 - - [21/Feb/2018:17:26:53 +0000] "GET /intra-abdominally HTTP/1.0" 500 2216`
	if e.Line != apache && !strings.Contains(e.Line, `"sourceIp":"10.244.1.0"`) {
		t.Errorf("unexpected output %q", e.Line)
	}
}
