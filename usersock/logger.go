package usersock

import (
	"log"
	"sync"
	"time"
)

// Log rate limits: a burst of logBurst lines, then logRate lines a second.
// A sender can make a server log (refused and malformed messages) as fast
// as it can send; the limit keeps the log, and the disk under it, usable.
const (
	logBurst = 20
	logRate  = 10
)

// A rateLog writes log lines at a bounded rate and counts what it
// suppressed, reporting the count with the next line it lets through.
type rateLog struct {
	out *log.Logger

	mu         sync.Mutex
	tokens     float64
	last       time.Time
	suppressed uint64
}

func newRateLog(out *log.Logger) *rateLog {
	return &rateLog{out: out, tokens: logBurst}
}

// printf logs one line unless the rate is exceeded.
func (l *rateLog) printf(format string, args ...any) {
	l.mu.Lock()
	now := time.Now()
	if !l.last.IsZero() {
		l.tokens = min(logBurst, l.tokens+now.Sub(l.last).Seconds()*logRate)
	}
	l.last = now
	if l.tokens < 1 {
		l.suppressed++
		l.mu.Unlock()
		return
	}
	l.tokens--
	n := l.suppressed
	l.suppressed = 0
	l.mu.Unlock()
	if n > 0 {
		format += " (%d more messages suppressed)"
		args = append(args, n)
	}
	l.out.Printf(format, args...)
}
