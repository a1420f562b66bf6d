package syslog

import (
	"encoding/binary"
	"syscall"
	"testing"
)

// cmsg builds one control message as the kernel lays it out.
func cmsg(level, typ int32, data []byte) []byte {
	b := make([]byte, syscall.CmsgSpace(len(data)))
	l := uint64(syscall.CmsgLen(len(data)))
	if syscall.SizeofCmsghdr == 16 {
		binary.NativeEndian.PutUint64(b, l)
	} else {
		binary.NativeEndian.PutUint32(b, uint32(l))
	}
	binary.NativeEndian.PutUint32(b[syscall.SizeofCmsghdr-8:], uint32(level))
	binary.NativeEndian.PutUint32(b[syscall.SizeofCmsghdr-4:], uint32(typ))
	copy(b[syscall.SizeofCmsghdr:], data)
	return b
}

func TestRxqOvfl(t *testing.T) {
	n := binary.NativeEndian.AppendUint32(nil, 4242)
	other := cmsg(syscall.SOL_SOCKET, syscall.SO_TIMESTAMP, make([]byte, 16))
	oob := append(other, cmsg(syscall.SOL_SOCKET, syscall.SO_RXQ_OVFL, n)...)
	if d, ok := rxqOvfl(oob); !ok || d != 4242 {
		t.Fatalf("got %d %v", d, ok)
	}
	if _, ok := rxqOvfl(other); ok {
		t.Fatal("found a count in another message")
	}
	for i := range oob {
		rxqOvfl(oob[:i]) // a cut buffer never panics
	}
	if n := testing.AllocsPerRun(100, func() { rxqOvfl(oob) }); n != 0 {
		t.Fatalf("%v allocs", n)
	}
}
