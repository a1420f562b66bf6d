package syslog

import (
	"encoding/binary"
	"syscall"
)

// setRxqOvfl asks the kernel to attach to every datagram the count of
// datagrams it dropped on the socket so far (SO_RXQ_OVFL).
func setRxqOvfl(fd uintptr) {
	syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RXQ_OVFL, 1)
}

// rxqOvfl reads the SO_RXQ_OVFL count from a datagram's control
// messages without allocating. The kernel attaches it once it dropped
// one; before, ok is false (the count is 0).
func rxqOvfl(oob []byte) (drops uint32, ok bool) {
	for len(oob) >= syscall.SizeofCmsghdr {
		l := int(cmsgLen(oob))
		if l < syscall.SizeofCmsghdr || l > len(oob) {
			return 0, false
		}
		level := int32(binary.NativeEndian.Uint32(oob[syscall.SizeofCmsghdr-8:]))
		typ := int32(binary.NativeEndian.Uint32(oob[syscall.SizeofCmsghdr-4:]))
		if level == syscall.SOL_SOCKET && typ == syscall.SO_RXQ_OVFL && l >= syscall.SizeofCmsghdr+4 {
			return binary.NativeEndian.Uint32(oob[syscall.SizeofCmsghdr:]), true
		}
		next := syscall.CmsgSpace(l - syscall.SizeofCmsghdr)
		if next > len(oob) {
			return 0, false
		}
		oob = oob[next:]
	}
	return 0, false
}

// cmsgLen is the cmsg_len field (a size_t) of the control message at oob.
func cmsgLen(oob []byte) uint64 {
	if syscall.SizeofCmsghdr == 16 {
		return binary.NativeEndian.Uint64(oob)
	}
	return uint64(binary.NativeEndian.Uint32(oob))
}
