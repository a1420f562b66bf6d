// Command otelcolbuild builds the OpenTelemetry Collector binary the otlp
// input's integration tests use into the user cache dir (or finds it
// there) and prints its path. CI runs it before `go test`, so the first
// build happens once, outside any test's timeout:
//
//	go run ./agent/inputs/otlp/otelcoltest/otelcolbuild
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/tarn-project/tarn/agent/inputs/otlp/otelcoltest"
)

func main() {
	log.SetFlags(0)
	path, err := otelcoltest.Build(context.Background(), log.Printf)
	if err != nil {
		fmt.Fprintln(os.Stderr, "otelcolbuild:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}
