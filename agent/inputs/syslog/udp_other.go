//go:build !linux

package syslog

// setRxqOvfl does nothing: the system has no SO_RXQ_OVFL.
func setRxqOvfl(uintptr) {}

// rxqOvfl finds nothing: the system has no SO_RXQ_OVFL.
func rxqOvfl([]byte) (uint32, bool) { return 0, false }
