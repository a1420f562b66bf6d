// Command tarn anonymizes logs before they are stored: it truncates IP
// addresses, replaces identifiers with keyed pseudonyms, drops old records
// and ships the result.
//
// Usage:
//
//	tarn run --config FILE         run the agent: tail, anonymize, spool, deliver
//	tarn filter [flags]            anonymize a stream (stdin → stdout), anonip-compatible
//	tarn aggregate [flags]         aggregates of a log (or --merge reports) as JSON
//	tarn rules check FILE...       validate rules files
//	tarn rules test FILE...        run the test cases in rules files
//	tarn keygen                    print a new random pseudonym key (hex)
//	tarn pseudonym [flags] VALUE   print the pseudonym of a value for a day
//	tarn version                   print the version
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// command is one subcommand: it gets its arguments and standard streams
// and returns the process exit code.
type command func(args []string, stdin io.Reader, stdout, stderr io.Writer) int

var commands = map[string]command{
	"run":       runAgent,
	"aggregate": runAggregate,
	"filter":    runFilter,
	"rules":     runRules,
	"policy":    runPolicy,
	"keygen":    runKeygen,
	"pseudonym": runPseudonym,
	"version":   runVersion,
}

const usage = `usage: tarn <command> [flags]

commands:
  run         run the agent: tail inputs, anonymize, spool, deliver to sinks
  filter      anonymize a log stream (stdin → stdout); accepts anonip's flags
  aggregate   privacy-safe aggregates of a log as JSON, or merge reports
  rules       check, test or explain rules files: tarn rules check|test|explain FILE
  policy      privacy-statement text or processing record from rules files
  keygen      print a new random 32-byte pseudonym key, hex encoded
  pseudonym   print the pseudonym of a value on a given day
  version     print the version

Run 'tarn <command> --help' for the flags of a command.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "tarn: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	return cmd(args[1:], stdin, stdout, stderr)
}

// fail prints err prefixed with "tarn: " and returns exit code 1, or 2 for
// usage errors.
func fail(stderr io.Writer, err error) int {
	fmt.Fprintf(stderr, "tarn: %v\n", err)
	if errors.Is(err, errUsage) {
		return 2
	}
	return 1
}
