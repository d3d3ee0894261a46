package ecrreplication

// Test-only access to unexported seams, compiled only into this package's
// tests (the pattern of net/http's export_test.go).

// WithoutJitter makes the default schedule deterministic: every delay is the
// middle of its jitter range.
func WithoutJitter(o *ImageReplicationCompleteWaiterOptions) {
	o.random = func() float64 { return 0.5 }
}

// WithJitterSource makes the default schedule's jitter come from random.
func WithJitterSource(random func() float64) func(*ImageReplicationCompleteWaiterOptions) {
	return func(o *ImageReplicationCompleteWaiterOptions) { o.random = random }
}

// ComputeDelayWith is ComputeDelay with the given jitter source.
var ComputeDelayWith = computeDelay
