// Package spool is tarn's on-disk buffer between the rules engine and the
// sinks (DESIGN.md, "Data flow", conventions 6 and 7), the implementation
// of queue.Queue. It holds only anonymized sinks.Entry values, never raw
// lines: it stores exactly what it is given, and only the rules engine
// builds entries.
//
// Entries are appended in batches; each batch becomes one record (or, past
// the bounds of one record, a few) of a segment file
// (NNNNNNNNNNNNNNNNNNNN.seg): a magic, a u32 length, a CRC32C and an
// lz4-compressed msgpack payload. A damaged record costs that record only:
// Open resynchronizes at the next valid one, and Read skips a record that
// fails its CRC later; both are counted and logged (segment and offset,
// never content). Every sink has its own cursor, which advances only when
// the sink acknowledged a batch (at-least-once delivery). A batch's ID is
// the position of its first entry, <segment, 20 digits>-<record
// offset>-<index in the record>: entries never move within their segment,
// so the ID is the same whenever a batch starting there is read, also
// after a restart or a crash. Segments that every sink has passed are
// deleted; segments whose newest entry is older than MaxAge are purged
// even if undelivered (invariant 4).
//
// All methods are safe for concurrent use: one mutex serialises them. The
// intended callers are one ingest goroutine (Append), one delivery goroutine
// per sink (Read, Ack), and a retention timer (Purge).
package spool

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/tarn-project/tarn/agent/durable"
	"github.com/tarn-project/tarn/agent/queue"
	"github.com/tarn-project/tarn/sinks"
)

// ErrFull is returned by Append when the batch would take the spool past
// MaxBytes. Nothing was written; the caller pauses reading (backpressure)
// and retries after the sinks have acknowledged more entries.
var ErrFull = errors.New("spool: full")

// ErrDiskFull is returned by Append when the file system has no space
// left (ENOSPC, EDQUOT). It wraps ErrFull: nothing was kept, and the
// caller applies the same backpressure and retries.
var ErrDiskFull = fmt.Errorf("%w: no space left on device", ErrFull)

// ErrTooLarge is returned by Append when one encoded batch alone exceeds
// MaxBytes (or 1 GiB); retrying cannot help, the caller must split it.
var ErrTooLarge = errors.New("spool: batch too large")

// ErrClosed is returned by every method called after Close.
var ErrClosed = errors.New("spool: closed")

// ErrUnknownSink is returned by Read and Ack for a sink not given to Open.
var ErrUnknownSink = errors.New("spool: unknown sink")

// Options configures a Spool. Zero fields take their defaults, except
// Dir and MaxAge, which are required.
type Options struct {
	// Dir is the spool directory; created with mode 0700.
	Dir string
	// MaxBytes bounds the total size of the segment files (default 1 GiB).
	MaxBytes int64
	// SegmentBytes is the size at which a new segment is started
	// (default 64 MiB).
	SegmentBytes int64
	// Now returns the current time (default time.Now); injected for tests.
	Now func() time.Time
	// MaxAge is the retention period, required (retention.max_age: one
	// value, decided by the configuration, never defaulted here): Purge
	// drops entries older than this. A segment is also closed after
	// MaxAge/8 so that Purge, which deletes whole segments, keeps data at
	// most ~MaxAge*9/8.
	MaxAge time.Duration
	// Logger receives one line per damaged record found (segment, offset,
	// bytes; never content). Default: none.
	Logger *zap.Logger
}

// Stats is a snapshot of the spool's state, for metrics.
type Stats struct {
	// Bytes is the total size of the segment files.
	Bytes int64
	// Entries is the number of entries held in the segment files
	// (acknowledged by some sinks or not).
	Entries int64
	// Segments is the number of segment files.
	Segments int
	// Oldest is the time of the oldest entry held; zero when empty.
	Oldest time.Time
	// CorruptTruncated counts segments whose corrupt or partial tail was
	// truncated by Open.
	CorruptTruncated int64
	// CorruptRecords counts damaged records skipped: runs of bytes without
	// a valid record found by Open before valid ones (a torn tail is
	// counted in CorruptTruncated only), and records that failed their
	// check when Read decoded them.
	CorruptRecords int64
	// Purged counts entries dropped by Purge for being older than MaxAge.
	Purged int64
	// MaxBytes is the spool's limit (Options.MaxBytes).
	MaxBytes int64
	// Backlog is, per sink, the entries it has not acknowledged yet.
	Backlog map[string]int64
}

