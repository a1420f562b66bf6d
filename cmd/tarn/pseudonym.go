package main

import (
	"fmt"
	"io"
	"time"

	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/pseudo"
)

func runPseudonym(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	var keyFile, date, rotation, rulesFile, form string
	length := 0
	specs := []flagSpec{
		{[]string{"--key-file"}, oneFlag, "the pseudonym key file the agents use (required)", setString(&keyFile)},
		{[]string{"--date"}, oneFlag, "day of the records, YYYY-MM-DD in UTC (default today)", setString(&date)},
		{[]string{"--rotation"}, oneFlag, "daily, weekly, monthly or never (default: from --rules, else daily)", setString(&rotation)},
		{[]string{"--rules"}, oneFlag, "rules file whose pseudonyms settings to use (default builtin:default)", setString(&rulesFile)},
		{[]string{"--length"}, oneFlag, "hex characters (default: from the rules, 16)", setInt(&length, nil)},
		{[]string{"--form"}, oneFlag, "hex (default), ipv6 or all", setString(&form)},
	}
	values, err := parseArgs(args, specs)
	if err == nil && (keyFile == "" || len(values) == 0) {
		fmt.Fprintf(stderr, "usage: tarn pseudonym --key-file FILE [--date YYYY-MM-DD] VALUE...\n\n%s", helpText(specs))
		return 2
	}
	if err != nil {
		return fail(stderr, err)
	}
	cfg, err := rules.LoadConfig(orDefault(rulesFile, rules.BuiltinPrefix+"default"))
	if err != nil {
		return fail(stderr, err)
	}
	rot, err := pseudo.ParseRotation(orDefault(rotation, orDefault(cfg.Pseudonyms.Rotation, "daily")))
	if err != nil {
		return fail(stderr, fmt.Errorf("%w: --rotation: %v", errUsage, err))
	}
	day := time.Now().UTC()
	if date != "" {
		if day, err = time.Parse(time.DateOnly, date); err != nil {
			return fail(stderr, fmt.Errorf("%w: --date: want YYYY-MM-DD", errUsage))
		}
	}
	if length == 0 {
		length = cfg.Pseudonyms.Length
	}
	if length == 0 {
		length = 16
	}
	key, err := pseudo.LoadKeyFile(keyFile)
	if err != nil {
		return fail(stderr, err)
	}
	cfg.Pseudonyms.Rotation = rot.String()
	e, err := rules.Compile(cfg, key)
	if err != nil {
		return fail(stderr, err)
	}
	for _, v := range values {
		hex, ipv6 := e.Pseudonym(day, []byte(v), length) // phone numbers in E.164, as the rules do
		switch form {
		case "", "hex":
			fmt.Fprintln(stdout, hex)
		case "ipv6":
			fmt.Fprintln(stdout, ipv6)
		case "all":
			fmt.Fprintf(stdout, "%s\t%s\n", hex, ipv6)
		default:
			return fail(stderr, fmt.Errorf("%w: --form: want hex, ipv6 or all", errUsage))
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
