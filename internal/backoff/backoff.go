// Package backoff is the waiter's default polling schedule, shared by the
// library (ecrreplication.ComputeDelay) and the command's help.
package backoff

import (
	"fmt"
	"math"
	"time"
)

// The schedule's shape: delays start at the minimum and grow by Growth per
// attempt up to the maximum, each jittered by ±Jitter within the bounds.
const (
	Growth = 1.2
	Jitter = 0.1
)

// Delay returns the delay before the attempt after attempt (counting from
// 1): a base of minDelay·Growth^(attempt-1), capped at maxDelay, and a delay
// drawn uniformly, with random in [0, 1), from the part of [base-Jitter,
// base+Jitter] that lies within [minDelay, maxDelay], so that delays spread
// even at the bounds and waiters started together drift apart.
func Delay(attempt int64, minDelay, maxDelay time.Duration, random func() float64) (time.Duration, error) {
	if minDelay <= 0 || maxDelay < minDelay {
		return 0, fmt.Errorf("ecrreplication: delays must satisfy 0 < MinDelay <= MaxDelay, got MinDelay %v and MaxDelay %v", minDelay, maxDelay)
	}
	attempt = max(attempt, 1)
	base := float64(minDelay) * math.Pow(Growth, float64(attempt-1))
	base = min(base, float64(maxDelay))
	lo := max(base*(1-Jitter), float64(minDelay))
	hi := min(base*(1+Jitter), float64(maxDelay))
	return time.Duration(lo + random()*(hi-lo)), nil
}
