package config

import (
	"strings"
	"testing"

	_ "github.com/tarn-project/tarn/agent/inputs/all" // the input types the tests configure
	_ "github.com/tarn-project/tarn/sinks/all"        // the sink types
)

// A key of another type is an error at its line, naming the entry's type
// (compress is a key of file sinks; listen of loki_push inputs).
func TestKeysOfAnotherType(t *testing.T) {
	p := write(t, "tarn.yaml", `inputs:
  - {name: app, type: stdin, listen: "127.0.0.1:1"}
sinks:
  - {name: out, type: stdout, compress: lz4}
  - name: loki
    type: loki
    url: http://127.0.0.1:3100/loki/api/v1/push
    compress: lz4
`)
	_, _, err := Load(p)
	for _, want := range []string{
		"tarn.yaml:2: inputs[0].listen: unknown field for type stdin",
		"tarn.yaml:4: sinks[0].compress: unknown field for type stdout",
		"tarn.yaml:8: sinks[1].compress: unknown field for type loki",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}
