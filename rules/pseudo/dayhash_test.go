package pseudo

import (
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
	k := EpochKey(key, Daily, day1)
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

func leUint64(b []byte) uint64 {
	var u uint64
	for i := 7; i >= 0; i-- {
		u = u<<8 | uint64(b[i])
	}
	return u
}
