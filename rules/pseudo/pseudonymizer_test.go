package pseudo

import (
	"bytes"
	"math"
	"net/netip"
	"strconv"
	"sync"
	"testing"
	"time"
)

var testValue = []byte("203.0.113.42")

func TestSumKnownAnswers(t *testing.T) {
	for _, c := range epochCases {
		want := refSum(testMaster, c.label, testValue)
		if got := New(testMaster, c.rot, 0).Sum(c.t, testValue); got != want {
			t.Errorf("%s: Sum = %x, want %x", c.name, got, want)
		}
	}
}

// TestSumSequence runs all cases of each rotation through one Pseudonymizer,
// forwards and backwards and twice, so epoch switches and cache hits are
// exercised, and compares with the reference.
func TestSumSequence(t *testing.T) {
	values := [][]byte{testValue, []byte("alice@example.com"), {}, []byte("\x00\xff\xfe")}
	var order []int
	for i := range epochCases {
		order = append(order, i)
	}
	for i := len(epochCases) - 1; i >= 0; i-- {
		order = append(order, i)
	}
	order = append(order, order...)
	for _, rot := range []Rotation{Daily, Weekly, Monthly, Never, 9} {
		p := New(testMaster, rot, 0)
		for _, i := range order {
			c := epochCases[i]
			if c.rot != rot {
				continue
			}
			for _, v := range values {
				if got, want := p.Sum(c.t, v), refSum(testMaster, c.label, v); got != want {
					t.Fatalf("%s, %q: Sum = %x, want %x", c.name, v, got, want)
				}
			}
		}
	}
}

func TestSumTwoNodes(t *testing.T) {
	cases := []struct {
		name  string
		rot   Rotation
		a, b  time.Time
		equal bool
	}{
		{"daily same utc day, different zones", Daily, at(2026, 11, 20, 0, 0, 1, 0), at(2026, 11, 20, 18, 59, 59, -5), true},
		{"daily different days", Daily, at(2026, 11, 20, 12, 0, 0, 0), at(2026, 11, 21, 12, 0, 0, 0), false},
		{"daily across midnight", Daily, at(2026, 11, 20, 23, 59, 59, 0), at(2026, 11, 21, 0, 0, 0, 0), false},
		{"weekly monday and sunday of one iso week", Weekly, at(2026, 12, 28, 0, 0, 0, 0), at(2027, 1, 3, 23, 59, 59, 0), true},
		{"weekly consecutive weeks", Weekly, at(2027, 1, 3, 23, 59, 59, 0), at(2027, 1, 4, 0, 0, 0, 0), false},
		{"monthly first and last day", Monthly, at(2026, 2, 1, 0, 0, 0, 0), at(2026, 2, 28, 23, 59, 59, 0), true},
		{"monthly consecutive months", Monthly, at(2026, 2, 28, 23, 59, 59, 0), at(2026, 3, 1, 0, 0, 0, 0), false},
		{"never across years", Never, at(2001, 1, 1, 0, 0, 0, 0), at(2031, 6, 1, 0, 0, 0, 0), true},
	}
	for _, c := range cases {
		node1, node2 := New(testMaster, c.rot, 0), New(testMaster, c.rot, 16)
		a, b := node1.Sum(c.a, testValue), node2.Sum(c.b, testValue)
		if (a == b) != c.equal {
			t.Errorf("%s: equal = %v, want %v", c.name, a == b, c.equal)
		}
		if other := New([]byte("another master key of 32 bytes!!"), c.rot, 0).Sum(c.a, testValue); other == a {
			t.Errorf("%s: a different master key gave the same MAC", c.name)
		}
	}
}

// TestSumInterleavedEpochs alternates records from two and three epochs, as
// logs near midnight do, and checks results and that two epochs stay cached.
func TestSumInterleavedEpochs(t *testing.T) {
	days := []time.Time{at(2026, 11, 20, 23, 59, 0, 0), at(2026, 11, 21, 0, 1, 0, 0), at(2026, 11, 22, 0, 1, 0, 0)}
	labels := []string{"2026-11-20", "2026-11-21", "2026-11-22"}
	p := New(testMaster, Daily, 0)
	for i := 0; i < 30; i++ {
		d := i % 2
		if i >= 10 {
			d = i % 3
		}
		if got, want := p.Sum(days[d], testValue), refSum(testMaster, labels[d], testValue); got != want {
			t.Fatalf("step %d (%s): Sum = %x, want %x", i, labels[d], got, want)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		p.Sum(days[0], testValue)
		p.Sum(days[1], testValue)
	})
	if allocs != 0 {
		t.Errorf("alternating two epochs allocates %v times per run, want 0", allocs)
	}
}

