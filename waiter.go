package ecrreplication

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	"go.opentelemetry.io/otel/metric"

	"github.com/ecrkit/ecrreplication/internal/backoff"
)

// Defaults of ImageReplicationCompleteWaiterOptions and Describe.
const (
	// DefaultMinDelay and DefaultMaxDelay bound the delays between polls:
	// the first poll at once, then delays that start at MinDelay and grow
	// by a fifth per poll up to MaxDelay, each jittered by ±10 % within
	// the bounds (ComputeDelay).
	DefaultMinDelay = 3 * time.Second
	DefaultMaxDelay = 20 * time.Second
	// DefaultAttemptTimeout bounds a Describe call whose context has no
	// deadline.
	DefaultAttemptTimeout = 30 * time.Second
	// DefaultMaxConnectionFailures is how many polls in a row may fail to
	// reach a service that has not answered yet.
	DefaultMaxConnectionFailures = 5
)

// ImageReplicationCompleteWaiterOptions are the options of an
// ImageReplicationCompleteWaiter. The first seven fields are those of the
// SDK's generated waiters.
type ImageReplicationCompleteWaiterOptions struct {
	// APIOptions are added to every DescribeImageReplicationStatus call the
	// waiter makes.
	APIOptions []func(*middleware.Stack) error

	// ClientOptions are applied to every call the waiter makes, after
	// APIOptions.
	ClientOptions []func(*ecr.Options)

	// MinDelay is the shortest delay between polls: no two polls start
	// closer together, whatever Backoff returns. Default DefaultMinDelay
	// (3 s). It must not be more than MaxDelay.
	MinDelay time.Duration

	// MaxDelay is the longest delay between polls. Default DefaultMaxDelay
	// (20 s).
	MaxDelay time.Duration

	// LogWaitAttempts logs each attempt through the client's logger, as the
	// SDK's waiters do.
	LogWaitAttempts bool

	// Decide decides, after every poll, whether the wait goes on: (true,
	// nil) polls again, (false, nil) ends the wait in success, and a
	// non-nil error ends it with that error. report is the wait's tracked
	// view after the poll: every expected destination, every destination
	// listed at any point of the wait (one the latest answer leaves out is
	// pending, with MissingSince set), extras marked Extra; after a poll
	// that failed, the view of the last answer (nil before the first). err
	// is the poll's error. Success needs an answer: (false, nil) after a
	// failed poll ends the wait with that poll's error. Decide must not
	// change report; to decide on another view, copy it. Default:
	// DefaultDecide, which a Decide of your own can wrap to change one case.
	//
	// It departs from the SDK's Retryable(ctx, input, output, err), whose
	// arguments cannot carry the wait's state: one answer alone does not
	// say which destinations must complete, nor which ones vanished.
	Decide func(report *Report, err error) (retry bool, _ error)

	// Destinations must each reach COMPLETE; only their Region and
	// RegistryID count (an empty RegistryID matches every registry in the
	// region). A destination the service does not list yet is pending;
	// destinations the service lists beyond these are reported as Extra and
	// neither make nor break the wait. When empty, the waiter expects what
	// Registry says or, without Registry, every destination the service
	// lists at any point of the wait, of which there must be at least one.
	Destinations []Destination

	// Registry, when set and Destinations is empty, is asked once for the
	// registry's replication configuration (DescribeRegistry), and the
	// destinations whose rules match the repository are expected (see
	// ExpectedDestinations). DescribeRegistry describes the caller's own
	// registry: when the input names another registry, the wait ends at
	// once with ErrRegistryMismatch, and when no rule matches, with
	// ErrNoReplication.
	Registry DescribeRegistryAPIClient

	// Images, when set, is asked once per wait, after the first answer,
	// for the image's push time (DescribeImages; it needs
	// ecr:DescribeImages), which then is the reference instant of the
	// replication times (Report.Since). Without it, or when the push time
	// cannot be read, they count from the wait's start (Report.SinceSource
	// says which; the Logger gets a debug line saying why).
	Images DescribeImagesAPIClient

	// OnProgress, when set, is called after every answer with the current
	// report, on the waiting goroutine.
	OnProgress func(Report)

	// Logger receives a line for every transient error ridden out and every
	// change of state. Default: silent.
	Logger logging.Logger

	// Backoff computes the delay before the next poll. Default ComputeDelay;
	// smithy-go's waiter.ComputeDelay gives the SDK waiters' schedule.
	// Whatever it returns is kept within [MinDelay, MaxDelay].
	Backoff func(attempt int64, minDelay, maxDelay, remainingTime time.Duration) (time.Duration, error)

	// AttemptTimeout bounds each poll (and the DescribeRegistry and
	// DescribeImages calls): a poll with no answer by then is a transient
	// error and polling goes on. Default: 1.5 × MaxDelay, at least 10 s and
	// at most 60 s (30 s with the default delays).
	AttemptTimeout time.Duration

	// MaxConnectionFailures is how many polls in a row may fail to reach
	// the service (refused, reset or timed-out connections, polls with no
	// answer in time) before the service has answered any poll of the wait
	// (of the whole set, in WaitAll); then the wait ends with the last such
	// error rather than waiting out maxWaitDur for a service that is not
	// there. Once the service has answered, every connection failure and
	// hung poll is ridden out until maxWaitDur. Default
	// DefaultMaxConnectionFailures; negative means no limit.
	MaxConnectionFailures int

	// MeterProvider, when set, receives the waiter's metrics: the histogram
	// MetricReplicationDuration and the counter MetricPolls. Default: none.
	MeterProvider metric.MeterProvider

	// MetricsRepository adds the repository name to the attributes of
	// ecr.replication.duration. Off by default: it can make many series.
	MetricsRepository bool

	// random is the jitter source of the default Backoff (tests make it
	// deterministic); nil means math/rand/v2.
	random func() float64
}

