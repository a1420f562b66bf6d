package strictyaml

import (
	"strings"
	"testing"
)

// FuzzDecode feeds arbitrary documents to the strict decoder: it must not
// panic, and every error must carry the file name.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"name: x\nfields:\n  a: pseudonymize\n  b: {inner: {ipv4_prefix: 16}}\n",
		"max_age: 7d\nmax_bytes: 1GiB\nlist: [a, b]\n", "a: &x {b: 1}\nc: *x\n", "- 1\n- 2\n", "{", ": :", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var d doc
		if _, err := Decode("f.yaml", []byte(s), &d); err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "f.yaml") {
					t.Fatalf("error line without file: %q", line)
				}
			}
		}
	})
}
