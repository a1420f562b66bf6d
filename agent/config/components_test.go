package config

import (
	"strings"
	"testing"
	"time"

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

// An s3 sink's errors name the file, the line and the key; a loki key on
// it is unknown; a valid one decodes with its defaults.
func TestS3SinkSettings(t *testing.T) {
	p := write(t, "tarn.yaml", `sinks:
  - name: archive
    type: s3
    bucket: "logs/x"
    key: "dt={date}/{batch}"
    compress: brotli
    part_size: 1MiB
    sse: {type: aws:kms, kms_key_id: k}
    url: http://loki
  - name: ok
    type: s3
    endpoint: http://127.0.0.1:9000
    bucket: logs
    sse: {kms_key_id: k}
`)
	_, _, err := Load(p)
	for _, want := range []string{
		"tarn.yaml:4: sinks[0].bucket: a bucket name has no '/'",
		"tarn.yaml:5: sinks[0].key: the key needs {tenant}",
		"tarn.yaml:6: sinks[0].compress: must be gzip, zstd, lz4 or none",
		"tarn.yaml:7: sinks[0].part_size: must be at least 5MiB",
		"tarn.yaml:9: sinks[0].url: unknown field for type s3",
		"sinks[1].sse.kms_key_id: goes with sse.type: aws:kms",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}

// A backup sink makes the configuration's backup_max_age the rules'
// (or caps it), so the policy states how long backups keep entries.
func TestCapBackupRetention(t *testing.T) {
	for _, tc := range []struct {
		backup    string
		rules     string
		wantHours int
	}{
		{"true", "", 21 * 24},
		{"true", "backup_max_age: 14d", 14 * 24},
		{"false", "", 0},
	} {
		p := write(t, "tarn.yaml", `rules:
  extends: [builtin:default]
  retention: {`+tc.rules+`}
inputs:
  - {name: app, type: stdin}
sinks:
  - {name: out, type: stdout, backup: `+tc.backup+`}
retention: {max_age: 7d, backup_max_age: 21d}
`)
		c, rc, err := Load(p)
		if err != nil {
			t.Fatal(err)
		}
		c.CapRetention(rc)
		got := 0
		if rc.Retention.BackupMaxAge != nil {
			got = int(time.Duration(*rc.Retention.BackupMaxAge) / time.Hour)
		}
		if got != tc.wantHours {
			t.Errorf("backup %s, rules %q: backup_max_age %dh, want %dh", tc.backup, tc.rules, got, tc.wantHours)
		}
	}
}
