package agent

import "github.com/tarn-project/tarn/rules/detect"

// CutStart returns how many bytes to drop from the start of b, which
// continues a line whose earlier part (ending with byte prev) was lost, so
// that no part of an identifier that began before the cut is kept: the
// mirror image of detect.CutEnd, computed by it on b's start reversed into
// *scratch (reused, so CutStart allocates nothing once *scratch has grown
// to detect.MaxCutWalk bytes).
//
// The agent's container inputs cut a record so when it follows a docker
// record that could not be parsed once cut. `tarn filter` applies the same
// rule with its own cutStart (cmd/tarn/filter_cri.go), which is to be
// replaced by this function.
func CutStart(b []byte, prev byte, scratch *[]byte) int {
	w := min(len(b), detect.MaxCutWalk)
	rev := (*scratch)[:0]
	for i := w - 1; i >= 0; i-- {
		rev = append(rev, b[i])
	}
	*scratch = rev
	return w - detect.CutEnd(rev, prev)
}