// ImageReplicationCompleteWaiter waits until an image has replicated to every
// destination. It is safe for concurrent use.
type ImageReplicationCompleteWaiter struct {
	client  DescribeImageReplicationStatusAPIClient
	options ImageReplicationCompleteWaiterOptions
}

// NewImageReplicationCompleteWaiter returns a waiter that polls client.
func NewImageReplicationCompleteWaiter(client DescribeImageReplicationStatusAPIClient, optFns ...func(*ImageReplicationCompleteWaiterOptions)) *ImageReplicationCompleteWaiter {
	options := ImageReplicationCompleteWaiterOptions{
		MinDelay: DefaultMinDelay,
		MaxDelay: DefaultMaxDelay,
		Decide:   DefaultDecide,
	}
	for _, fn := range optFns {
		fn(&options)
	}
	return &ImageReplicationCompleteWaiter{client: client, options: options}
}

// Wait polls until the image in params has replicated to every destination,
// for at most maxWaitDur, which must be greater than zero. It returns nil on
// success; otherwise a *ValidationError for invalid input (nothing is sent), or
// a *WaitError whose Cause says why (errors.Is with ErrReplicationFailed,
// ErrWaitTimeout, ErrNoReplication, ErrImageNotFound, context.Canceled, ...).
func (w *ImageReplicationCompleteWaiter) Wait(ctx context.Context, params *ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns ...func(*ImageReplicationCompleteWaiterOptions)) error {
	_, _, err := w.wait(ctx, params, maxWaitDur, optFns)
	return err
}

// WaitForOutput is Wait that also returns the service's last answer (nil
// with an error).
func (w *ImageReplicationCompleteWaiter) WaitForOutput(ctx context.Context, params *ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns ...func(*ImageReplicationCompleteWaiterOptions)) (*ecr.DescribeImageReplicationStatusOutput, error) {
	out, _, err := w.wait(ctx, params, maxWaitDur, optFns)
	return out, err
}

