package ecrreplication

import (
	"math/rand/v2"
	"time"

	"github.com/ecrkit/ecrreplication/internal/backoff"
)

// The default delays of ImageReplicationCompleteWaiter: the first poll at
// once, then delays that start at DefaultMinDelay and grow by a fifth per
// attempt up to DefaultMaxDelay, each jittered by ±10 % within [MinDelay,
// MaxDelay] (ComputeDelay).
const (
	DefaultMinDelay = 3 * time.Second
	DefaultMaxDelay = 20 * time.Second
)

// ComputeDelay is the waiter's default schedule, with the signature of
// smithy-go's waiter.ComputeDelay so that either can be set as
// ImageReplicationCompleteWaiterOptions.Backoff. It returns the delay before
// the attempt after attempt (counting from 1): a base of
// minDelay·1.2^(attempt-1), capped at maxDelay, and a delay drawn uniformly
// from the part of [base-10 %, base+10 %] that lies within [minDelay,
// maxDelay], so that delays spread even at the bounds and waiters started
// together drift apart. remainingTime is not used: the waiter itself plans
// the last poll.
func ComputeDelay(attempt int64, minDelay, maxDelay, remainingTime time.Duration) (time.Duration, error) {
	return computeDelay(attempt, minDelay, maxDelay, remainingTime, rand.Float64)
}

// computeDelay is ComputeDelay with the jitter's random source as a parameter,
// uniform in [0, 1).
func computeDelay(attempt int64, minDelay, maxDelay, _ time.Duration, random func() float64) (time.Duration, error) {
	return backoff.Delay(attempt, minDelay, maxDelay, random)
}

// nextDelay is the delay before the next poll, counted from now, the end of
// the last one. Whatever Backoff returns is kept within [MinDelay, MaxDelay],
// so that no two polls start less than MinDelay apart. The delay is
// shortened, never below MinDelay, so that the poll leaves as much time
// before the deadline as the last answered poll took (at least 100 ms) for
// its answer; its bound is the smaller of AttemptTimeout and the time left.
// A further poll is made whenever, after its delay, at least MinDelay or
// that answer time is left; only when it is not, nextDelay returns
// ErrWaitTimeout with noRoom set, and the wait ends now. A poll that went
// unanswered (one cut by its AttemptTimeout) says nothing of how long an
// answer takes, so a hung poll cannot end the wait early.
func (r *waitRun) nextDelay() (time.Duration, error) {
	remaining := time.Until(r.deadline)
	delay, err := r.backoff(int64(r.attempts), r.opts.MinDelay, r.opts.MaxDelay, remaining)
	if err != nil {
		return 0, err
	}
	delay = max(r.opts.MinDelay, min(delay, r.opts.MaxDelay))
	answer := max(r.answerLatency, 100*time.Millisecond)
	if remaining-delay < answer {
		delay = max(r.opts.MinDelay, remaining-answer)
	}
	if remaining-delay < min(answer, r.opts.MinDelay) {
		r.noRoom = true
		return 0, ErrWaitTimeout
	}
	return delay, nil
}

func rngFloat64() float64 { return rand.Float64() }
