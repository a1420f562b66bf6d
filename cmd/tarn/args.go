package main

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// errUsage marks command-line errors (exit code 2).
var errUsage = errors.New("usage")

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

// parseArgs parses args against specs, GNU/argparse style: "--name value",
// "--name=value", "-x value", and several values after a manyFlag. It
// returns the positional arguments.
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

// helpText formats the flags of specs for --help.
func helpText(specs []flagSpec) string {
	var b strings.Builder
	for _, s := range specs {
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

// printHelp prints usage and the flags' help when args ask for help (-h
// or --help) and reports whether they did.
func printHelp(args []string, w io.Writer, usage string, specs []flagSpec) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" {
			fmt.Fprintf(w, "%s\n\n%s", usage, helpText(specs))
			return true
		}
	}
	return false
}
