package delivery

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/sinks"
)

// Reasons written for entries dead-lettered with their whole batch.
const (
	reasonRejected   = "rejected"
	reasonMaxRetries = "max_retries"
	reasonOther      = "other"
)

// partial dead-letters the entries of b that the sink rejected (with their
// reasons) and counts the others as sent. Rejections that name no entry
// of b, or one twice, break the sink's contract: which entries it accepted
// is unknown then, so the whole batch is dead-lettered.
func partial(o *Options, b *sinks.Batch, p *sinks.PartialError, st *Stats) error {
	rejected := make([]sinks.Entry, 0, len(p.Rejected))
	reasons := make([]string, 0, len(p.Rejected))
	seen := make(map[int]bool, len(p.Rejected))
	for _, r := range p.Rejected {
		if r.Index < 0 || r.Index >= len(b.Entries) || seen[r.Index] {
			return deadLetterAll(o, b.Entries, reasonRejected, st,
				fmt.Errorf("sink reported rejected entry %d of a batch of %d once more or out of range: %w", r.Index, len(b.Entries), p))
		}
		seen[r.Index] = true
		rejected = append(rejected, b.Entries[r.Index])
		reasons = append(reasons, reasonWord(r.Reason))
	}
	path, err := deadLetter(o, rejected, reasons)
	if err != nil {
		return err
	}
	st.DeadLettered.Add(uint64(len(rejected)))
	st.Sent.Add(uint64(len(b.Entries) - len(rejected)))
	st.Batches.Add(1)
	st.Partial.Add(1)
	o.Logger.Error("entries rejected by the sink dead-lettered", zap.Int("entries", len(rejected)),
		zap.Int("accepted", len(b.Entries)-len(rejected)), zap.String("reasons", summary(reasons)),
		zap.NamedError("reason", p), zap.String("file", path))
	return nil
}

// deadLetterAll dead-letters a whole batch under one reason and logs it
// (count, cause, file).
func deadLetterAll(o *Options, entries []sinks.Entry, reason string, st *Stats, cause error) error {
	reasons := make([]string, len(entries))
	for i := range reasons {
		reasons[i] = reason
	}
	path, err := deadLetter(o, entries, reasons)
	if err != nil {
		return err
	}
	st.DeadLettered.Add(uint64(len(entries)))
	o.Logger.Error("batch dead-lettered", zap.Int("entries", len(entries)), zap.NamedError("reason", cause), zap.String("file", path))
	return nil
}

// deadLetter appends entries (anonymized), each with its reason, to the
// dead-letter file of the current day and returns its path.
func deadLetter(o *Options, entries []sinks.Entry, reasons []string) (string, error) {
	if o.DeadLetterDir == "" {
		return "", errors.New("delivery: entries were rejected permanently and no dead-letter directory is configured")
	}
	path := DeadLetterPath(o.DeadLetterDir, o.Name, o.Now())
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return "", fmt.Errorf("delivery: dead letter: %w", err)
	}
	var buf []byte
	for i, e := range entries {
		buf = appendDeadLetter(buf, e, reasons[i])
	}
	_, err = f.Write(buf)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		return "", fmt.Errorf("delivery: dead letter: %w", err)
	}
	return path, nil
}

// appendDeadLetter appends e as an NDJSON line (sinks.AppendEncoded) with
// {"reason":reason, in front of its members; reason is a reasonWord.
func appendDeadLetter(buf []byte, e sinks.Entry, reason string) []byte {
	start := len(buf)
	buf = sinks.AppendEncoded(buf, e, true) // {"time":...}\n
	return slices.Insert(buf, start+1, []byte(`"reason":"`+reason+`",`)...)
}

// reasonWord returns r if it is a short word of [a-z0-9_] (what sinks
// promise), else "other": a reason goes into files, logs and metrics.
func reasonWord(r string) string {
	if r == "" || len(r) > 64 {
		return reasonOther
	}
	for i := 0; i < len(r); i++ {
		if c := r[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return reasonOther
		}
	}
	return r
}

// summary renders reasons as "3 too_old, 1 line_too_long", the most
// frequent first.
func summary(reasons []string) string {
	counts := map[string]int{}
	for _, r := range reasons {
		counts[r]++
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(cmp.Compare(counts[b], counts[a]), cmp.Compare(a, b))
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = strconv.Itoa(counts[k]) + " " + k
	}
	return strings.Join(parts, ", ")
}

const deadLetterPrefix, deadLetterExt = "deadletter-", ".ndjson"

// DeadLetterPath is the dead-letter file of sink in dir for the UTC day
// of t: dir/deadletter-<sink>-YYYY-MM-DD.ndjson.
func DeadLetterPath(dir, sink string, t time.Time) string {
	return filepath.Join(dir, deadLetterPrefix+sink+"-"+t.UTC().Format(time.DateOnly)+deadLetterExt)
}

// PurgeDeadLetters deletes the dead-letter files of every sink in dir
// whose UTC day ended maxAge or longer before now, and returns how many
// it deleted. A dead-letter file without a day in its name (one
// deadletter-<sink>.ndjson per sink, written by versions before the daily
// files) is deleted by its modification time instead. A missing dir is
// not an error.
func PurgeDeadLetters(dir string, now time.Time, maxAge time.Duration) (int, error) {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("delivery: dead letters: %w", err)
	}
	n := 0
	var errs []error
	for _, de := range des {
		name := de.Name()
		if !de.Type().IsRegular() || !strings.HasPrefix(name, deadLetterPrefix) || !strings.HasSuffix(name, deadLetterExt) {
			continue
		}
		end, ok := deadLetterDayEnd(name)
		if !ok {
			fi, err := de.Info()
			if err != nil {
				if !errors.Is(err, os.ErrNotExist) {
					errs = append(errs, err)
				}
				continue
			}
			end = fi.ModTime()
		}
		if now.Before(end.Add(maxAge)) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
			continue
		}
		n++
	}
	if err := errors.Join(errs...); err != nil {
		return n, fmt.Errorf("delivery: dead letters: %w", err)
	}
	return n, nil
}

// deadLetterDayEnd is the end of the UTC day in the name of a daily
// dead-letter file.
func deadLetterDayEnd(name string) (time.Time, bool) {
	stem := strings.TrimSuffix(strings.TrimPrefix(name, deadLetterPrefix), deadLetterExt)
	n := len(time.DateOnly)
	if len(stem) < n+2 || stem[len(stem)-n-1] != '-' {
		return time.Time{}, false
	}
	day, err := time.Parse(time.DateOnly, stem[len(stem)-n:])
	if err != nil {
		return time.Time{}, false
	}
	return day.AddDate(0, 0, 1), true
}
