package main

import (
	"fmt"
	"io"

	"github.com/tarn-project/tarn/rules/pseudo"
)

func runKeygen(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: tarn keygen > /etc/tarn/key   (32 random bytes, hex)")
		return 2
	}
	k, err := pseudo.GenerateKey()
	if err != nil {
		return fail(stderr, err)
	}
	if _, err := stdout.Write(pseudo.EncodeKey(k)); err != nil {
		return fail(stderr, err)
	}
	return 0
}