func TestSumCacheBeyondCapacity(t *testing.T) {
	day := at(2026, 11, 20, 12, 0, 0, 0)
	for _, size := range []int{1, 7, 100} {
		p := New(testMaster, Daily, size)
		for round := 0; round < 3; round++ {
			for i := 0; i < 1000; i++ {
				v := []byte("user-" + strconv.Itoa(i*(round+1)))
				if got, want := p.Sum(day, v), refSum(testMaster, "2026-11-20", v); got != want {
					t.Fatalf("size %d round %d value %q: Sum = %x, want %x", size, round, v, got, want)
				}
				if len(p.entries) > size {
					t.Fatalf("size %d: %d cached entries", size, len(p.entries))
				}
			}
		}
	}
}

func TestSumArenaBound(t *testing.T) {
	day := at(2026, 11, 20, 12, 0, 0, 0)
	p := New(testMaster, Daily, 4)
	for i := 0; i < 50; i++ {
		v := bytes.Repeat([]byte{byte('a' + i%26)}, 200+i)
		if got, want := p.Sum(day, v), refSum(testMaster, "2026-11-20", v); got != want {
			t.Fatalf("value %d: Sum = %x, want %x", i, got, want)
		}
		if len(p.arena) > 4*arenaBytesPerEntry {
			t.Fatalf("arena holds %d bytes, bound %d", len(p.arena), 4*arenaBytesPerEntry)
		}
	}
}

func TestSumLongValues(t *testing.T) {
	day := at(2026, 11, 20, 12, 0, 0, 0)
	p := New(testMaster, Daily, 0)
	for _, n := range []int{maxCachedLen, maxCachedLen + 1, 3*maxCachedLen + 5, 10 << 20} {
		v := bytes.Repeat([]byte("x\x00\xff"), n/3+1)[:n]
		want := refSum(testMaster, "2026-11-20", v)
		if got := p.Sum(day, v); got != want {
			t.Errorf("len %d: Sum = %x, want %x", n, got, want)
		}
		if got := p.Sum(day, v); got != want {
			t.Errorf("len %d, repeated: Sum = %x, want %x", n, got, want)
		}
	}
}

// TestSumHashCollision forces every value to the same hash: the full-value
// comparison must still keep their MACs apart.
func TestSumHashCollision(t *testing.T) {
	day := at(2026, 11, 20, 12, 0, 0, 0)
	p := New(testMaster, Daily, 64)
	p.hashMask = 0
	values := [][]byte{{}, []byte("a"), []byte("b"), []byte("ab"), []byte("10.0.0.1"), []byte("10.0.0.10")}
	for round := 0; round < 3; round++ {
		for _, v := range values {
			if got, want := p.Sum(day, v), refSum(testMaster, "2026-11-20", v); got != want {
				t.Fatalf("round %d %q: Sum = %x, want %x", round, v, got, want)
			}
		}
	}
	if len(p.entries) != len(values) {
		t.Errorf("%d cache entries, want %d", len(p.entries), len(values))
	}
}

func TestSumGenerationWrap(t *testing.T) {
	days := []time.Time{at(2026, 11, 20, 12, 0, 0, 0), at(2026, 11, 21, 12, 0, 0, 0), at(2026, 11, 22, 12, 0, 0, 0)}
	labels := []string{"2026-11-20", "2026-11-21", "2026-11-22"}
	p := New(testMaster, Daily, 0)
	p.nextGen = math.MaxUint32 - 2
	for i := 0; i < 12; i++ {
		d := i % 3
		if got, want := p.Sum(days[d], testValue), refSum(testMaster, labels[d], testValue); got != want {
			t.Fatalf("step %d: Sum = %x, want %x", i, got, want)
		}
	}
}

func TestSumExtremeTimes(t *testing.T) {
	for _, tm := range []time.Time{{}, time.Unix(math.MaxInt64/2, 0), time.Unix(math.MinInt64/2, 0), time.Unix(-1, 999999999)} {
		for rot := Daily; rot <= Never; rot++ {
			p := New(testMaster, rot, 0)
			want := refSum(testMaster, rot.Epoch(tm), testValue)
			if got := p.Sum(tm, testValue); got != want {
				t.Errorf("%v %v: Sum = %x, want %x", rot, tm, got, want)
			}
		}
	}
}

