// Command lokibuild builds the Loki binary the integration tests use into
// the user cache dir (or finds it there) and prints its path. CI runs it
// before `go test`, so the slow first build (about 15 minutes) happens
// once, outside any test's timeout:
//
//	go run ./sinks/loki/lokitest/lokibuild
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/tarn-project/tarn/sinks/loki/lokitest"
)

func main() {
	log.SetFlags(0)
	path, err := lokitest.Build(context.Background(), log.Printf)
	if err != nil {
		fmt.Fprintln(os.Stderr, "lokibuild:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}
