// Package otelcoltest runs a real OpenTelemetry Collector in front of
// tarn's otlp input for integration tests: the collector receives OTLP
// (gRPC and HTTP) from the test and exports it to tarn the way users run
// it, with the batch processor and an otlp_grpc or otlp_http exporter
// (bearer token header, plain text, sending queue and retry on failure).
//
// Binary builds the collector (release Version) from the separate Go
// module in testdata/otelcol, whose sources the OpenTelemetry Collector
// Builder generated from testdata/otelcol/builder-config.yaml, with
// package testbin, and caches it in
//
//	$(os.UserCacheDir)/tarn/otelcol-<Version>-<sha256 of go.sum>/otelcol
//
// The first build takes about a minute and a half on two cores; set
// TARN_OTELCOL_BIN to an existing binary with the same components to skip
// it. Tests that need the collector are skipped in -short mode and when it
// cannot be built.
//
// Start writes the collector's configuration, runs it on free loopback
// ports, waits until it is ready (about 20ms after the process starts)
// and kills its process group when the test ends; on failure the end of
// its log is printed.
package otelcoltest
