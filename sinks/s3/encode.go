package s3

import (
	"bytes"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"github.com/tarn-project/tarn/sinks"
)

// codec is one value of the compress key.
type codec struct {
	// ext ends the key ({ext}).
	ext string
	// contentEncoding is the object's Content-Encoding ("" for none).
	contentEncoding string
	// new returns a compressor writing to w.
	new func(w io.Writer) compressor
}

// compressor is what gzip, zstd and lz4 writers have in common.
type compressor interface {
	io.WriteCloser
	Reset(w io.Writer)
}

// compressions are the codecs by name. Each compresses deterministically
// (no time in the gzip header, one zstd goroutine), so a re-sent batch
// makes the same bytes.
var compressions = map[string]codec{
	"gzip": {".gz", "gzip", func(w io.Writer) compressor { return gzip.NewWriter(w) }},
	"zstd": {".zst", "zstd", func(w io.Writer) compressor {
		z, _ := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1)) // cannot fail with these options
		return z
	}},
	"lz4":  {".lz4", "", func(w io.Writer) compressor { return lz4.NewWriter(w) }},
	"none": {"", "", nil},
}

// encoder turns entries into the body of one object: NDJSON lines
// ({"time","tenant","labels","line","metadata"}), compressed. Its buffers
// and compressor are reused from object to object.
type encoder struct {
	codec codec
	comp  compressor
	line  []byte
	body  bytes.Buffer
}

func newEncoder(c codec) *encoder { return &encoder{codec: c} }

// encode returns the body of an object holding es in order; it is valid
// until the next call. tenant is written into entries that have none.
func (e *encoder) encode(es []sinks.Entry, tenant string) ([]byte, error) {
	e.body.Reset()
	var w io.Writer = &e.body
	if e.codec.new != nil {
		if e.comp == nil {
			e.comp = e.codec.new(&e.body)
		} else {
			e.comp.Reset(&e.body)
		}
		w = e.comp
	}
	for _, en := range es {
		if en.Tenant == "" {
			en.Tenant = tenant
		}
		e.line = sinks.AppendEncoded(e.line[:0], en, true)
		if _, err := w.Write(e.line); err != nil {
			return nil, err
		}
	}
	if e.comp != nil {
		if err := e.comp.Close(); err != nil {
			return nil, err
		}
	}
	return e.body.Bytes(), nil
}