func TestSumAllocs(t *testing.T) {
	day := at(2026, 11, 20, 12, 0, 0, 0)
	p := New(testMaster, Daily, 64)
	long := bytes.Repeat([]byte("y"), 1000)
	var n int
	var buf [24]byte
	newValue := func() []byte { // a fresh value each call, on the stack
		n++
		return strconv.AppendInt(buf[:0], int64(n), 10)
	}
	for i := 0; i < 1000; i++ { // warm: epoch key, cache memory, HMAC state
		p.Sum(day, newValue())
		p.Sum(day, long)
	}
	checks := map[string]func(){
		"hit":  func() { p.Sum(day, testValue) },
		"miss": func() { p.Sum(day, newValue()) },
		"long": func() { p.Sum(day, long) },
		"stack value": func() {
			v := [4]byte{10, 0, 0, 1}
			p.Sum(day, v[:])
		},
	}
	for name, fn := range checks {
		if a := testing.AllocsPerRun(500, fn); a != 0 {
			t.Errorf("%s: %v allocs per Sum, want 0", name, a)
		}
	}
}

var fuzzPseudo = struct {
	sync.Mutex
	p [Never + 1]*Pseudonymizer
}{}

// FuzzSum checks Sum against the reference HMAC (with the package's epoch
// label, whose correctness the known-answer tests pin), that a repeated call
// (a cache hit) agrees, and the output forms' invariants for the MAC.
func FuzzSum(f *testing.F) {
	f.Add([]byte("203.0.113.42"), int64(1795000000), int64(0), uint8(0), int8(0))
	f.Add([]byte{}, int64(0), int64(-1), uint8(1), int8(-5))
	f.Add([]byte("\x00\xff"), int64(-62135596800), int64(999999999), uint8(2), int8(14))
	f.Add(bytes.Repeat([]byte("z"), 300), int64(1<<40), int64(5), uint8(3), int8(-12))
	f.Fuzz(func(t *testing.T, v []byte, sec, nsec int64, rot uint8, off int8) {
		fuzzPseudo.Lock()
		defer fuzzPseudo.Unlock()
		r := Rotation(rot % uint8(Never+1))
		if fuzzPseudo.p[r] == nil {
			fuzzPseudo.p[r] = New(testMaster, r, 8)
		}
		p := fuzzPseudo.p[r]
		tm := time.Unix(sec, nsec).In(time.FixedZone("f", int(off)*3600))
		want := refSum(testMaster, r.Epoch(tm), v)
		if got := p.Sum(tm, v); got != want {
			t.Fatalf("Sum = %x, want %x", got, want)
		}
		if got := p.Sum(tm, v); got != want {
			t.Fatalf("repeated Sum = %x, want %x", got, want)
		}
		checkIPv6(t, want)
	})
}

// checkIPv6 fails unless AppendIPv6(mac) is a canonical fd00::/8 address
// holding mac[0:15].
func checkIPv6(t *testing.T, mac [32]byte) {
	t.Helper()
	s := string(AppendIPv6(nil, mac))
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatalf("AppendIPv6 = %q: %v", s, err)
	}
	b := a.As16()
	if !a.Is6() || a.Is4In6() || b[0] != 0xfd || [15]byte(b[1:]) != [15]byte(mac[:15]) {
		t.Fatalf("AppendIPv6 = %q: wrong address for %x", s, mac[:15])
	}
	if a.String() != s {
		t.Fatalf("AppendIPv6 = %q, canonical %q", s, a.String())
	}
}

func BenchmarkSum(b *testing.B) {
	day := at(2026, 11, 20, 12, 0, 0, 0)
	values := make([][]byte, 1000)
	for i := range values {
		values[i] = []byte("198.51." + strconv.Itoa(i/256) + "." + strconv.Itoa(i%256))
	}
	b.Run("hits-1000-values", func(b *testing.B) {
		p := New(testMaster, Daily, 0)
		b.SetBytes(int64(len(values[0])))
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			p.Sum(day, values[i%len(values)])
		}
	})
	b.Run("misses-new-values", func(b *testing.B) {
		p := New(testMaster, Daily, 0)
		buf := []byte("user-000000000000")
		i := 0
		next := func() []byte {
			i++
			return strconv.AppendInt(buf[:5], int64(1e11+i), 10)
		}
		for range 3 * DefaultCacheEntries { // fill and clear once: steady state
			p.Sum(day, next())
		}
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			p.Sum(day, next())
		}
	})
	b.Run("uncached-1KiB", func(b *testing.B) {
		p := New(testMaster, Daily, 0)
		v := bytes.Repeat([]byte("k"), 1024)
		b.SetBytes(int64(len(v)))
		b.ReportAllocs()
		for b.Loop() {
			p.Sum(day, v)
		}
	})
	b.Run("midnight-interleave", func(b *testing.B) {
		p := New(testMaster, Daily, 0)
		days := [2]time.Time{at(2026, 11, 20, 23, 59, 0, 0), at(2026, 11, 21, 0, 1, 0, 0)}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			p.Sum(days[i&1], values[i%len(values)])
		}
	})
}
