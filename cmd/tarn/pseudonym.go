package main

import (
	"fmt"
	"io"
	"time"

	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/pseudo"
)

// pseudonymFlags are the flags of `tarn pseudonym`.
type pseudonymFlags struct {
	keyFile, date, rotation, rulesFile, form string
	length                                   int
}

// pseudonymCommand is `tarn pseudonym`.
var pseudonymCommand = &command{
	name: "pseudonym", summary: "print the pseudonym of a value on a given day",
	usage: "tarn pseudonym --key-file FILE [--date YYYY-MM-DD] VALUE...", minArgs: 1, maxArgs: -1,
	setup: func() ([]flagSpec, action) {
		f := &pseudonymFlags{}
		return []flagSpec{
			{[]string{"--key-file"}, oneFlag, "the pseudonym key file the agents use (required)", setString(&f.keyFile)},
			{[]string{"--date"}, oneFlag, "day of the records, YYYY-MM-DD in UTC (default today)", setString(&f.date)},
			{[]string{"--rotation"}, oneFlag, "daily, weekly, monthly or never (default: from --rules, else daily)", setString(&f.rotation)},
			{[]string{"--rules"}, oneFlag, "rules file whose pseudonyms settings to use (default builtin:default)", setString(&f.rulesFile)},
			{[]string{"--length"}, oneFlag, "hex characters (default: from the rules, 16)", setInt(&f.length, nil)},
			{[]string{"--form"}, oneFlag, "hex (default), ipv6 or all", oneOf(&f.form, []string{"hex", "ipv6", "all"})},
		}, f.run
	},
}

// run is the action of `tarn pseudonym`.
func (f *pseudonymFlags) run(values []string, _ io.Reader, stdout, stderr io.Writer) int {
	if f.keyFile == "" {
		return fail(stderr, fmt.Errorf("%w: --key-file is required", errUsage))
	}
	cfg, err := rules.LoadConfig(orDefault(f.rulesFile, rules.BuiltinPrefix+"default"))
	if err != nil {
		return fail(stderr, asConfigError(err))
	}
	rot, err := pseudo.ParseRotation(orDefault(f.rotation, orDefault(cfg.Pseudonyms.Rotation, "daily")))
	if err != nil {
		return fail(stderr, fmt.Errorf("%w: --rotation: %v", errUsage, err))
	}
	day := time.Now().UTC()
	if f.date != "" {
		if day, err = time.Parse(time.DateOnly, f.date); err != nil {
			return fail(stderr, fmt.Errorf("%w: --date: want YYYY-MM-DD", errUsage))
		}
	}
	if f.length == 0 {
		f.length = cfg.Pseudonyms.Length
	}
	if f.length == 0 {
		f.length = 16
	}
	warnKeyFile(f.keyFile, stderr)
	key, err := pseudo.LoadKeyFile(f.keyFile)
	if err != nil {
		return fail(stderr, asConfigError(err))
	}
	cfg.Pseudonyms.Rotation = rot.String()
	e, err := rules.Compile(cfg, key)
	if err != nil {
		return fail(stderr, asConfigError(err))
	}
	for _, v := range values {
		hex, ipv6 := e.Pseudonym(day, []byte(v), f.length) // phone numbers in E.164, as the rules do
		switch f.form {
		case "", "hex":
			fmt.Fprintln(stdout, hex)
		case "ipv6":
			fmt.Fprintln(stdout, ipv6)
		default: // all
			fmt.Fprintf(stdout, "%s\t%s\n", hex, ipv6)
		}
	}
	return 0
}

func orDefault(v, d string) string {
	if v == "" {
		return d
	}
	return v
}
