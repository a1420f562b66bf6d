package useragent

import (
	"bufio"
	"bytes"
	"os"
	"regexp"
	"sort"
	"testing"
)

// summaryRE is the output grammar. Family names may hold digits ("MJ12bot"),
// so the name part allows them; checkSummary does the exact table check.
var summaryRE = regexp.MustCompile(`^[A-Za-z0-9 .-]+( [1-9][0-9]{0,3})? / [A-Za-z .]+ / (desktop|mobile|tablet|bot|other)$`)

func addSeeds(f *testing.F) {
	for _, c := range uaCases {
		f.Add([]byte(c.ua))
	}
	f.Add([]byte{0})
	f.Add([]byte("\xff\xfe\xfd"))
	f.Add([]byte("Edg/Edge/EdgA/OPR/Opera MSIE 99999999999999999999"))
	f.Add([]byte("bot"))
	f.Add([]byte("BOT_"))
}

func FuzzGeneralize(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, ua []byte) {
		orig := bytes.Clone(ua)
		out := Generalize([]byte("x"), ua)
		if !bytes.Equal(ua, orig) {
			t.Fatal("input modified")
		}
		if out[0] != 'x' {
			t.Fatal("dst prefix overwritten")
		}
		s := string(out[1:])
		if s != "-" && !summaryRE.MatchString(s) {
			t.Fatalf("output %q does not match the grammar", s)
		}
		if why := checkSummary(s); why != "" {
			t.Fatalf("output %q: %s", s, why)
		}
		if len(ua) > 1 && s != string(Parse(ua).Append(nil)) {
			t.Fatalf("Generalize and Parse disagree: %q", s)
		}
	})
}

func FuzzParse(f *testing.F) {
	addSeeds(f)
	browsers, oses, devices := tableNames()
	f.Fuzz(func(t *testing.T, ua []byte) {
		a, b := Parse(ua), Parse(ua)
		if a != b {
			t.Fatalf("not deterministic: %+v vs %+v", a, b)
		}
		if !browsers[a.Browser] || !oses[a.OS] || !devices[a.Device] {
			t.Fatalf("name outside the tables: %+v", a)
		}
		if a.Major < 0 || a.Major > maxMajor {
			t.Fatalf("major out of range: %d", a.Major)
		}
		if a.Bot != (a.Device == DeviceBot) {
			t.Fatalf("bot flag and device disagree: %+v", a)
		}
	})
}

// realLog is the Apache combined sample of the shared real-data directory.
const realLog = "../../../shared/realdata/elastic-examples/apache_logs"

// lastQuoted returns the last double-quoted field of line.
func lastQuoted(line []byte) ([]byte, bool) {
	end := bytes.LastIndexByte(line, '"')
	if end <= 0 {
		return nil, false
	}
	start := bytes.LastIndexByte(line[:end], '"')
	if start < 0 {
		return nil, false
	}
	return line[start+1 : end], true
}

func TestRealApacheLogs(t *testing.T) {
	fh, err := os.Open(realLog)
	if err != nil {
		t.Skip("real data not available")
	}
	defer fh.Close()
	counts := map[string]int{}
	lines := 0
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		ua, ok := lastQuoted(sc.Bytes())
		if !ok {
			continue
		}
		lines++
		out := string(Generalize(nil, ua))
		if why := checkSummary(out); why != "" {
			t.Fatalf("line %d: output %q: %s", lines, out, why)
		}
		counts[out]++
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading sample: %v", err)
	}
	if lines < 1000 {
		t.Fatalf("only %d lines read", lines)
	}
	logDistribution(t, lines, counts)
}

// logDistribution logs the summaries by descending count.
func logDistribution(t *testing.T, lines int, counts map[string]int) {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	t.Logf("%d User-Agents, %d distinct summaries", lines, len(keys))
	for _, k := range keys {
		t.Logf("%6d %5.1f%%  %s", counts[k], 100*float64(counts[k])/float64(lines), k)
	}
}
