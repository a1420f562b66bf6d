// Package ascii holds the byte tables tarn's scanners share.
package ascii

// HexVal maps a byte to its hex digit value, or -1 if it is none.
var HexVal = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for i := range 10 {
		t['0'+i] = int8(i)
	}
	for i := range 6 {
		t['a'+i] = int8(10 + i)
		t['A'+i] = int8(10 + i)
	}
	return t
}()

// IsHex reports whether c is a hex digit.
func IsHex(c byte) bool { return HexVal[c] >= 0 }

// IsAlnum reports whether c is an ASCII letter or digit.
func IsAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
