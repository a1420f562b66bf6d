package sinks

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

type nopSink struct{}

func (nopSink) Send(context.Context, *Batch) error { return nil }
func (nopSink) Close(context.Context) error        { return nil }

type nopSettings struct{}

func (nopSettings) Validate() error { return nil }

func TestRegistry(t *testing.T) {
	Register("test-nop", Factory{Settings: func() Settings { return nopSettings{} },
		New: func(Settings, Env) (Sink, error) { return nopSink{}, nil }})
	if _, err := New("test-nop", nopSettings{}, Env{}); err != nil {
		t.Fatal(err)
	}
	if _, err := New("nope", nopSettings{}, Env{}); err == nil || !strings.Contains(err.Error(), "test-nop") {
		t.Fatalf("unknown type: %v", err)
	}
	if _, ok := Lookup("test-nop"); !ok || !slices.Contains(Types(), "test-nop") {
		t.Fatal("registered type not listed")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("double registration did not panic")
		}
	}()
	Register("test-nop", Factory{})
}

func TestPartialAndThrottled(t *testing.T) {
	base := errors.New("429")
	if err := fmt.Errorf("loki: %w", Throttled(base, 3*time.Second)); !errors.Is(err, base) {
		t.Fatal("throttled error does not wrap its cause")
	} else if d, ok := RetryAfter(err); !ok || d != 3*time.Second {
		t.Fatalf("retry after %v %v", d, ok)
	}
	if _, ok := RetryAfter(base); ok || Throttled(nil, time.Second) != nil || Partial(base, nil) != nil {
		t.Fatal("unmarked errors are marked")
	}
	p, ok := AsPartial(fmt.Errorf("x: %w", Partial(base, []Rejection{{Index: 2, Reason: "too_old"}})))
	if !ok || len(p.Rejected) != 1 || p.Rejected[0].Index != 2 || !errors.Is(p, base) {
		t.Fatalf("partial %+v %v", p, ok)
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("400 bad request")
	err := fmt.Errorf("loki: %w", Permanent(base))
	if !IsPermanent(err) || !errors.Is(err, base) || IsPermanent(base) || Permanent(nil) != nil {
		t.Fatalf("permanent marking broken: %v", err)
	}
}
