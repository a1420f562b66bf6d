//go:build !linux

package main

import "errors"

var errNoTmpfs = errors.New("tmpfs mounts need Linux")

// mountTmpfs is not available here; the spool-full phase is skipped.
func mountTmpfs(dir, size string, free int64) error { return errNoTmpfs }

// unmount is not available here.
func unmount(dir string) error { return errNoTmpfs }

// freeBytes is not available here.
func freeBytes(dir string) (int64, error) { return 0, errNoTmpfs }