// span is the spool's part of a queue.Batch (its Cursor): the spool it
// was read from and the position after its last entry.
type span struct {
	spool *Spool
	end   cursor
}

var _ queue.Queue = (*Spool)(nil)

// readCache keeps the last decoded record of a sink, so that reading a
// record in several batches decodes it once.
type readCache struct {
	seg     uint64
	off     int64
	entries []sinks.Entry
}

// Spool is an on-disk, multi-cursor queue of anonymized entries.
type Spool struct {
	mu          sync.Mutex
	o           Options
	segs        []*segment // ascending ids; the last one is active
	f           *os.File   // the active segment, opened for appending
	activeSince time.Time
	cursors     map[string]cursor
	cache       map[string]*readCache
	enc         *encoder
	bytes       int64
	corrupt     int64 // segments whose tail was truncated
	damaged     int64 // damaged records skipped
	purged      int64
	closed      bool
	created     bool // Open created the directory
	cursorLag   bool // a cursor could not be saved for lack of space
	full        bool // the last Append was refused for lack of room
}

// Open opens or creates the spool in o.Dir for the given sinks and recovers
// it: a record that is short, fails its CRC or is malformed is truncated
// away together with everything after it in that segment, and counted in
// Stats.CorruptTruncated. A sink without a cursor yet starts at the oldest
// entry held; cursor files of sinks not named are kept but ignored, so
// segments only those sinks still need may be deleted. At least one sink is
// required. Open always starts a new active segment. Called once, by the
// agent at start-up; the directory must not be shared by two Spools.
func Open(o Options, sinkNames []string) (*Spool, error) {
	if o.Dir == "" {
		return nil, errors.New("spool: no directory")
	}
	if len(sinkNames) == 0 {
		// Without cursors every segment would count as delivered.
		return nil, errors.New("spool: no sinks")
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 1 << 30
	}
	if o.SegmentBytes <= 0 {
		o.SegmentBytes = 64 << 20
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxAge <= 0 {
		return nil, fmt.Errorf("spool: max age must be positive, got %s", o.MaxAge)
	}
	if o.Logger == nil {
		o.Logger = zap.NewNop()
	}
	_, statErr := os.Stat(o.Dir)
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: create dir: %w", err)
	}
	if err := os.Chmod(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: chmod dir: %w", err)
	}
	s := &Spool{o: o, cursors: map[string]cursor{}, cache: map[string]*readCache{}, enc: newEncoder(),
		created: errors.Is(statErr, os.ErrNotExist)}
	ids, err := listSegments(o.Dir)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		g, damaged, err := scanSegment(filepath.Join(o.Dir, segName(id)), id)
		if err != nil {
			return nil, err
		}
		s.noteDamage(damaged)
		s.segs = append(s.segs, g)
		s.bytes += g.size
	}
	next, err := maxCursorSegment(o.Dir)
	if err != nil {
		return nil, err
	}
	if len(ids) > 0 && ids[len(ids)-1] > next {
		next = ids[len(ids)-1]
	}
	if next == 0 {
		// A new (or wiped) spool numbers its segments from the clock, so
		// its batch IDs never repeat those of an earlier spool in the
		// same place: a sink that names objects after them (s3) would
		// overwrite what the earlier spool delivered.
		next = uint64(o.Now().UnixMicro())
	}
	if err := s.startSegment(next + 1); err != nil {
		return nil, err
	}
	for _, name := range sinkNames {
		if !validSinkName(name) {
			s.f.Close()
			return nil, fmt.Errorf("spool: invalid sink name %q", name)
		}
		if _, dup := s.cursors[name]; dup {
			s.f.Close()
			return nil, fmt.Errorf("spool: duplicate sink name %q", name)
		}
		c, found, err := loadCursor(o.Dir, name)
		if err != nil {
			s.f.Close()
			return nil, err
		}
		if !found {
			c = cursor{seg: s.segs[0].id}
		}
		s.cursors[name] = s.normalize(c)
	}
	if err := s.gc(); err != nil {
		s.f.Close()
		return nil, err
	}
	return s, nil
}

