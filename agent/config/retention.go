package config

import "github.com/tarn-project/tarn/rules"

// CapRetention caps the rules' retention.max_age by the configuration's:
// the stricter of the two wins, so the agent never keeps records longer
// than either file promises. Rules without a max_age get the
// configuration's. With a sink marked backup, the rules'
// retention.backup_max_age is capped (or set) the same way by the
// configuration's backup_max_age, so `tarn policy --config` states how
// long the backup keeps entries. The agent compiles its rules this way,
// and `tarn policy --config` describes them the same way.
func (c *Config) CapRetention(rc *rules.Config) {
	if limit := c.Retention.MaxAge; rc.Retention.MaxAge == nil || limit < *rc.Retention.MaxAge {
		rc.Retention.MaxAge = &limit
	}
	if !c.hasBackup() {
		return
	}
	if limit := c.Retention.BackupMaxAge; rc.Retention.BackupMaxAge == nil || limit < *rc.Retention.BackupMaxAge {
		rc.Retention.BackupMaxAge = &limit
	}
}

// hasBackup reports whether a sink is marked backup.
func (c *Config) hasBackup() bool {
	for _, s := range c.Sinks {
		if s.Backup {
			return true
		}
	}
	return false
}
