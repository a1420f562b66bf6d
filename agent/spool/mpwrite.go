package spool

import "encoding/binary"

// The encoder appends msgpack by hand: the few forms it writes are the
// ones github.com/vmihailenco/msgpack/v5 writes for the same values
// (TestEncoderMatchesMsgpack checks byte for byte), without the library's
// per-call overhead.

// msgpack codes of the forms written.
const (
	mpNil        = 0xc0
	mpBin8       = 0xc4
	mpBin16      = 0xc5
	mpBin32      = 0xc6
	mpInt64      = 0xd3
	mpStr8       = 0xd9
	mpStr16      = 0xda
	mpStr32      = 0xdb
	mpArray16    = 0xdc
	mpArray32    = 0xdd
	mpFixArray   = 0x90
	mpFixStr     = 0xa0
	mpFixArrayMx = 16
	mpFixStrMx   = 32
)

// appendLen appends the header of a length n in one of three sizes.
func appendLen(b []byte, n int, c8, c16, c32 byte) []byte {
	switch {
	case n < 256 && c8 != 0:
		return append(b, c8, byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, c16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, c32), uint32(n))
}

// appendArrayLen appends an array header.
func appendArrayLen(b []byte, n int) []byte {
	if n < mpFixArrayMx {
		return append(b, mpFixArray|byte(n))
	}
	return appendLen(b, n, 0, mpArray16, mpArray32)
}

// appendInt64 appends n as a full 64-bit integer.
func appendInt64(b []byte, n int64) []byte {
	return binary.BigEndian.AppendUint64(append(b, mpInt64), uint64(n))
}

// appendString appends a string.
func appendString(b []byte, s string) []byte {
	if len(s) < mpFixStrMx {
		b = append(b, mpFixStr|byte(len(s)))
	} else {
		b = appendLen(b, len(s), mpStr8, mpStr16, mpStr32)
	}
	return append(b, s...)
}

// appendBin appends binary data, nil as msgpack nil.
func appendBin(b, v []byte) []byte {
	if v == nil {
		return append(b, mpNil)
	}
	return append(appendLen(b, len(v), mpBin8, mpBin16, mpBin32), v...)
}
