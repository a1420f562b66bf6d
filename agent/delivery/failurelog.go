package delivery

import (
	"strings"
	"time"

	"go.uber.org/zap"
)

// logEvery is how often a failure class that keeps happening is logged
// again (with the count of the repeats not logged).
const logEvery = time.Minute

// failureLog logs a sink's failed sends: each class of failure (the error
// text with its digits dropped, so "status 503" and "status 429" differ
// but attempts and ports do not) at its first occurrence, then at most
// once per logEvery with the number of repeats, and once when the sink
// works again. Sink errors carry no record content (sinks never put it
// there), so the error text is logged as it is.
type failureLog struct {
	log     *zap.Logger
	now     func() time.Time
	classes map[string]*failureClass
	failing int // failed sends since the last success
	since   time.Time
}

type failureClass struct {
	logged   time.Time
	repeated int
}

func newFailureLog(log *zap.Logger, now func() time.Time) *failureLog {
	return &failureLog{log: log, now: now, classes: map[string]*failureClass{}}
}

// failed records a failed send: attempt is the how-manieth try of the
// batch, retryIn the wait before the next one (0 when none follows).
func (l *failureLog) failed(err error, attempt int, retryIn time.Duration, entries int) {
	now := l.now()
	if l.failing == 0 {
		l.since = now
	}
	l.failing++
	key := failureClassOf(err)
	c, seen := l.classes[key]
	if seen && now.Sub(c.logged) < logEvery {
		c.repeated++
		return
	}
	if !seen {
		c = &failureClass{}
		l.classes[key] = c
	}
	fields := []zap.Field{zap.Error(err), zap.Int("attempt", attempt), zap.Int("entries", entries),
		zap.Int("repeated", c.repeated)}
	if retryIn > 0 {
		fields = append(fields, zap.Duration("next_retry_in", retryIn))
	}
	l.log.Warn("sink send failed", fields...)
	c.logged, c.repeated = now, 0
}

// succeeded records an accepted send, logging the recovery after
// failures.
func (l *failureLog) succeeded() {
	if l.failing == 0 {
		return
	}
	l.log.Info("sink works again", zap.Int("failed_sends", l.failing), zap.Duration("failing_for", l.now().Sub(l.since)))
	l.failing = 0
	clear(l.classes)
}

// failureClassOf is err's text without digits.
func failureClassOf(err error) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return -1
		}
		return r
	}, err.Error())
}
