package lokipush

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"github.com/grafana/loki/pkg/push"

	"github.com/tarn-project/tarn/sinks"
)

// Defaults of Limits.
const (
	// DefaultMaxEntries is the default limit of entries per request.
	// Promtail's and Alloy's default batch (1 MiB) holds far fewer.
	DefaultMaxEntries = 100000
	// DecodedBytesPerBodyByte makes the default MaxDecodedBytes: this many
	// times the body limit (64 MiB for the default 16 MiB).
	DecodedBytesPerBodyByte = 4
)

var (
	// ErrTooManyEntries marks a request with more entries than
	// Limits.MaxEntries; it wraps ErrTooLarge (answered 413).
	ErrTooManyEntries = fmt.Errorf("%w: too many entries", ErrTooLarge)
	// ErrDecodedTooLarge marks a request whose decoded form would take
	// more memory than Limits.MaxDecodedBytes (for example millions of
	// empty entries in a small compressed body); it wraps ErrTooLarge.
	ErrDecodedTooLarge = fmt.Errorf("%w: decoded request too large", ErrTooLarge)
)

// Limits bound what one push request may cost. Zero fields take their
// defaults.
type Limits struct {
	// MaxBytes limits the body and every decompressed form of it
	// (DefaultMaxBodyBytes if <= 0).
	MaxBytes int64
	// MaxEntries limits the entries of one request (DefaultMaxEntries if
	// <= 0). It is checked before the request is decoded.
	MaxEntries int
	// MaxDecodedBytes limits the estimated memory of the decoded request:
	// the decompressed bytes twice (Loki's message and the result) plus
	// the size of every stream, entry and metadata pair in both forms
	// (DecodedBytesPerBodyByte × MaxBytes if <= 0). It is checked before
	// the request is decoded.
	MaxDecodedBytes int64
}

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBodyBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = DefaultMaxEntries
	}
	if l.MaxDecodedBytes <= 0 {
		l.MaxDecodedBytes = DecodedBytesPerBodyByte * l.MaxBytes
	}
	return l
}

// Memory of the decoded forms, per item. Loki's slices grow by append, so
// its side counts twice.
const (
	streamCost = 2*int64(unsafe.Sizeof(push.Stream{})) + int64(unsafe.Sizeof(Stream{})) + 64 // + parsed label set
	entryCost  = 2*int64(unsafe.Sizeof(push.Entry{})) + int64(unsafe.Sizeof(Entry{})) + 24   // + JSON's element slice
	pairCost   = 2*int64(unsafe.Sizeof(push.LabelAdapter{})) + int64(unsafe.Sizeof(sinks.Label{}))
)

// budget counts a request's items against its Limits.
type budget struct {
	l                       Limits
	streams, entries, pairs int
	data                    int64
}

func newBudget(l Limits, data int) *budget {
	return &budget{l: l.withDefaults(), data: 2 * int64(data)}
}

// add counts items and fails once a limit is passed.
func (b *budget) add(streams, entries, pairs int) error {
	b.streams += streams
	b.entries += entries
	b.pairs += pairs
	if b.entries > b.l.MaxEntries {
		return fmt.Errorf("%w: more than %d", ErrTooManyEntries, b.l.MaxEntries)
	}
	if b.cost() > b.l.MaxDecodedBytes {
		return fmt.Errorf("%w: more than %d bytes", ErrDecodedTooLarge, b.l.MaxDecodedBytes)
	}
	return nil
}

// cost is the estimated memory of the decoded request so far.
func (b *budget) cost() int64 {
	return b.data + int64(b.streams)*streamCost + int64(b.entries)*entryCost + int64(b.pairs)*pairCost
}

// errWire is a protobuf message the counting scan cannot walk.
var errWire = errors.New("malformed protobuf wire format")

