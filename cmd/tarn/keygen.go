package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tarn-project/tarn/agent/durable"
	"github.com/tarn-project/tarn/rules/pseudo"
)

// keygenCommand is `tarn keygen`.
var keygenCommand = &command{
	name: "keygen", summary: "write a new random 32-byte pseudonym key (hex) to a file (mode 0600) or stdout",
	usage: "tarn keygen -o /etc/tarn/key [--force]\ntarn keygen            (prints the key)",
	about: "With -o the key file is created with mode 0600 and written durably;\n" +
		"an existing file is kept unless --force is given. Prefer -o over\n" +
		"'tarn keygen > FILE': the shell creates FILE with the umask's mode,\n" +
		"often readable by everyone.",
	setup: func() ([]flagSpec, action) {
		var out string
		var force bool
		return []flagSpec{
				{[]string{"-o", "--output"}, oneFlag, "file to create with mode 0600 (default: print to stdout)", setString(&out)},
				{[]string{"--force"}, boolFlag, "replace the file if it exists", setBool(&force)},
			}, func(_ []string, _ io.Reader, stdout, stderr io.Writer) int {
				return keygen(out, force, stdout, stderr)
			}
	},
}

// keygen makes a key and prints it, or writes it to path.
func keygen(path string, force bool, stdout, stderr io.Writer) int {
	k, err := pseudo.GenerateKey()
	if err != nil {
		return fail(stderr, err)
	}
	data := pseudo.EncodeKey(k)
	switch {
	case path == "":
		_, err = stdout.Write(data)
	case force:
		err = durable.WriteFile(path, data, 0o600)
	default:
		err = createKeyFile(path, data)
	}
	if err != nil {
		return fail(stderr, err)
	}
	return 0
}

// createKeyFile writes data to a new file path with mode 0600, durably
// (fsync of the file and of its directory), and fails if path exists.
func createKeyFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%w: %s exists; keep it (pseudonyms stay stable) or use --force to replace it", errUsage, path)
	}
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return durable.SyncDir(filepath.Dir(path))
}

// keyFileWarning returns a warning when the key file at path can be read
// by its group or by others, and "" otherwise (also when it is missing:
// loading it reports that).
func keyFileWarning(path string) string {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("key file %s has mode %04o: group or others can access the pseudonym key; chmod 600 it (or create keys with tarn keygen -o FILE)", path, fi.Mode().Perm())
}

// warnKeyFile prints keyFileWarning on stderr for the commands that take
// --key-file.
func warnKeyFile(path string, stderr io.Writer) {
	if w := keyFileWarning(path); w != "" {
		fmt.Fprintf(stderr, "tarn: warning: %s\n", w)
	}
}
