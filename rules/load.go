package rules

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tarn-project/tarn/rules/profiles"
	"github.com/tarn-project/tarn/rules/strictyaml"
)

// BuiltinPrefix marks a built-in rule set in extends and --rules:
// "builtin:default".
const BuiltinPrefix = "builtin:"

// LoadConfig reads the rules file at path (or a built-in rule set named
// "builtin:NAME"), resolves its extends chain and returns the merged
// configuration. Every problem of every file is reported at once, each as
// file:line: field: message.
func LoadConfig(path string) (*Config, error) {
	return load(path, "", map[string]bool{})
}

// ParseConfig decodes and validates one rules document named name (used in
// messages) without resolving extends.
func ParseConfig(name string, data []byte) (*Config, error) {
	var c Config
	pos, err := strictyaml.Decode(name, data, &c)
	// Validate what did decode too, so every problem is reported at once.
	if err := errors.Join(err, pos.Locate(c.Validate())); err != nil {
		return nil, err
	}
	return &c, nil
}

func load(path, from string, seen map[string]bool) (*Config, error) {
	name, data, err := read(path, from)
	if err != nil {
		return nil, err
	}
	if seen[name] {
		return nil, fmt.Errorf("%s: extends cycle", name)
	}
	seen[name] = true
	defer delete(seen, name)
	c, err := ParseConfig(name, data)
	if err != nil {
		return nil, err
	}
	return resolve(c, name, seen)
}

// Merge resolves the extends chain of a configuration that is not a file of
// its own, such as an inline rules mapping in the agent's configuration
// file; relative paths are resolved against the directory of file.
func Merge(c *Config, file string) (*Config, error) {
	return resolve(c, file, map[string]bool{})
}

// resolve merges the parents of c, the document named name, under it.
func resolve(c *Config, name string, seen map[string]bool) (*Config, error) {
	merged := &Config{}
	var errs []error
	for _, parent := range c.Extends {
		p, err := load(parent, name, seen)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		merged.merge(p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	merged.merge(c)
	merged.Name, merged.Version, merged.Description = c.Name, c.Version, c.Description
	merged.Tests = c.Tests
	return merged, nil
}

// read returns the content of a rules file or built-in rule set; relative
// paths are resolved against the directory of the file that names them.
func read(path, from string) (name string, data []byte, err error) {
	if b, ok := strings.CutPrefix(path, BuiltinPrefix); ok {
		data, err := profiles.Read(b)
		if err != nil {
			return path, nil, fmt.Errorf("%s: %w", path, err)
		}
		return path, data, nil
	}
	if from != "" && !strings.HasPrefix(from, BuiltinPrefix) && !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(from), path)
	}
	data, err = os.ReadFile(path)
	if err != nil {
		return path, nil, fmt.Errorf("rules: %w", err)
	}
	return path, data, nil
}

// merge lays o over c: values o sets win, maps are merged key by key, lists
// of patterns and drop rules are appended.
func (c *Config) merge(o *Config) {
	setString(&c.Format, o.Format)
	setString(&c.OnUnparsed, o.OnUnparsed)
	setString(&c.Pseudonyms.Rotation, o.Pseudonyms.Rotation)
	if o.TimeKeys != nil {
		c.TimeKeys = o.TimeKeys
	}
	if o.MaxLineBytes != 0 {
		c.MaxLineBytes = o.MaxLineBytes
	}
	if o.Pseudonyms.Length != 0 {
		c.Pseudonyms.Length = o.Pseudonyms.Length
	}
	if o.Retention.MaxAge != nil {
		c.Retention.MaxAge = o.Retention.MaxAge
	}
	if o.Retention.BackupMaxAge != nil {
		c.Retention.BackupMaxAge = o.Retention.BackupMaxAge
	}
	if o.TruncateIP != nil {
		c.TruncateIP = o.TruncateIP
	}
	if o.ScrubUnknown != nil {
		c.ScrubUnknown = o.ScrubUnknown
	}
	c.Fields = mergeActions(c.Fields, o.Fields)
	c.Keys = mergeActions(c.Keys, o.Keys)
	c.Detect.Actions = mergeActions(c.Detect.Actions, o.Detect.Actions)
	if o.Detect.SecretParams != nil {
		c.Detect.SecretParams = o.Detect.SecretParams
	}
	if o.Detect.TokenParams != nil {
		c.Detect.TokenParams = o.Detect.TokenParams
	}
	c.Detect.Patterns = append(c.Detect.Patterns, o.Detect.Patterns...)
	if o.Detect.Phone != nil {
		c.Detect.Phone = o.Detect.Phone
	}
	c.DropRecords = append(c.DropRecords, o.DropRecords...)
	c.mergeRoute(o)
}

func setString(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}

func mergeActions(base, over map[string]Action) map[string]Action {
	if len(over) == 0 {
		return base
	}
	out := make(map[string]Action, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}
