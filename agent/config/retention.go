package config

import "github.com/tarn-project/tarn/rules"

// CapRetention caps the rules' retention.max_age by the configuration's:
// the stricter of the two wins, so the agent never keeps records longer
// than either file promises. Rules without a max_age get the
// configuration's. The agent compiles its rules this way, and `tarn
// policy --config` describes them the same way.
func (c *Config) CapRetention(rc *rules.Config) {
	if limit := c.Retention.MaxAge; rc.Retention.MaxAge == nil || limit < *rc.Retention.MaxAge {
		rc.Retention.MaxAge = &limit
	}
}
