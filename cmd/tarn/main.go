// Command tarn anonymizes logs before they are stored: it truncates IP
// addresses, replaces identifiers with keyed pseudonyms, drops old records
// and ships the result.
//
// Usage:
//
//	tarn run --config FILE         run the agent: tail, anonymize, spool, deliver
//	tarn top [--url URL]           live view of a running agent's metrics
//	tarn filter [flags]            anonymize a stream (stdin → stdout), anonip-compatible
//	tarn aggregate [flags]         aggregates of a log (or --merge reports) as JSON
//	tarn rules check FILE...       validate rules files
//	tarn rules test FILE...        run the test cases in rules files
//	tarn keygen -o FILE            write a new random pseudonym key (hex, mode 0600)
//	tarn pseudonym [flags] VALUE   print the pseudonym of a value for a day
//	tarn completion bash|zsh|fish  print a shell completion script
//	tarn help [COMMAND]            print the help of tarn or of a command
//	tarn version                   print the version (also tarn --version)
//
// Exit codes: 0 success, 1 runtime error, 2 usage or configuration error
// (see exitCodes).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// exitCodes documents the exit status of every command.
const exitCodes = `exit codes:
  0  success
  1  runtime error: reading or writing a log, a sink, the agent stopped
     on an error, a rules test case failed
  2  usage or configuration error: unknown command or flag, bad flag value,
     a configuration, rules or key file that is missing or invalid`

// root is the command tree of tarn, built by init (its help command
// refers back to it).
var root *command

func init() {
	root = (&command{
		name:  "tarn",
		usage: "tarn <command> [flags]\ntarn help <command>\ntarn --version",
		about: "tarn anonymizes logs before they are stored.",
		subs: []*command{
			runCommand,
			topCommand,
			filterCommand,
			aggregateCommand,
			rulesCommand,
			policyCommand,
			keygenCommand,
			pseudonymCommand,
			completionCommand,
			helpCommand,
			versionCommand,
		},
	}).link()
}

// helpCommand is `tarn help [COMMAND...]`, the same as COMMAND --help.
var helpCommand = &command{
	name: "help", summary: "print the help of tarn or of a command",
	usage: "tarn help [COMMAND [SUBCOMMAND]]", maxArgs: -1,
	setup: noFlags(func(pos []string, _ io.Reader, stdout, stderr io.Writer) int {
		c := root
		for _, name := range pos {
			sub := c.find(name)
			if sub == nil {
				return c.usageError(stderr, fmt.Errorf("%w: unknown command %q", errUsage, name))
			}
			c = sub
		}
		c.help(stdout)
		if c == root {
			fmt.Fprintf(stdout, "\n%s\n", exitCodes)
		}
		return 0
	}),
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit code.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "--version":
			args = append([]string{"version"}, args[1:]...)
		case "-h", "--help":
			args = append([]string{"help"}, args[1:]...)
		}
	}
	return root.exec(args, stdin, stdout, stderr)
}

// fail prints err prefixed with "tarn: " and returns exit code 2 for
// usage and configuration errors, else 1.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "tarn: %v\n", err)
	if errors.Is(err, errUsage) || errors.Is(err, errConfig) {
		return 2
	}
	return 1
}
