package sinks

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

type nopSink struct{}

func (nopSink) Send(context.Context, []Entry) error { return nil }
func (nopSink) Close(context.Context) error         { return nil }

func TestRegistry(t *testing.T) {
	Register("test-nop", func(Config) (Sink, error) { return nopSink{}, nil })
	if _, err := New(Config{Type: "test-nop"}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Type: "nope"}); err == nil || !strings.Contains(err.Error(), "test-nop") {
		t.Fatalf("unknown type: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("double registration did not panic")
		}
	}()
	Register("test-nop", nil)
}

func TestPermanent(t *testing.T) {
	base := errors.New("400 bad request")
	err := fmt.Errorf("loki: %w", Permanent(base))
	if !IsPermanent(err) || !errors.Is(err, base) || IsPermanent(base) || Permanent(nil) != nil {
		t.Fatalf("permanent marking broken: %v", err)
	}
}
