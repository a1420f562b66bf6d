package config

import (
	"testing"
	"time"

	"github.com/tarn-project/tarn/rules"
	"github.com/tarn-project/tarn/rules/strictyaml"
)

func TestCapRetentionStricterWins(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		name        string
		cfg         time.Duration
		rules, want *time.Duration
	}{
		{"rules unset", 7 * day, nil, durPtr(7 * day)},
		{"config stricter", 3 * day, durPtr(7 * day), durPtr(3 * day)},
		{"rules stricter", 7 * day, durPtr(2 * day), durPtr(2 * day)},
		{"equal", 7 * day, durPtr(7 * day), durPtr(7 * day)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Config{Retention: Retention{MaxAge: strictyaml.Duration(tc.cfg)}}
			rc := &rules.Config{}
			if tc.rules != nil {
				d := strictyaml.Duration(*tc.rules)
				rc.Retention.MaxAge = &d
			}
			c.CapRetention(rc)
			if rc.Retention.MaxAge == nil || time.Duration(*rc.Retention.MaxAge) != *tc.want {
				t.Fatalf("max_age = %v, want %v", rc.Retention.MaxAge, *tc.want)
			}
			// The rules do not share the configuration's value.
			*rc.Retention.MaxAge = 0
			if time.Duration(c.Retention.MaxAge) != tc.cfg {
				t.Fatal("capping aliased the configuration's max_age")
			}
		})
	}
}

func durPtr(d time.Duration) *time.Duration { return &d }
