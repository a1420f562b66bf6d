package journald

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tarn-project/tarn/agent/inputs/journald/journaltest"
	"github.com/tarn-project/tarn/rules/strictyaml"
	"github.com/tarn-project/tarn/sinks"
)

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func fieldOf(e journaltest.Entry, name string) ([]byte, bool) {
	for _, f := range e {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

func labelString(ls []sinks.Label) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, l.Name+"="+l.Value)
	}
	return strings.Join(parts, " ")
}

func strictyamlDuration(d time.Duration) strictyaml.Duration { return strictyaml.Duration(d) }
