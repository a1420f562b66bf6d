package stdout

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tarn-project/tarn/sinks"
)

var entries = []sinks.Entry{
	{Time: time.Date(2026, 11, 20, 13, 0, 0, 5, time.FixedZone("x", 3600)), Labels: []sinks.Label{{Name: "job", Value: "nginx"}}, Line: []byte(`192.0.2.0 - - "GET /"`)},
	{Time: time.Date(2026, 11, 20, 13, 0, 1, 0, time.UTC), Line: []byte(`second`)},
}

func TestLines(t *testing.T) {
	var b bytes.Buffer
	s := New(Options{Writer: &b})
	if err := s.Send(context.Background(), &sinks.Batch{Entries: entries}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "192.0.2.0 - - \"GET /\"\nsecond\n" {
		t.Fatalf("got %q", b.String())
	}
	if s.Close(context.Background()) != nil || s.Close(context.Background()) != nil {
		t.Fatal("close failed")
	}
	if err := s.Send(context.Background(), &sinks.Batch{Entries: entries}); !sinks.IsPermanent(err) {
		t.Fatalf("send after close: %v", err)
	}
}

func TestNDJSONThroughRegistry(t *testing.T) {
	var b bytes.Buffer
	s, err := sinks.New("stdout", &Settings{Format: "ndjson"}, sinks.Env{Name: "c", Stdout: &b})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), &sinks.Batch{Entries: entries[:1]}); err != nil {
		t.Fatal(err)
	}
	want := `{"time":"2026-11-20T12:00:00.000000005Z","labels":{"job":"nginx"},"line":"192.0.2.0 - - \"GET /\""}` + "\n"
	if b.String() != want {
		t.Fatalf("got %s want %s", b.String(), want)
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrorIsRetryable(t *testing.T) {
	s := New(Options{Writer: failing{}})
	err := s.Send(context.Background(), &sinks.Batch{Entries: entries})
	if err == nil || sinks.IsPermanent(err) {
		t.Fatalf("got %v", err)
	}
}