// countProtobuf walks a marshalled push.PushRequest without decoding it
// and counts its streams, entries and metadata pairs into b, stopping at
// the first limit passed. Wire errors are left to the decoder, which
// reports them precisely.
func countProtobuf(raw []byte, b *budget) error {
	return wireFields(raw, func(num int, v []byte) error {
		if num != 1 {
			return nil
		}
		if err := b.add(1, 0, 0); err != nil {
			return err
		}
		return wireFields(v, func(num int, v []byte) error {
			if num != 2 {
				return nil
			}
			pairs := 0
			if err := wireFields(v, func(num int, _ []byte) error {
				if num == 3 || num == 4 { // structuredMetadata, parsed
					pairs++
				}
				return nil
			}); err != nil {
				return err
			}
			return b.add(0, 1, pairs)
		})
	})
}

// wireFields calls f with the number and content of every length-delimited
// field of a protobuf message, skipping the others.
func wireFields(m []byte, f func(num int, v []byte) error) error {
	for len(m) > 0 {
		tag, n := binary.Uvarint(m)
		if n <= 0 {
			return errWire
		}
		m = m[n:]
		var v []byte
		switch tag & 7 {
		case 0:
			if _, n = binary.Uvarint(m); n <= 0 {
				return errWire
			}
			m = m[n:]
			continue
		case 1, 5:
			w := 8 - 4*int(tag&7/5) // fixed64 or fixed32
			if len(m) < w {
				return errWire
			}
			m = m[w:]
			continue
		case 2:
			l, n := binary.Uvarint(m)
			if n <= 0 || l > uint64(len(m)-n) {
				return errWire
			}
			v, m = m[n:n+int(l)], m[n+int(l):]
		default:
			return errWire
		}
		if err := f(int(tag>>3), v); err != nil {
			return err
		}
	}
	return nil
}

// countJSON counts the entries of each stream of a JSON body that
// json.Valid accepted into b before anything is decoded (for the legacy
// form, which encoding/json decodes). entriesKey is "values" (Loki's
// JSON) or "entries" (the legacy form); object keys match
// case-insensitively for the legacy form, as encoding/json does.
func countJSON(body []byte, entriesKey string, b *budget) error {
	streams := member1(body, "streams", true)
	if streams == nil {
		return nil
	}
	s := jscan{b: streams}
	if !s.open('[') {
		return nil // the decoder reports it
	}
	for first := true; s.next(first); first = false {
		values := member1(s.value(), entriesKey, entriesKey == "entries")
		if err := b.add(1, countElements(values), 0); err != nil {
			return err
		}
	}
	return nil
}

// elements returns the elements of a JSON array like the function
// elements, counting each as streams streams and entries entries into b
// before it is kept, so a huge array fails at the limit, not after.
func (b *budget) elements(raw []byte, streams, entries int) ([][]byte, bool, error) {
	s := jscan{b: raw}
	if !s.open('[') {
		return nil, false, nil
	}
	var dst [][]byte
	for first := true; s.next(first); first = false {
		if err := b.add(streams, entries, 0); err != nil {
			return nil, true, err
		}
		dst = append(dst, s.value())
	}
	return dst, true, nil
}

// member1 returns the raw value of the member key of the JSON object raw
// (the last one if repeated), nil if there is none.
func member1(raw []byte, key string, fold bool) []byte {
	s := jscan{b: raw}
	if !s.open('{') {
		return nil
	}
	var out []byte
	for first := true; s.next(first); first = false {
		k, _ := jsonString(s.value())
		s.colon()
		v := s.value()
		if string(k) == key || fold && bytes.EqualFold(k, []byte(key)) {
			out = v
		}
	}
	return out
}

// countElements returns the number of elements of a JSON array, 0 if raw
// is not one.
func countElements(raw []byte) int {
	s := jscan{b: raw}
	if !s.open('[') {
		return 0
	}
	n := 0
	for first := true; s.next(first); first = false {
		s.value()
		n++
	}
	return n
}
