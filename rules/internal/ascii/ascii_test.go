package ascii

import (
	"strconv"
	"testing"
)

func TestTables(t *testing.T) {
	for c := range 256 {
		v, err := strconv.ParseUint(string(rune(c)), 16, 8)
		want := int8(-1)
		if err == nil && c < 128 {
			want = int8(v)
		}
		if HexVal[c] != want || IsHex(byte(c)) != (want >= 0) {
			t.Errorf("HexVal[%#x] = %d; want %d", c, HexVal[c], want)
		}
		alnum := c < 128 && (c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
		if IsAlnum(byte(c)) != alnum {
			t.Errorf("IsAlnum(%#x) = %v", c, !alnum)
		}
	}
}
