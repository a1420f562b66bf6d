package tail

import (
	"fmt"
	"strings"
	"testing"
)

func TestSplitter(t *testing.T) {
	cases := []struct {
		name  string
		max   int
		reads []string
		flush bool
		lines []string
		cut   int
		end   int64
	}{
		{name: "whole lines", max: 10, reads: []string{"a\nbb\n"}, lines: []string{"a", "bb"}, end: 5},
		{name: "partial held", max: 10, reads: []string{"a\nb"}, lines: []string{"a"}, end: 2},
		{name: "partial completed", max: 10, reads: []string{"a\nb", "c", "d\ne"}, lines: []string{"a", "bcd"}, end: 6},
		{name: "crlf", max: 10, reads: []string{"a\r\nb\r", "\n"}, lines: []string{"a", "b"}, end: 6},
		{name: "empty lines", max: 10, reads: []string{"\n\na\n", "\n"}, lines: []string{"", "", "a", ""}, end: 5},
		{name: "lone cr kept inside", max: 10, reads: []string{"a\rb\n"}, lines: []string{"a\rb"}, end: 4},
		{name: "exactly max", max: 3, reads: []string{"abc\n"}, lines: []string{"abc"}, end: 4},
		{name: "cut in one read", max: 3, reads: []string{"abc;ef\nxy\n"}, lines: []string{"abc", "xy"}, cut: 1, end: 10},
		{name: "max plus cr not cut", max: 3, reads: []string{"abc\r\n"}, lines: []string{"abc"}, end: 5},
		{name: "max plus cr across reads", max: 3, reads: []string{"ab", "c\r", "\n"}, lines: []string{"abc"}, end: 5},
		{name: "cut across reads", max: 3, reads: []string{"ab", "c;ef", "ghi", "j\nk\n"}, lines: []string{"abc", "k"}, cut: 1, end: 13},
		{name: "cut with cr dropped", max: 3, reads: []string{"abc;\r", "\n"}, lines: []string{"abc"}, cut: 1, end: 6},
		{name: "cut head of first line", max: 3, reads: []string{"ab", "c;efg\nh\n"}, lines: []string{"abc", "h"}, cut: 1, end: 10},
		{name: "cut drops the word at the cut", max: 8, reads: []string{"ab cdefgh ij\n"}, lines: []string{"ab "}, cut: 1, end: 13},
		{name: "cut in held bytes drops the word", max: 8, reads: []string{"ab cd", "efghij", "\n"}, lines: []string{"ab "}, cut: 1, end: 12},
		{name: "flush partial", max: 10, reads: []string{"a\nbc"}, flush: true, lines: []string{"a", "bc"}, end: 4},
		{name: "flush partial cr", max: 10, reads: []string{"bc\r"}, flush: true, lines: []string{"bc"}, end: 3},
		{name: "flush cut", max: 2, reads: []string{"ab;def"}, flush: true, lines: []string{"ab"}, cut: 1, end: 6},
		{name: "flush nothing", max: 2, reads: []string{"a\n"}, flush: true, lines: []string{"a"}, end: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := splitter{max: tc.max}
			var lines []string
			var ends []int64
			cut, end := 0, int64(0)
			take := func(c *Chunk) {
				if c.Start != end {
					t.Errorf("chunk starts at %d, the previous ended at %d", c.Start, end)
				}
				for _, l := range c.Lines {
					lines = append(lines, string(l))
				}
				ends = append(ends, c.Ends...)
				cut += c.Cut
				end = c.End
			}
			for _, r := range tc.reads {
				if c := s.feed([]byte(r)); c != nil {
					take(c)
				}
			}
			if tc.flush {
				if c := s.flush(); c != nil {
					take(c)
				}
			}
			if strings.Join(lines, "|") != strings.Join(tc.lines, "|") || len(lines) != len(tc.lines) {
				t.Errorf("lines = %q, want %q", lines, tc.lines)
			}
			if want := lineEnds(strings.Join(tc.reads, ""), tc.flush); fmt.Sprint(ends) != fmt.Sprint(want) {
				t.Errorf("ends = %v, want %v", ends, want)
			}
			if cut != tc.cut {
				t.Errorf("cut = %d, want %d", cut, tc.cut)
			}
			if end != tc.end {
				t.Errorf("end = %d, want %d", end, tc.end)
			}
		})
	}
}

// lineEnds returns the offsets just after each newline of in, and with
// flush the end of a final unterminated line.
func lineEnds(in string, flush bool) []int64 {
	var ends []int64
	for i := range len(in) {
		if in[i] == '\n' {
			ends = append(ends, int64(i+1))
		}
	}
	if flush && !strings.HasSuffix(in, "\n") && in != "" {
		ends = append(ends, int64(len(in)))
	}
	return ends
}

func TestSplitterBoundedMemory(t *testing.T) {
	s := splitter{max: 100}
	chunk := []byte(strings.Repeat("z ", 2048))
	for range 1000 { // a 4 MB line
		if c := s.feed(chunk); c != nil {
			t.Fatal("no line expected yet")
		}
		if len(s.carry) > 101 {
			t.Fatalf("carry grew to %d bytes", len(s.carry))
		}
	}
	c := s.feed([]byte("\nok\n"))
	if len(c.Lines) != 2 || len(c.Lines[0]) != 100 || string(c.Lines[1]) != "ok" || c.Cut != 1 {
		t.Fatalf("got %d lines, cut %d", len(c.Lines), c.Cut)
	}
	if c.End != 4096*1000+4 {
		t.Errorf("end = %d", c.End)
	}
}

func TestLinesDoNotOverlap(t *testing.T) {
	s := splitter{max: 10}
	c := s.feed([]byte("ab\ncd\n"))
	_ = append(c.Lines[0], 'X', 'Y', 'Z')
	if string(c.Lines[1]) != "cd" {
		t.Fatalf("appending to one line changed the next: %q", c.Lines[1])
	}
}

func TestChunkBufferNotReused(t *testing.T) {
	s := splitter{max: 10}
	data := []byte("ab\ncd")
	c := s.feed(data)
	copy(data, "XXXXX")
	c2 := s.feed([]byte("e\nfg\n"))
	if string(c.Lines[0]) != "ab" || string(c2.Lines[0]) != "cde" || string(c2.Lines[1]) != "fg" {
		t.Fatalf("got %q then %q", c.Lines, c2.Lines)
	}
}

// BenchmarkSplitterFeed shows the allocations per chunk (buffer, line
// slice, chunk): none per line.
func BenchmarkSplitterFeed(b *testing.B) {
	data := []byte(strings.Repeat("127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\n", 3000))
	s := splitter{max: 256 << 10}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if c := s.feed(data); len(c.Lines) != 3000 {
			b.Fatal(len(c.Lines))
		}
	}
}
