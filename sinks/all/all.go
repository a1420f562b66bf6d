// Package all links every sink into the binary: adding a sink is one
// package and one line here.
package all

import (
	_ "github.com/tarn-project/tarn/sinks/file"   // file sink
	_ "github.com/tarn-project/tarn/sinks/loki"   // Loki sink
	_ "github.com/tarn-project/tarn/sinks/s3"     // S3-compatible object storage sink
	_ "github.com/tarn-project/tarn/sinks/stdout" // stdout sink
)
