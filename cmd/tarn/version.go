package main

import (
	"fmt"
	"io"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// versionCommand is `tarn version` (also `tarn --version`).
var versionCommand = &command{
	name: "version", summary: "print the version (also tarn --version)", usage: "tarn version",
	setup: noFlags(runVersion),
}

func runVersion(_ []string, _ io.Reader, stdout, _ io.Writer) int {
	v := version
	if info, ok := debug.ReadBuildInfo(); ok && v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	fmt.Fprintf(stdout, "tarn %s\n", v)
	return 0
}
