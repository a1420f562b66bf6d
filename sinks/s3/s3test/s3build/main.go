// Command s3build builds the SeaweedFS weed binary the S3 integration
// tests use into the user cache dir (or finds it there) and prints its
// path. CI runs it before `go test`, so the slow first build happens once,
// outside any test's timeout:
//
//	go run ./sinks/s3/s3test/s3build
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/tarn-project/tarn/sinks/s3/s3test"
)

func main() {
	log.SetFlags(0)
	path, err := s3test.Build(context.Background(), log.Printf)
	if err != nil {
		fmt.Fprintln(os.Stderr, "s3build:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}
