package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tarn-project/tarn/agent/config"
	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/policy"
)

// policyAbout explains both policy subcommands.
const policyAbout = `render prints the privacy-statement paragraph on the log files, record the
record of the processing activity (JSON), both derived from the merged rules.
RULES is a rules file or builtin:NAME. With --config, the agent's sinks are
named as recipients, its retention.max_age caps the rules' as in the agent,
and RULES defaults to the agent's rules.`

// policyCommand is `tarn policy render|record`.
var policyCommand = &command{
	name: "policy", summary: "privacy-statement text or processing record from rules files",
	about: policyAbout,
	subs: []*command{
		{name: "render", summary: "print the privacy-statement paragraph on the log files",
			usage: "tarn policy render [RULES] [--lang en|de] [--format md|html|text] [--config FILE]",
			about: policyAbout, maxArgs: 1, setup: policySetup(true)},
		{name: "record", summary: "print the record of the processing activity (JSON)",
			usage: "tarn policy record [RULES] [--lang en|de] [--config FILE]",
			about: policyAbout, maxArgs: 1, setup: policySetup(false)},
	},
}

// policySetup is the setup of policy render (or record).
func policySetup(render bool) func() ([]flagSpec, action) {
	return func() ([]flagSpec, action) {
		f := &policyFlags{}
		return f.specs(render), func(pos []string, _ io.Reader, stdout, stderr io.Writer) int {
			return runPolicy(f, render, pos, stdout, stderr)
		}
	}
}

// policyFlags are the flags of `tarn policy`.
type policyFlags struct {
	lang, format, config string
}

func (f *policyFlags) specs(render bool) []flagSpec {
	s := []flagSpec{
		{[]string{"--lang"}, oneFlag, "language: en (default) or de", oneOf(&f.lang, policy.Langs)},
		{[]string{"--config"}, oneFlag, "agent configuration: recipients, retention and default rules", setString(&f.config)},
	}
	if render {
		s = append(s, flagSpec{[]string{"--format"}, oneFlag, "output: md (default), html or text", oneOf(&f.format, policy.Formats)})
	}
	return s
}

// oneOf sets p to a value from allowed.
func oneOf(p *string, allowed []string) func([]string) error {
	return func(v []string) error {
		if !slices.Contains(allowed, v[0]) {
			return fmt.Errorf("must be one of %s, got %q", strings.Join(allowed, ", "), v[0])
		}
		*p = v[0]
		return nil
	}
}

// runPolicy renders the statement (or the record) of the rules named in
// pos.
func runPolicy(f *policyFlags, render bool, pos []string, stdout, stderr io.Writer) int {
	if len(pos) == 0 && f.config == "" {
		return fail(stderr, fmt.Errorf("%w: name a rules file (or builtin:NAME) or --config", errUsage))
	}
	c, recipients, err := policyRules(pos, f.config)
	if err != nil {
		return fail(stderr, asConfigError(err))
	}
	o := policy.Options{Lang: f.lang, Format: f.format, Recipients: recipients}
	var out []byte
	if render {
		out, err = policy.Render(c, o)
	} else {
		out, err = policy.RecordWith(c, o)
	}
	if err != nil {
		return fail(stderr, err)
	}
	_, err = stdout.Write(out)
	if err != nil {
		return fail(stderr, err)
	}
	return 0
}

// policyRules loads the merged rules (pos[0], else the agent's) and, with
// an agent configuration, the types of the sinks that get log entries as
// recipients. The agent keeps
// records no longer than either file says, so its retention.max_age caps
// the rules' here too (config.CapRetention, as the agent does).
func policyRules(pos []string, cfgPath string) (*rules.Config, []string, error) {
	var c *rules.Config
	var err error
	if len(pos) > 0 {
		if c, err = rules.LoadConfig(pos[0]); err != nil {
			return nil, nil, err
		}
	}
	if cfgPath == "" {
		return c, nil, nil
	}
	cfg, agentRules, err := config.Load(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	if c == nil {
		c = agentRules
	}
	cfg.CapRetention(c)
	var types []string
	for _, s := range cfg.Sinks {
		if s.Entries != "aggregates" { // statistics only, not the log entries
			types = append(types, s.Type)
		}
	}
	return c, types, nil
}
