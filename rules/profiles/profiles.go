// Package profiles holds tarn's built-in rule sets, embedded in the binary.
// A rules file names one as "builtin:NAME" in extends, and `tarn filter`
// without --rules uses "builtin:default".
package profiles

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.yaml
var files embed.FS

// Read returns the YAML source of the built-in rule set name.
func Read(name string) ([]byte, error) {
	b, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in rule set %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return b, nil
}

// Names lists the built-in rule sets.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	sort.Strings(out)
	return out
}
