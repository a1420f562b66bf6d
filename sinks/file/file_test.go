package file

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pierrec/lz4/v4"

	"github.com/tarn-project/tarn/sinks"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func batch(n int, tag string) []sinks.Entry {
	var out []sinks.Entry
	for i := range n {
		out = append(out, sinks.Entry{Time: time.Unix(int64(i), 0), Line: []byte(tag + strings.Repeat("x", 90))})
	}
	return out
}

func read(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".lz4") {
		r = lz4.NewReader(f)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRotationBySizeAndAge(t *testing.T) {
	for _, compress := range []bool{false, true} {
		dir := t.TempDir()
		c := &clock{time.Date(2026, 11, 20, 13, 0, 0, 0, time.UTC)}
		s, err := New("archive", Options{Dir: dir, Retention: 168 * time.Hour, LZ4: compress, MaxBytes: 1000, MaxAge: time.Hour, Now: c.now})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		s.Send(ctx, &sinks.Batch{Entries: batch(5, "a")}) // 455 bytes
		c.t = c.t.Add(time.Second)
		s.Send(ctx, &sinks.Batch{Entries: batch(6, "b")}) // now past 1000
		c.t = c.t.Add(time.Second)
		s.Send(ctx, &sinks.Batch{Entries: batch(1, "c")}) // rotates on size
		c.t = c.t.Add(2 * time.Hour)
		s.Send(ctx, &sinks.Batch{Entries: batch(1, "d")}) // rotates on age
		if err := s.Close(ctx); err != nil || s.Close(ctx) != nil {
			t.Fatal(err)
		}
		files, _ := s.Files()
		if len(files) != 3 {
			t.Fatalf("lz4=%v: %d files %v", compress, len(files), files)
		}
		all := read(t, files[0]) + read(t, files[1]) + read(t, files[2])
		if strings.Count(all, "\n") != 13 || !strings.HasPrefix(read(t, files[2]), "d") {
			t.Fatalf("lz4=%v: content %q", compress, all[:50])
		}
		fi, _ := os.Stat(files[0])
		di, _ := os.Stat(dir)
		if fi.Mode().Perm() != 0o600 || di.Mode().Perm() != 0o700 {
			t.Fatalf("modes %v %v", fi.Mode(), di.Mode())
		}
	}
}

func TestRetentionDeletesOldFiles(t *testing.T) {
	dir := t.TempDir()
	c := &clock{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)}
	s, _ := New("archive", Options{Dir: dir, MaxAge: time.Hour, Retention: 168 * time.Hour, Now: c.now})
	s.Send(context.Background(), &sinks.Batch{Entries: batch(1, "old")})
	s.Close(context.Background())
	files, _ := s.Files()
	old := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	os.Chtimes(files[0], old, old)
	other := dir + "/someone-else.log"
	os.WriteFile(other, []byte("x"), 0o600)
	os.Chtimes(other, old, old)

	c.t = old.Add(8 * 24 * time.Hour)
	s2, err := New("archive", Options{Dir: dir, Retention: 168 * time.Hour, Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := s2.Files(); len(files) != 0 {
		t.Fatalf("expired file kept: %v", files)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatal("a file that is not the sink's own was deleted")
	}
}

func TestNDJSONAndRegistry(t *testing.T) {
	dir := t.TempDir()
	st := DefaultSettings()
	st.Path, st.Format = dir, "ndjson"
	s, err := sinks.New("file", st, sinks.Env{Name: "j", Retention: time.Hour, Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	e := sinks.Entry{Time: time.Date(2026, 11, 20, 13, 0, 0, 0, time.UTC), Labels: []sinks.Label{{Name: "job", Value: "web"}}, Line: []byte("l")}
	s.Send(context.Background(), &sinks.Batch{Entries: []sinks.Entry{e}})
	s.Close(context.Background())
	files, _ := s.(*Sink).Files()
	if got := read(t, files[0]); got != `{"time":"2026-11-20T13:00:00Z","labels":{"job":"web"},"line":"l"}`+"\n" {
		t.Fatalf("got %q", got)
	}
	if _, err := sinks.New("file", st, sinks.Env{Name: "x"}); err == nil {
		t.Fatal("a sink without retention was built")
	}
}

func TestIdleClosesAndExpiresWithoutTraffic(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	c := &clock{start}
	s, _ := New("archive", Options{Dir: dir, MaxAge: time.Hour, Retention: 168 * time.Hour, Now: c.now})
	defer s.Close(context.Background())
	if err := s.Send(context.Background(), &sinks.Batch{Entries: batch(1, "x")}); err != nil {
		t.Fatal(err)
	}
	files, _ := s.Files()
	if len(files) != 1 {
		t.Fatalf("files = %v", files)
	}
	os.Chtimes(files[0], start, start)
	c.t = start.Add(8 * 24 * time.Hour)
	if err := s.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
	if files, _ := s.Files(); len(files) != 0 {
		t.Fatalf("idle sink kept a file past retention: %v", files)
	}
}
