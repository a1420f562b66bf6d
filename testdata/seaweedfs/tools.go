//go:build tools

// Package seaweedfs pins the SeaweedFS command this module builds.
package seaweedfs

import _ "github.com/seaweedfs/seaweedfs/weed"
