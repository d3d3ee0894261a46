package ecrreplication

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// The default polling schedule of ImageReplicationCompleteWaiter: the first
// poll at once, then delays that start at DefaultMinDelay and grow by
// DelayGrowth per attempt up to DefaultMaxDelay, each jittered by ±DelayJitter.
// See the README for how it compares with other schedules.
const (
	DefaultMinDelay = 3 * time.Second
	DefaultMaxDelay = 20 * time.Second
	DelayGrowth     = 1.2
	DelayJitter     = 0.1
)

// ComputeDelay is the waiter's default schedule, with the signature of
// smithy-go's waiter.ComputeDelay so that either can be set as
// ImageReplicationCompleteWaiterOptions.Backoff. It returns the delay before
// the attempt after attempt (counting from 1): minDelay·1.2^(attempt-1),
// capped at maxDelay, jittered by ±10 % and kept within [minDelay, maxDelay]
// and within remainingTime.
func ComputeDelay(attempt int64, minDelay, maxDelay, remainingTime time.Duration) (time.Duration, error) {
	return computeDelay(attempt, minDelay, maxDelay, remainingTime, rand.Float64)
}

// computeDelay is ComputeDelay with the jitter's random source as a parameter,
// uniform in [0, 1).
func computeDelay(attempt int64, minDelay, maxDelay, remainingTime time.Duration, random func() float64) (time.Duration, error) {
	if minDelay <= 0 || maxDelay < minDelay {
		return 0, fmt.Errorf("ecrreplication: delays must satisfy 0 < MinDelay <= MaxDelay, got MinDelay %v and MaxDelay %v", minDelay, maxDelay)
	}
	if attempt < 1 {
		attempt = 1
	}
	d := float64(minDelay) * math.Pow(DelayGrowth, float64(attempt-1))
	d = min(d, float64(maxDelay))
	d *= 1 + DelayJitter*(2*random()-1)
	delay := time.Duration(d)
	delay = max(minDelay, min(delay, maxDelay))
	if remainingTime > 0 {
		delay = min(delay, remainingTime)
	}
	return delay, nil
}

func rngFloat64() float64 { return rand.Float64() }
