package otelcoltest

import (
	"context"
	"testing"

	"github.com/tarn-project/tarn/sinks/sinktest/testbin"
)

// Version is the OpenTelemetry Collector release that Binary builds
// (pinned by testdata/otelcol/go.mod and builder-config.yaml).
const Version = "v0.165.0"

// BinaryEnv names the environment variable that, when set, holds the path
// of an existing collector binary (one with the otlp receiver, the batch
// processor and the otlp_grpc and otlp_http exporters) to use instead of
// building one.
const BinaryEnv = "TARN_OTELCOL_BIN"

// binary finds or builds the collector once per test binary.
var binary = testbin.New(testbin.Spec{
	Name:    "otelcol",
	Version: Version,
	Cmd:     "github.com/tarn-project/tarn/testdata/otelcol",
	Dir:     "otelcol",
	Env:     BinaryEnv,
})

// Binary returns the path of the collector binary, building and caching
// it the first time (about a minute and a half on two cores; CI builds it
// before the tests with `go run ./agent/inputs/otlp/otelcoltest/otelcolbuild`).
// It skips the test in -short mode and if the binary cannot be built, and
// fails it if TARN_OTELCOL_BIN names no executable file.
func Binary(t testing.TB) string {
	t.Helper()
	return binary.Path(t)
}

// Build returns the path of the cached collector binary, building it
// first if it is not there (under a file lock, so concurrent builds wait
// for one). logf receives progress lines. It is what Binary uses,
// callable outside a test (otelcolbuild) so that CI builds the collector
// before the tests run.
func Build(ctx context.Context, logf func(format string, args ...any)) (string, error) {
	return binary.Build(ctx, logf)
}
