// Package all links every input into the binary: adding an input is one
// package and one line here.
package all

import (
	_ "github.com/tarn-project/tarn/agent/inputs/file"     // file input
	_ "github.com/tarn-project/tarn/agent/inputs/journald" // journald input
	_ "github.com/tarn-project/tarn/agent/inputs/lokipush" // loki_push input
	_ "github.com/tarn-project/tarn/agent/inputs/otlp"     // otlp input
	_ "github.com/tarn-project/tarn/agent/inputs/stdin"    // stdin input
	_ "github.com/tarn-project/tarn/agent/inputs/syslog"   // syslog input
)
