package s3test

import (
	"context"
	"testing"

	"github.com/tarn-project/tarn/sinks/sinktest/testbin"
)

// Version is the SeaweedFS version that Binary builds (pinned by
// testdata/seaweedfs/go.mod; SeaweedFS's module has no semver tags, so it
// is the pseudo-version of a commit).
const Version = "v0.0.0-20261109003541-7506e5f91cd6"

// BinaryEnv names the environment variable that, when set, holds the path
// of an existing weed binary to use instead of building one.
const BinaryEnv = "TARN_WEED_BIN"

// binary finds or builds weed once per test binary.
var binary = testbin.New(testbin.Spec{
	Name:    "seaweedfs",
	Version: Version,
	Cmd:     "github.com/seaweedfs/seaweedfs/weed",
	Dir:     "seaweedfs",
	Env:     BinaryEnv,
})

// Binary returns the path of a weed binary, building and caching it the
// first time (which takes minutes; CI builds it before the tests with `go
// run ./sinks/s3/s3test/s3build`). It skips the test in -short mode and if
// the binary cannot be built, and fails it if TARN_WEED_BIN names no file.
func Binary(t testing.TB) string {
	t.Helper()
	return binary.Path(t)
}

// Build returns the path of the cached weed binary, building it first if
// it is not there (under a file lock, so concurrent builds wait for one).
// logf receives progress lines. It is what Binary uses, callable outside a
// test (s3build) so that CI builds weed before the tests run.
func Build(ctx context.Context, logf func(format string, args ...any)) (string, error) {
	return binary.Build(ctx, logf)
}
