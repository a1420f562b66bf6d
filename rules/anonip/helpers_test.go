package anonip

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// parseCLI turns anonip command-line flags into Options (test helper; the
// real flag wiring lives in cmd/tarn).
func parseCLI(args []string) (Options, error) {
	o := DefaultOptions()
	var cols []int
	for i := 0; i < len(args); i++ {
		arg := args[i]
		next := func() (string, error) {
			if i+1 >= len(args) {
				return "", fmt.Errorf("flag %s needs a value", arg)
			}
			i++
			return args[i], nil
		}
		var v string
		var err error
		switch arg {
		case "-p", "--skip-private":
			o.SkipPrivate = true
			continue
		case "-c", "--column", "--regex":
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				if arg == "--regex" {
					o.Regex = append(o.Regex, args[i])
				} else if n, err := strconv.Atoi(args[i]); err == nil {
					cols = append(cols, n)
				} else {
					return o, err
				}
			}
			continue
		}
		if v, err = next(); err != nil {
			return o, err
		}
		if err = setFlag(&o, arg, v); err != nil {
			return o, err
		}
	}
	if cols != nil {
		o.Columns = cols
	}
	return o, nil
}

// setFlag applies one flag with a value.
func setFlag(o *Options, flag, v string) error {
	var err error
	switch flag {
	case "-4", "--ipv4mask":
		o.IPv4Mask, err = strconv.Atoi(v)
	case "-6", "--ipv6mask":
		o.IPv6Mask, err = strconv.Atoi(v)
	case "-i", "--increment":
		o.Increment, err = strconv.Atoi(v)
	case "-l", "--delimiter":
		o.Delimiter = v
	case "-r", "--replace":
		o.Replace = v
	default:
		err = fmt.Errorf("unknown flag %q", flag)
	}
	return err
}

// mustNew builds an Anonymizer from CLI flags or fails the test.
func mustNew(t testing.TB, args ...string) *Anonymizer {
	t.Helper()
	o, err := parseCLI(args)
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(o)
	if err != nil {
		t.Fatalf("New(%q): %v", args, err)
	}
	return a
}

// anonipPath returns the anonip binary or skips the test.
func anonipPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("anonip")
	if err != nil {
		t.Skip("anonip is not on PATH (Debian package \"anonip\"); differential test against the reference implementation skipped")
	}
	return p
}

// runAnonip pipes input through the real anonip with args. The locale is
// pinned so that Python uses surrogateescape on stdin/stdout (invalid UTF-8
// passes through) and set iteration order is fixed.
func runAnonip(t *testing.T, bin string, args []string, input []byte) []byte {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "PYTHONUTF8=1", "PYTHONHASHSEED=0")
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("anonip %q failed: %v; stderr tail: %s", args, err, tail(stderr.Bytes(), 300))
	}
	return out
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// compareOutputs fails with the first differing line of two outputs.
func compareOutputs(t *testing.T, name string, input, want, got []byte) {
	t.Helper()
	if bytes.Equal(want, got) {
		return
	}
	in := bytes.Split(input, []byte("\n"))
	w, g := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl, il []byte
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if i < len(in) {
			il = in[i]
		}
		if !bytes.Equal(wl, gl) {
			t.Errorf("%s: line %d differs (%d vs %d lines)\n input: %q\nanonip: %q\n  tarn: %q",
				name, i+1, len(w), len(g), il, wl, gl)
			return
		}
	}
}
