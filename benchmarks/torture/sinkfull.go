package main

import (
	"os"
	"path/filepath"
	"time"
)

// sinkTmpfsSize is the size of the filesink-full phase's tmpfs: room for
// all its lines (about 4 MB) and their duplicates.
const sinkTmpfsSize = "64m"

// writeSinkFull writes a third of the lines, fills the file sink's tmpfs
// with a ballast file (the sink's writes fail with ENOSPC), writes the
// second third and waits 5 s more with the disk full, removes the ballast
// (the sink comes back) and writes the rest.
func (r *phaseRun) writeSinkFull(lines int) {
	third := lines / 3
	if _, err := r.w.write(third, nil); err != nil {
		r.note("writer: %v", err)
	}
	ballast := filepath.Join(r.res.mounted, "torture-ballast")
	writeBallast(ballast, r.freeNow()) // ends with ENOSPC at the latest
	r.note("file sink's disk filled (%d bytes free)", r.freeNow())
	if _, err := r.w.write(third, nil); err != nil {
		r.note("writer: %v", err)
	}
	time.Sleep(5 * time.Second)
	r.note("while the file sink's disk was full, /readyz answered %s", readyz(r.listen))
	if err := os.Remove(ballast); err != nil {
		r.note("remove ballast: %v", err)
	}
	r.note("ballast removed, %d bytes free", r.freeNow())
	if _, err := r.w.write(lines-2*third, nil); err != nil {
		r.note("writer: %v", err)
	}
}
