package loki

import (
	"strconv"
	"strings"
)

// Reasons for entries Loki rejected (or would reject), the values of the
// reason label of tarn_sink_rejected_entries_total.
const (
	reasonTooOld       = "too_old"
	reasonTooNew       = "too_new"
	reasonLineTooLong  = "line_too_long"
	reasonLabels       = "invalid_labels"
	reasonMetadata     = "structured_metadata"
	reasonStreamLimit  = "stream_limit"
	reasonBodyTooLarge = "body_too_large"
	reasonOutOfOrder   = "out_of_order"
	reasonOther        = "other"
)

// markers map phrases of Loki's validation messages (pkg/validation) to
// reasons; the first that occurs in a message decides.
var markers = []struct{ phrase, reason string }{
	{"max entry size", reasonLineTooLong},
	{"timestamp too old", reasonTooOld},
	{"timestamp too new", reasonTooNew},
	{"structured metadata", reasonMetadata},
	{"active stream limit", reasonStreamLimit},
	{"request body too large", reasonBodyTooLarge},
	{"entry too far behind", reasonOutOfOrder},
	{"entry out of order", reasonOutOfOrder},
	{"label", reasonLabels},
}

// parseRejections counts the entries a 4xx message of Loki rejects, by
// reason. An ingester's list of ignored entries ends with their count
// (see identify). The distributor joins its per-entry errors with "; "
// and prefixes an error that occurred n times with "n errors like: ". A piece that names no
// known error runs on into the next (a label value holding "; "); what is
// left naming nothing known counts as one "other".
func parseRejections(msg string) map[string]uint64 {
	if n, _, _, ok := ingesterSummary(msg[strings.LastIndexByte(msg, '\n')+1:]); ok {
		return map[string]uint64{reasonOutOfOrder: uint64(n)} // an ingester's list of one stream's ignored entries
	}
	out := map[string]uint64{}
	cur := ""
	for piece := range strings.SplitSeq(msg, "; ") {
		if cur != "" {
			piece = cur + "; " + piece
		}
		n, text := errorCount(piece)
		reason := classifyMessage(text)
		if reason == "" {
			cur = piece
			continue
		}
		out[reason] += n
		cur = ""
	}
	if cur != "" {
		out[reasonOther]++
	}
	return out
}

// errorCount splits "n errors like: text" into n and text (1 and piece
// when there is no such prefix).
func errorCount(piece string) (uint64, string) {
	num, rest, ok := strings.Cut(piece, " errors like: ")
	if !ok {
		return 1, piece
	}
	n, err := strconv.ParseUint(num, 10, 32)
	if err != nil || n == 0 {
		return 1, piece
	}
	return n, rest
}

func classifyMessage(text string) string {
	lower := strings.ToLower(text)
	for _, m := range markers {
		if strings.Contains(lower, m.phrase) {
			return m.reason
		}
	}
	return ""
}