// Append stores entries (as one record, or a few when they exceed the
// bounds of one) and returns once they are durable (written and fsynced).
// It returns ErrFull, having kept nothing, when the records would take the
// spool past MaxBytes, and ErrDiskFull (which is ErrFull too) when the
// file system is full. Called by the ingest goroutines; safe concurrently
// with all other methods.
func (s *Spool) Append(entries []sinks.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	recs, metas, err := s.enc.encode(entries)
	if err != nil {
		return err
	}
	size := int64(len(recs))
	if size > s.o.MaxBytes {
		return fmt.Errorf("spool: records of %d bytes, max %d: %w", size, s.o.MaxBytes, ErrTooLarge)
	}
	if s.bytes+size > s.o.MaxBytes {
		if err := s.reclaimActive(); err != nil {
			return err
		}
		if s.bytes+size > s.o.MaxBytes {
			s.full = true
			return ErrFull
		}
	}
	a := s.active()
	if a.size > 0 && (a.size+size > s.o.SegmentBytes || s.o.Now().Sub(s.activeSince) >= s.o.MaxAge/8) {
		if err := s.startSegment(a.id + 1); err != nil {
			err = diskFull(err)
			s.full = s.full || errors.Is(err, ErrFull)
			return err
		}
		a = s.active()
	}
	err = s.write(a, recs)
	if errors.Is(err, ErrDiskFull) && s.reclaimActive() == nil && s.active() != a {
		a = s.active() // the sinks had passed the old active segment: its space is free
		err = s.write(a, recs)
	}
	if err != nil {
		s.full = s.full || errors.Is(err, ErrFull)
		return err
	}
	s.full = false
	off := a.size
	for _, m := range metas {
		a.add(record{off: off, size: int64(m.size), count: m.count, oldest: m.oldest, newest: m.newest})
		off += int64(m.size)
	}
	s.bytes += size
	return nil
}

// write appends recs to the active segment a and syncs it; on any error
// the file is truncated back to a.size, so nothing of recs stays.
func (s *Spool) write(a *segment, recs []byte) error {
	_, err := s.f.Write(recs)
	if err == nil {
		if err = s.f.Sync(); err == nil {
			return nil
		}
	}
	if terr := s.f.Truncate(a.size); terr != nil {
		return fmt.Errorf("spool: append: %w (and truncate: %v)", diskFull(err), terr)
	}
	return fmt.Errorf("spool: append: %w", diskFull(err))
}

// diskFull returns ErrDiskFull wrapping err when err says the file system
// is full, else err.
func diskFull(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return fmt.Errorf("%w (%w)", ErrDiskFull, err)
	}
	return err
}

// Full reports whether the last Append was refused for lack of room
// (ErrFull, ErrDiskFull) and no space has been freed since: inputs are
// held back. Safe concurrently with all other methods.
func (s *Spool) Full() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.full
}

// Created reports whether Open created the spool directory: a spool that
// had state before (positions, other files next to it) yet no directory
// was deleted while tarn was stopped.
func (s *Spool) Created() bool { return s.created }

