package detect

import (
	"slices"
	"testing"
)

// userSpans returns the Token spans Scan finds in text with only the
// token kind enabled.
func userSpans(t *testing.T, text string) []string {
	t.Helper()
	var out []string
	for _, m := range mustSet(t, only(Token)).Scan([]byte(text), nil) {
		out = append(out, text[m.Start:m.End])
	}
	return out
}

// TestUserWord: user names that the words user, username and login name
// in free text are found, quoted or bare, and the words that follow
// "user" in prose are not.
func TestUserWord(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{`c.e.shop.UserService : User 'jdoe' not found`, []string{"jdoe"}},
		{`UserNotFoundException: User "Hannah.Schwarz" not found (email=x)`, []string{"Hannah.Schwarz"}},
		{`billing.PaymentError: card declined for user jdoe42 (card 4111)`, []string{"jdoe42"}},
		{`ERROR job 7: user lea.vogel (lea@example.org) from 203.0.113.7 could not be charged`, []string{"lea.vogel"}},
		{`USER root logged in`, []string{"root"}},
		{`login <müller> failed`, []string{"müller"}},
		{`username: "j.doe" rejected`, []string{"j.doe"}},
		{`for user alice.`, []string{"alice"}},
		{"user `svc-deploy` has no key", []string{"svc-deploy"}},
		{`the user agent is curl`, nil},
		{`user not found`, nil},
		{`user id 42`, nil},
		{`superuser alice`, nil},
		{`user_agent curl user-agent x`, nil},
		{`user '' empty`, nil},
		{`user`, nil},
		{`a user 'unterminated`, nil},
	} {
		if got := userSpans(t, c.text); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.text, got, c.want)
		}
	}
}

// FuzzUserWord: no panic, spans in bounds and in order.
func FuzzUserWord(f *testing.F) {
	for _, s := range []string{"User 'x' y", "for user a.b", "login <x", "user ", "username: \"", "USER\tx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		last := 0
		for from := 0; ; {
			st, e, ok := nextUserWord([]byte(s), from)
			if !ok {
				break
			}
			if st < from || e <= st || e > len(s) || st < last {
				t.Fatalf("%q: span [%d,%d) from %d", s, st, e, from)
			}
			last, from = e, e
		}
	})
}

// BenchmarkUserWord: texts without the words cost no allocation.
func BenchmarkUserWord(b *testing.B) {
	texts := [][]byte{
		[]byte("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"),
		[]byte("/api/v1/orders/84490?page=2&sort=desc"),
		[]byte("billing.PaymentError: card declined for user jdoe42 (card 4111)"),
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			nextUserWord(t, 0)
		}
	}
}
