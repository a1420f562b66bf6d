package pseudo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/dchest/siphash"
)

func TestDayHashIsKeyedByDay(t *testing.T) {
	key := make([]byte, 32)
	key[0] = 1
	d := NewDayHash(key)
	day1 := time.Date(2026, 11, 20, 23, 59, 59, 0, time.UTC)
	day2 := day1.Add(time.Second)
	v := []byte("203.0.113.9\x00Firefox/131")
	k := DayHashKey(key, day1)
	want := siphash.Hash(leUint64(k[:8]), leUint64(k[8:16]), v)
	if got := d.Sum64(day1, v); got != want {
		t.Fatalf("Sum64 = %x, want SipHash under the day key %x", got, want)
	}
	if d.Sum64(day2, v) == want || d.Sum64(day1.Add(-time.Hour), v) != want {
		t.Error("not keyed by the UTC day")
	}
	other := NewDayHash(append([]byte{2}, key[1:]...))
	if other.Sum64(day1, v) == want {
		t.Error("not keyed by the master key")
	}
}

// TestDayHashKeyIsNotThePseudonymKey pins the derivation of the visitor
// key, HMAC-SHA256(master, "tarn/visitors/v1/" + UTC day), computed here
// independently, and checks it shares no bytes with the epoch key of the
// pseudonyms: the two uses of the master key are separated.
func TestDayHashKeyIsNotThePseudonymKey(t *testing.T) {
	key := make([]byte, 32)
	key[0] = 1
	at := time.Date(2026, 11, 20, 23, 30, 0, 0, time.FixedZone("x", -2*3600)) // 2026-11-21 UTC
	m := hmac.New(sha256.New, key)
	m.Write([]byte("tarn/visitors/v1/2026-11-21"))
	want := m.Sum(nil)
	got := DayHashKey(key, at)
	if hex.EncodeToString(got[:]) != hex.EncodeToString(want) {
		t.Fatalf("DayHashKey = %x, want %x", got, want)
	}
	for _, r := range []Rotation{Daily, Weekly, Monthly, Never} {
		ek := EpochKey(key, r, at)
		if string(ek[:16]) == string(got[:16]) {
			t.Errorf("visitor key shares its SipHash key with the %v pseudonym key", r)
		}
	}
	v := []byte("203.0.113.9\x00Firefox/131")
	ek := EpochKey(key, Daily, at)
	if NewDayHash(key).Sum64(at, v) == siphash.Hash(leUint64(ek[:8]), leUint64(ek[8:16]), v) {
		t.Error("visitor hash is keyed with the pseudonyms' epoch key")
	}
}

func leUint64(b []byte) uint64 {
	var u uint64
	for i := 7; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	return u
}
