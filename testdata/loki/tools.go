//go:build tools

// Package loki pins the Loki command this module builds.
package loki

import _ "github.com/grafana/loki/v3/cmd/loki"
