package ecrreplication

import (
	"sync"

	"golang.org/x/time/rate"
)

// adaptiveLimiter is a rate.Limiter whose rate backs off on throttling: it
// halves on every throttling answer (down to a sixteenth of the configured
// rate, with no burst) and grows back by a tenth of the configured rate with
// every successful answer.
type adaptiveLimiter struct {
	*rate.Limiter
	mu    sync.Mutex
	limit rate.Limit
	burst int
}

func newAdaptiveLimiter(limit rate.Limit, burst int) *adaptiveLimiter {
	return &adaptiveLimiter{Limiter: rate.NewLimiter(limit, burst), limit: limit, burst: burst}
}

func (l *adaptiveLimiter) throttled() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.SetLimit(max(l.Limit()/2, l.limit/16))
	l.SetBurst(1)
}

func (l *adaptiveLimiter) succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur := l.Limit(); cur < l.limit {
		next := min(cur+l.limit/10, l.limit)
		l.SetLimit(next)
		if next == l.limit {
			l.SetBurst(l.burst)
		}
	}
}
