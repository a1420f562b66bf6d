package lokitest

import (
	"context"
	"testing"

	"github.com/tarn-project/tarn/sinks/sinktest/testbin"
)

// Version is the Loki release that Binary builds (pinned by
// testdata/loki/go.mod).
const Version = "v3.7.8"

// BinaryEnv names the environment variable that, when set, holds the path
// of an existing Loki binary to use instead of building one.
const BinaryEnv = "TARN_LOKI_BIN"

// binary finds or builds Loki once per test binary.
var binary = testbin.New(testbin.Spec{
	Name:    "loki",
	Version: Version,
	Cmd:     "github.com/grafana/loki/v3/cmd/loki",
	Dir:     "loki",
	Env:     BinaryEnv,
})

// Binary returns the path of a Loki binary, building and caching it the
// first time (which takes several minutes; CI builds it before the tests
// with `go run ./sinks/loki/lokitest/lokibuild`). It skips the test in
// -short mode and if the binary cannot be built, and fails it if
// TARN_LOKI_BIN names no file.
func Binary(t testing.TB) string {
	t.Helper()
	return binary.Path(t)
}

// Build returns the path of the cached Loki binary, building it first if
// it is not there (under a file lock, so concurrent builds wait for one).
// logf receives progress lines. It is what Binary uses, callable outside a
// test (lokibuild) so that CI builds Loki before the tests run.
func Build(ctx context.Context, logf func(format string, args ...any)) (string, error) {
	return binary.Build(ctx, logf)
}