// Read implements queue.Queue: it returns up to max of the entries sink
// has not acknowledged yet, from its cursor, stopping early once their
// approximate size reaches maxBytes (0 means no byte limit; at least one
// entry is always returned when any is pending). The batch is empty when
// nothing is pending. Read does not move the cursor: reading again before
// Ack returns the same entries, under the same ID (see the package doc).
// Called by the one delivery goroutine of that sink; safe concurrently
// with all other methods.
func (s *Spool) Read(sink string, max int, maxBytes int) (*queue.Batch, error) {
	if max <= 0 {
		return nil, fmt.Errorf("spool: read: max must be positive, got %d", max)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	c, ok := s.cursors[sink]
	if !ok {
		return nil, fmt.Errorf("spool: read %q: %w", sink, ErrUnknownSink)
	}
	b := &queue.Batch{Sink: sink}
	size, full := 0, false
	for len(b.Entries) < max && !full {
		c = s.normalize(c)
		g := s.segs[s.segIndex(c.seg)]
		ri := g.find(c.off)
		if ri == len(g.recs) {
			break // end of the active segment
		}
		entries, err := s.decoded(sink, g, g.recs[ri])
		if errors.Is(err, errCorrupt) {
			s.skipRecord(g, ri, err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(b.Entries) == 0 {
			b.ID = c.id() // c is the first entry's position: normalized, in a record that decoded
		}
		for c.idx < len(entries) && len(b.Entries) < max {
			n := entrySize(&entries[c.idx])
			if maxBytes > 0 && len(b.Entries) > 0 && size+n > maxBytes {
				full = true
				break
			}
			b.Entries = append(b.Entries, entries[c.idx])
			size += n
			c.idx++
		}
	}
	b.Full = full || len(b.Entries) == max
	b.Cursor = &span{spool: s, end: c}
	return b, nil
}

// Ack implements queue.Queue: the cursor of b.Sink moves past b's entries
// durably (temp file → fsync → rename → fsync dir), and segments all sinks
// have passed are deleted. Acknowledging a batch the cursor is already
// past (after Purge, or twice) is a no-op. Called by the delivery
// goroutine of b.Sink; safe concurrently with all other methods.
func (s *Spool) Ack(b *queue.Batch) error {
	var sp *span
	if b != nil {
		sp, _ = b.Cursor.(*span)
	}
	if sp == nil || sp.spool != s {
		return errors.New("spool: ack of a batch not read from this spool")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	cur, ok := s.cursors[b.Sink]
	if !ok {
		return fmt.Errorf("spool: ack %q: %w", b.Sink, ErrUnknownSink)
	}
	if !cur.less(sp.end) {
		return nil
	}
	c := s.normalize(sp.end)
	err := saveCursor(s.o.Dir, b.Sink, c)
	if err != nil && !errors.Is(diskFull(err), ErrDiskFull) {
		return err
	}
	s.cursors[b.Sink] = c
	gcErr := s.gc()
	if err != nil {
		// On a full disk the cursor moves in memory and the segments it
		// passed are deleted, which frees space; the durable cursor lags
		// behind (a crash now re-sends, never loses: Open moves a cursor
		// past deleted segments) until a save succeeds.
		if err = saveCursor(s.o.Dir, b.Sink, c); err != nil && !s.cursorLag {
			s.cursorLag = true
			s.o.Logger.Warn("spool: disk full, sink cursor kept in memory until space returns", zap.String("sink", b.Sink))
		}
		if err == nil {
			s.cursorLag = false
		}
	}
	return gcErr
}

// Purge deletes every segment whose newest entry is older than MaxAge (by
// Entry.Time against Now), delivered or not, moves cursors past them and
// returns how many entries it dropped (also added to Stats.Purged). Called
// periodically by the agent's retention loop; safe concurrently with all
// other methods.
func (s *Spool) Purge() (purged int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrClosed
	}
	cutoff := s.o.Now().Add(-s.o.MaxAge).UnixNano()
	if a := s.active(); a.entries > 0 && a.newest < cutoff {
		if err := s.startSegment(a.id + 1); err != nil {
			return 0, err
		}
	}
	keep := s.segs[:0:0]
	for i, g := range s.segs {
		if i == len(s.segs)-1 || g.entries == 0 || g.newest >= cutoff {
			keep = append(keep, g)
			continue
		}
		if rerr := os.Remove(filepath.Join(s.o.Dir, segName(g.id))); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			err = errors.Join(err, fmt.Errorf("spool: purge segment %d: %w", g.id, rerr))
			keep = append(keep, g)
			continue
		}
		purged += g.entries
		s.bytes -= g.size
	}
	s.segs = keep
	s.purged += int64(purged)
	for name, c := range s.cursors {
		s.cursors[name] = s.normalize(c)
	}
	return purged, errors.Join(err, s.gc())
}

// backlog counts the entries at and after cursor c.
func (s *Spool) backlog(c cursor) int64 {
	var n int64
	for _, g := range s.segs {
		switch {
		case g.id > c.seg:
			n += int64(g.entries)
		case g.id == c.seg:
			for _, r := range g.recs {
				if r.off > c.off {
					n += int64(r.count)
				} else if r.off == c.off {
					n += int64(max(r.count-c.idx, 0))
				}
			}
		}
	}
	return n
}

// Stats returns a snapshot for metrics. Called by the metrics collector;
// safe concurrently with all other methods, also after Close.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Stats{Bytes: s.bytes, Segments: len(s.segs), CorruptTruncated: s.corrupt, CorruptRecords: s.damaged, Purged: s.purged,
		MaxBytes: s.o.MaxBytes, Backlog: make(map[string]int64, len(s.cursors))}
	for name, c := range s.cursors {
		st.Backlog[name] = s.backlog(c)
	}
	first := true
	var oldest int64
	for _, g := range s.segs {
		st.Entries += int64(g.entries)
		if g.entries > 0 && (first || g.oldest < oldest) {
			oldest, first = g.oldest, false
		}
	}
	if !first {
		st.Oldest = time.Unix(0, oldest).UTC()
	}
	return st
}

