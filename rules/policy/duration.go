package policy

import (
	"fmt"
	"time"
)

// day is the length of a day as the rules count it.
const day = 24 * time.Hour

// unitOf splits d into a count of its largest whole unit. Periods of up
// to 72 hours are counted in hours ("72 hours", the usual phrase), longer
// whole days in days ("7 days", "21 days").
func unitOf(d time.Duration) (n int64, unit string) {
	switch {
	case d > 3*day && d%day == 0:
		return int64(d / day), "day"
	case d%time.Hour == 0:
		return int64(d / time.Hour), "hour"
	case d%time.Minute == 0:
		return int64(d / time.Minute), "minute"
	}
	return int64((d + time.Second - 1) / time.Second), "second"
}

// duration renders a retention period: "7 days", "72 hours", "one hour"
// ("7 Tage", "72 Stunden", "eine Stunde").
func (l *lang) duration(d time.Duration) string {
	n, unit := unitOf(d)
	return count(l.units[unit], n)
}

// perWindow renders an aggregation window after "per": "minute",
// "5 minutes", "hour", "day".
func (l *lang) perWindow(d time.Duration) string {
	n, unit := int64(d/time.Second), "second"
	switch {
	case d%day == 0:
		n, unit = int64(d/day), "day"
	case d%time.Hour == 0:
		n, unit = int64(d/time.Hour), "hour"
	case d%time.Minute == 0:
		n, unit = int64(d/time.Minute), "minute"
	}
	return count(l.per[unit], n)
}

// count picks the singular or the plural pattern of forms.
func count(forms [2]string, n int64) string {
	if n == 1 {
		return forms[0]
	}
	return fmt.Sprintf(forms[1], n)
}
