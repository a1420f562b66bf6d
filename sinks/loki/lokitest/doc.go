// Package lokitest runs a real Grafana Loki for integration tests of
// tarn's Loki sink and Loki push receiver.
//
// The tests talk to the real server, not to a mock, because what matters
// is what Loki actually does with a push: which status codes it returns
// when a tenant is rate limited or a line is too long, how it stores
// structured metadata (tarn sends pseudonyms there), how tenants are
// isolated and what survives a restart. A mock would only repeat our own
// reading of Loki's documentation.
//
// Binary builds Loki v3.7.8 with package testbin from the separate Go
// module in testdata/loki (kept apart so Loki's dependencies never reach
// tarn's go.mod) and caches it outside the repository, in
//
//	$(os.UserCacheDir)/tarn/loki-v3.7.8-<sha256 of testdata/loki/go.sum>/loki
//
// The first build takes several minutes; later test runs reuse the cached
// binary, and concurrent test binaries (go test ./...) serialize on a file
// lock so only one of them builds. Set TARN_LOKI_BIN to the path of an
// existing Loki binary to skip the build. If the binary cannot be built the
// tests that need it are skipped, not failed.
//
// Start writes a minimal single-binary configuration (filesystem storage
// in a temporary directory, everything bound to 127.0.0.1 on free ports),
// runs Loki, waits until it is ready and stops it when the test ends.
// Query and WaitFor read entries back with their stream labels and
// structured metadata kept apart.
package lokitest
