package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// action runs a command with its positional arguments (flags are already
// parsed) and the standard streams, and returns the process exit code.
type action func(pos []string, stdin io.Reader, stdout, stderr io.Writer) int

// command is one subcommand of tarn, or a group of subcommands (rules,
// policy, completion). Every command is parsed, helped and completed the
// same way, from this description.
type command struct {
	name    string
	summary string // one line, for the list of commands
	usage   string // synopsis lines, without "usage: "
	about   string // optional paragraph printed under the synopsis
	// setup returns the command's flags, bound to the state of one
	// invocation, and the action that runs with that state. nil for a
	// group. Calling it has no side effects, so help and completion call
	// it too.
	setup func() ([]flagSpec, action)
	// minArgs and maxArgs bound the positional arguments (maxArgs < 0:
	// any number).
	minArgs, maxArgs int
	argsHint         string // added to the error about an unexpected argument
	subs             []*command
	parent           *command
}

// path is the command line that names c, e.g. "tarn rules check".
func (c *command) path() string {
	if c.parent == nil {
		return c.name
	}
	return c.parent.path() + " " + c.name
}

// find returns the subcommand called name, or nil.
func (c *command) find(name string) *command {
	for _, s := range c.subs {
		if s.name == name {
			return s
		}
	}
	return nil
}

// flags returns the flags of c (none for a group).
func (c *command) flags() []flagSpec {
	if c.setup == nil {
		return nil
	}
	specs, _ := c.setup()
	return specs
}

// exec runs c with args (the words after c's name).
func (c *command) exec(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if c.subs != nil {
		return c.execGroup(args, stdin, stdout, stderr)
	}
	specs, act := c.setup()
	pos, err := parseArgs(args, specs)
	if errors.Is(err, errHelp) {
		c.help(stdout)
		return 0
	}
	switch {
	case err != nil:
	case len(pos) < c.minArgs:
		err = fmt.Errorf("%w: %s needs %s", errUsage, c.path(), plural(c.minArgs, "argument"))
	case c.maxArgs >= 0 && len(pos) > c.maxArgs:
		err = fmt.Errorf("%w: unexpected argument %q%s", errUsage, pos[c.maxArgs], c.argsHint)
	}
	if err != nil {
		return c.usageError(stderr, err)
	}
	return act(pos, stdin, stdout, stderr)
}

// execGroup picks the subcommand args[0] of the group c.
func (c *command) execGroup(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		c.help(stderr)
		return 2
	}
	if args[0] == "-h" || args[0] == "--help" {
		c.help(stdout)
		return 0
	}
	sub := c.find(args[0])
	if sub == nil {
		return c.usageError(stderr, fmt.Errorf("%w: unknown command %q", errUsage, args[0]))
	}
	return sub.exec(args[1:], stdin, stdout, stderr)
}

// usageError prints err and where to find help, and returns exit code 2.
func (c *command) usageError(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "tarn: %v\nrun '%s --help' for usage\n", err, c.path())
	return 2
}

// help prints the help of c: synopsis, about, and its flags or
// subcommands.
func (c *command) help(w io.Writer) {
	usage := c.usage
	if usage == "" {
		usage = c.path() + " <command> [flags]"
	}
	fmt.Fprintf(w, "usage: %s\n", strings.ReplaceAll(usage, "\n", "\n       "))
	if c.about != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimRight(c.about, "\n"))
	}
	if c.subs != nil {
		fmt.Fprint(w, "\ncommands:\n")
		for _, s := range c.subs {
			fmt.Fprintf(w, "  %-11s %s\n", s.name, s.summary)
		}
		fmt.Fprintf(w, "\nRun '%s <command> --help' for the flags of a command.\n", c.path())
		return
	}
	fmt.Fprintf(w, "\nflags:\n%s", helpText(c.flags()))
}

// link sets the parent of every subcommand below c, and returns c.
func (c *command) link() *command {
	for _, s := range c.subs {
		s.parent = c
		s.link()
	}
	return c
}

// walk calls fn for c and every command below it, parents first.
func (c *command) walk(fn func(*command)) {
	fn(c)
	for _, s := range c.subs {
		s.walk(fn)
	}
}

// noFlags is the setup of a command without flags of its own.
func noFlags(act action) func() ([]flagSpec, action) {
	return func() ([]flagSpec, action) { return nil, act }
}

// plural says "1 argument" or "at least n arguments".
func plural(n int, word string) string {
	if n == 1 {
		return "an " + word
	}
	return fmt.Sprintf("at least %d %ss", n, word)
}
