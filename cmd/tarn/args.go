package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// errUsage marks command-line errors (exit code 2).
var errUsage = errors.New("usage")

// errHelp is returned by parseArgs when the arguments ask for help (-h or
// --help); the caller prints the command's help to stdout and exits 0.
var errHelp = errors.New("help requested")

// errConfig marks errors in a file the user configures tarn with — the
// agent's configuration, a rules file, a key file: missing, unreadable or
// invalid. They exit with code 2, like usage errors.
var errConfig = errors.New("configuration")

// configErr wraps an error of a configuration file without changing its
// message; errors.Is(err, errConfig) reports it.
type configErr struct{ error }

// Unwrap returns the configuration error.
func (e configErr) Unwrap() error { return e.error }

// Is makes errors.Is(err, errConfig) true.
func (e configErr) Is(target error) bool { return target == errConfig }

// asConfigError marks err (if not nil) as an error of a configuration file.
func asConfigError(err error) error {
	if err == nil || errors.Is(err, errConfig) {
		return err
	}
	return configErr{err}
}

// flagKind says how many values a flag takes.
type flagKind uint8

const (
	boolFlag flagKind = iota // no value
	oneFlag                  // one value
	manyFlag                 // one or more values, like argparse's nargs="+"
)

// flagSpec describes one flag. set receives its values.
type flagSpec struct {
	names []string // e.g. "-4", "--ipv4mask"
	kind  flagKind
	help  string
	set   func(vals []string) error
}

// helpFlag is the flag every command accepts; parseArgs answers it with
// errHelp.
var helpFlag = flagSpec{names: []string{"-h", "--help"}, kind: boolFlag, help: "show this help and exit"}

// parseArgs parses args against specs, GNU/argparse style: "--name value",
// "--name=value", "-x value", and several values after a manyFlag. It
// returns the positional arguments. -h and --help (helpFlag), anywhere
// before "--", return errHelp.
func parseArgs(args []string, specs []flagSpec) ([]string, error) {
	byName := map[string]*flagSpec{}
	for i := range specs {
		for _, n := range specs[i].names {
			byName[n] = &specs[i]
		}
	}
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if len(a) < 2 || a[0] != '-' {
			pos = append(pos, a)
			continue
		}
		name, inline, hasInline := strings.Cut(a, "=")
		if (name == "-h" || name == "--help") && !hasInline {
			return nil, errHelp
		}
		s, ok := byName[name]
		if !ok || (hasInline && !strings.HasPrefix(a, "--")) {
			return nil, fmt.Errorf("%w: unknown flag %s", errUsage, name)
		}
		var vals []string
		switch {
		case s.kind == boolFlag && hasInline:
			return nil, fmt.Errorf("%w: flag %s takes no value", errUsage, name)
		case s.kind == boolFlag:
		case hasInline:
			vals = []string{inline}
		default:
			for i+1 < len(args) && (len(vals) == 0 || (s.kind == manyFlag && !isFlag(args[i+1]))) {
				i++
				vals = append(vals, args[i])
			}
			if len(vals) == 0 {
				return nil, fmt.Errorf("%w: flag %s needs a value", errUsage, name)
			}
		}
		if err := s.set(vals); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", errUsage, name, err)
		}
	}
	return pos, nil
}

// isFlag reports whether a looks like a flag rather than a value.
func isFlag(a string) bool {
	return len(a) > 1 && a[0] == '-' && (a[1] < '0' || a[1] > '9')
}

// helpText formats the flags of specs for --help, helpFlag last.
func helpText(specs []flagSpec) string {
	var b strings.Builder
	for _, s := range append(specs[:len(specs):len(specs)], helpFlag) {
		fmt.Fprintf(&b, "  %-28s %s\n", strings.Join(s.names, ", "), s.help)
	}
	return b.String()
}

func setString(p *string) func([]string) error {
	return func(v []string) error { *p = v[0]; return nil }
}

func setBool(p *bool) func([]string) error {
	return func([]string) error { *p = true; return nil }
}

func setInt(p *int, seen *bool) func([]string) error {
	return func(v []string) error {
		n, err := strconv.Atoi(v[0])
		if err != nil {
			return fmt.Errorf("not an integer: %q", v[0])
		}
		*p = n
		if seen != nil {
			*seen = true
		}
		return nil
	}
}
