// Package queue is the contract between tarn's durable queue of anonymized
// entries and the delivery loops that drain it (DESIGN.md, "Data flow",
// convention 7): a delivery loop reads a batch for its sink, ships it and
// acknowledges it, and only an acknowledgment moves the sink's cursor
// (at-least-once delivery).
//
// agent/spool is the implementation; agent/queue/queuetest is the
// behaviour suite every implementation passes. The ingest, retention and
// lifecycle side of a queue (Append, Purge, Close) is not part of this
// interface: the delivery loop does not call it.
package queue

import "github.com/tarn-project/tarn/sinks"

// Queue is what a delivery loop needs of the queue.
//
// Each sink has one delivery goroutine, which is the only caller of Read
// and Ack for that sink; Read and Ack of different sinks, and of one sink
// with the queue's other methods, may run concurrently.
type Queue interface {
	// Read returns up to maxEntries (positive) of the entries sink has not
	// acknowledged yet, oldest first, stopping early once their
	// approximate size reaches maxBytes (0: no byte limit; at least one
	// entry is returned whenever any is pending). The batch is empty when
	// nothing is pending. Read does not move the cursor: reading again
	// before Ack returns a batch with the same ID and the same entries
	// first (more may follow them).
	Read(sink string, maxEntries, maxBytes int) (*Batch, error)
	// Ack records durably that b's sink accepted b: its cursor moves past
	// b's entries. Acknowledging a batch the cursor is already past (twice,
	// or after retention purged it) is a no-op.
	Ack(b *Batch) error
}

// Batch is a run of consecutive entries of one sink, returned by Read and
// handed back to Ack once the sink accepted it.
type Batch struct {
	// Sink is the sink the batch was read for.
	Sink string
	// ID is the queue position of the batch's first entry, "" for an
	// empty batch. It is stable across reads and restarts: every batch
	// that starts at that entry has this ID, also when read again after a
	// crash, and no other batch has it (see sinks.Batch.ID).
	ID string
	// Entries are the entries, oldest first. Callers must not modify them;
	// they are valid until the next Read of the same sink.
	Entries []sinks.Entry
	// Full says Read stopped at its entry or byte limit (more entries may
	// be pending).
	Full bool
	// Cursor belongs to the implementation (where the batch ends, which
	// queue it came from); callers must not touch it.
	Cursor any
}