// WaitForReport is Wait that also returns the final report, with the
// attempts, the time taken and each destination's replication time. On
// failure the report is also in the *WaitError's Last field; it is nil only
// for invalid arguments.
func (w *ImageReplicationCompleteWaiter) WaitForReport(ctx context.Context, params *ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns ...func(*ImageReplicationCompleteWaiterOptions)) (*Report, error) {
	_, report, err := w.wait(ctx, params, maxWaitDur, optFns)
	return report, err
}

func (w *ImageReplicationCompleteWaiter) wait(ctx context.Context, params *ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns []func(*ImageReplicationCompleteWaiterOptions)) (*ecr.DescribeImageReplicationStatusOutput, *Report, error) {
	if w == nil || w.client == nil {
		return nil, nil, errNilClient
	}
	opts, err := w.resolve(optFns)
	if err != nil {
		return nil, nil, err
	}
	r, err := newWaitRun(w.client, opts, params, maxWaitDur, &runEnv{})
	if err != nil {
		return nil, nil, err
	}
	return r.run(ctx)
}

// resolve returns the waiter's options with optFns applied and the defaults
// filled in, or an error naming an option that is out of range.
func (w *ImageReplicationCompleteWaiter) resolve(optFns []func(*ImageReplicationCompleteWaiterOptions)) (ImageReplicationCompleteWaiterOptions, error) {
	opts := w.options
	for _, fn := range optFns {
		fn(&opts)
	}
	if opts.MinDelay <= 0 {
		opts.MinDelay = DefaultMinDelay
	}
	if opts.MaxDelay <= 0 {
		opts.MaxDelay = DefaultMaxDelay
	}
	if opts.MinDelay > opts.MaxDelay {
		return opts, fmt.Errorf("ecrreplication: minimum waiter delay %v must be less than or equal to maximum waiter delay %v", opts.MinDelay, opts.MaxDelay)
	}
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = max(10*time.Second, min(60*time.Second, opts.MaxDelay*3/2))
	}
	if opts.MaxConnectionFailures == 0 {
		opts.MaxConnectionFailures = DefaultMaxConnectionFailures
	}
	if opts.Logger == nil {
		opts.Logger = logging.Nop{}
	}
	if opts.Decide == nil {
		opts.Decide = DefaultDecide
	}
	if opts.Backoff == nil {
		random := opts.random
		if random == nil {
			random = rand.Float64
		}
		opts.Backoff = func(attempt int64, minDelay, maxDelay, remaining time.Duration) (time.Duration, error) {
			return computeDelay(attempt, minDelay, maxDelay, remaining, random)
		}
	}
	return opts, nil
}

// DefaultDecide is the waiter's own decision, the default of
// ImageReplicationCompleteWaiterOptions.Decide. It depends on its
// arguments alone, and returns:
//
//   - (false, nil), success, when report has at least one destination that
//     must complete (not Extra) and all of them are COMPLETE;
//   - (false, ErrReplicationFailed) when one of them is FAILED;
//   - (true, nil), poll again, while any of them is pending (IN_PROGRESS,
//     an unknown status, or not listed) or there is none yet, and after a
//     transient error: throttling, 5xx, a dropped connection, an answer
//     that could not be read, a poll with no answer in time;
//   - (false, err) for any other error (not found, access denied, ...).
func DefaultDecide(report *Report, err error) (bool, error) {
	if err != nil {
		if isTransient(err) {
			return true, nil
		}
		return false, err
	}
	if len(report.Failed()) > 0 {
		return false, ErrReplicationFailed
	}
	return !report.Complete(), nil
}

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

// computeDelay is ComputeDelay with the jitter's random source, uniform in
// [0, 1).
func computeDelay(attempt int64, minDelay, maxDelay, _ time.Duration, random func() float64) (time.Duration, error) {
	return backoff.Delay(attempt, minDelay, maxDelay, random)
}