// Close syncs and closes the active segment. Everything Append returned for
// is already durable. Called once by the agent at shutdown; safe to call
// twice and concurrently with other methods, which then return ErrClosed.
func (s *Spool) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.cache = nil
	serr := s.f.Sync()
	cerr := s.f.Close()
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("spool: close: %w", err)
	}
	return nil
}

func (s *Spool) active() *segment { return s.segs[len(s.segs)-1] }

// segIndex returns the index in s.segs of the first segment with an id at
// or above id (len(s.segs) when none).
func (s *Spool) segIndex(id uint64) int {
	return sort.Search(len(s.segs), func(i int) bool { return s.segs[i].id >= id })
}

// startSegment syncs and closes the active segment and creates segment id
// as the new active one.
func (s *Spool) startSegment(id uint64) error {
	if s.f != nil {
		if err := s.f.Sync(); err != nil {
			return fmt.Errorf("spool: sync segment: %w", err)
		}
		if err := s.f.Close(); err != nil {
			return fmt.Errorf("spool: close segment: %w", err)
		}
		s.f = nil
	}
	f, err := os.OpenFile(filepath.Join(s.o.Dir, segName(id)), os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("spool: create segment: %w", err)
	}
	if err := durable.SyncDir(s.o.Dir); err != nil {
		f.Close()
		return fmt.Errorf("spool: %w", err)
	}
	s.f = f
	s.segs = append(s.segs, &segment{id: id})
	s.activeSince = s.o.Now()
	return nil
}

// normalize moves c to the canonical position of the next unread entry:
// past empty, deleted and finished segments, onto a record boundary. The
// result is never before c in delivery order.
func (s *Spool) normalize(c cursor) cursor {
	for {
		i := s.segIndex(c.seg)
		if i == len(s.segs) { // cannot happen: the active id is the highest
			a := s.active()
			return cursor{seg: a.id, off: a.size}
		}
		g := s.segs[i]
		if g.id != c.seg {
			c = cursor{seg: g.id}
		}
		ri := g.find(c.off)
		if ri < len(g.recs) {
			r := g.recs[ri]
			if r.off != c.off {
				c.off, c.idx = r.off, 0
			}
			if c.idx < r.count {
				return c
			}
			c.off, c.idx = r.off+r.size, 0
			continue
		}
		if i == len(s.segs)-1 {
			return cursor{seg: g.id, off: g.size}
		}
		c = cursor{seg: s.segs[i+1].id}
	}
}

// gc deletes the segments every sink's cursor has passed (never the active
// one).
func (s *Spool) gc() error {
	min := s.active().id
	for name, c := range s.cursors {
		c = s.normalize(c)
		s.cursors[name] = c
		if c.seg < min {
			min = c.seg
		}
	}
	var err error
	keep := s.segs[:0:0]
	for _, g := range s.segs {
		if g.id >= min {
			keep = append(keep, g)
			continue
		}
		if rerr := os.Remove(filepath.Join(s.o.Dir, segName(g.id))); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			err = errors.Join(err, fmt.Errorf("spool: delete segment %d: %w", g.id, rerr))
			keep = append(keep, g)
			continue
		}
		s.bytes -= g.size
		s.full = false // room was freed: the next Append may fit
	}
	s.segs = keep
	return err
}

// reclaimActive starts a new segment when every sink has read and
// acknowledged the whole active one, so that gc can free it.
func (s *Spool) reclaimActive() error {
	a := s.active()
	if a.size == 0 {
		return nil
	}
	end := cursor{seg: a.id, off: a.size}
	for _, c := range s.cursors {
		if s.normalize(c) != end {
			return nil
		}
	}
	if err := s.startSegment(a.id + 1); err != nil {
		return err
	}
	return s.gc()
}

// decoded returns the entries of record r of segment g, from the sink's
// cache when it holds that record.
func (s *Spool) decoded(sink string, g *segment, r record) ([]sinks.Entry, error) {
	if rc := s.cache[sink]; rc != nil && rc.seg == g.id && rc.off == r.off {
		return rc.entries, nil
	}
	p, err := readPayload(filepath.Join(s.o.Dir, segName(g.id)), r)
	if err != nil {
		return nil, err
	}
	meta, err := parsePayload(p)
	if err != nil {
		return nil, fmt.Errorf("spool: record at %d of segment %d: %w", r.off, g.id, err)
	}
	entries, err := decodePayload(p, meta)
	if err != nil {
		return nil, fmt.Errorf("spool: record at %d of segment %d: %w", r.off, g.id, err)
	}
	s.cache[sink] = &readCache{seg: g.id, off: r.off, entries: entries}
	return entries, nil
}

// entrySize approximates the bytes an entry takes when sent.
func entrySize(e *sinks.Entry) int {
	n := len(e.Line) + 8
	for _, l := range e.Labels {
		n += len(l.Name) + len(l.Value)
	}
	for _, l := range e.Metadata {
		n += len(l.Name) + len(l.Value)
	}
	return n
}

// noteDamage counts and logs the damaged runs Open found in a segment. A
// damaged tail is what an append cut short by a crash leaves (that append
// was never acknowledged): it is counted in CorruptTruncated and logged
// as a warning. Damage before valid records is lost data: counted in
// CorruptRecords and logged as an error.
func (s *Spool) noteDamage(damaged []damage) {
	for _, d := range damaged {
		if d.tail {
			s.corrupt++
			s.o.Logger.Warn("spool: torn or damaged tail truncated (an append cut short, e.g. by a crash)",
				zap.Uint64("segment", d.seg), zap.Int64("offset", d.off), zap.Int64("bytes", d.len))
			continue
		}
		s.damaged++
		s.o.Logger.Error("spool: damaged record skipped", zap.Uint64("segment", d.seg), zap.Int64("offset", d.off),
			zap.Int64("bytes", d.len))
	}
}

// skipRecord removes record ri of segment g, which failed its check when
// read, from the index: its entries are lost, the others are delivered.
func (s *Spool) skipRecord(g *segment, ri int, err error) {
	r := g.recs[ri]
	s.damaged++
	s.o.Logger.Error("spool: damaged record skipped", zap.Uint64("segment", g.id), zap.Int64("offset", r.off),
		zap.Int64("bytes", r.size), zap.Int("entries", r.count), zap.Error(err))
	g.recs = append(g.recs[:ri], g.recs[ri+1:]...)
	g.entries -= r.count
}
