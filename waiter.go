package ecrreplication

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	smithywaiter "github.com/aws/smithy-go/waiter"
)

// ImageReplicationCompleteWaiterOptions are the options of an
// ImageReplicationCompleteWaiter. The first six fields are those of the SDK's
// generated waiters.
type ImageReplicationCompleteWaiterOptions struct {
	// APIOptions are added to every DescribeImageReplicationStatus call the
	// waiter makes.
	APIOptions []func(*middleware.Stack) error

	// ClientOptions are applied to every call the waiter makes, after
	// APIOptions.
	ClientOptions []func(*ecr.Options)

	// MinDelay is the shortest delay between polls. Default DefaultMinDelay
	// (3 s). It must not be more than MaxDelay.
	MinDelay time.Duration

	// MaxDelay is the longest delay between polls. Default DefaultMaxDelay
	// (20 s).
	MaxDelay time.Duration

	// LogWaitAttempts logs each attempt through the client's logger, as the
	// SDK's waiters do.
	LogWaitAttempts bool

	// Retryable, when set, replaces the waiter's own decision with the SDK's
	// contract: it returns (true, nil) to poll again, (false, nil) for
	// success, and a non-nil error to end the wait with that error. When nil
	// (the default) the waiter succeeds once every expected destination is
	// COMPLETE, fails on the first FAILED destination, rides out transient
	// errors and stops on all others.
	Retryable func(context.Context, *ecr.DescribeImageReplicationStatusInput, *ecr.DescribeImageReplicationStatusOutput, error) (bool, error)

	// Destinations must each reach COMPLETE (matched by region and registry
	// ID; an empty RegistryID matches any registry in the region). A
	// destination the service does not list yet counts as pending. When
	// empty, the waiter expects what Registry says or, without Registry, a
	// non-empty list that is all COMPLETE.
	Destinations []Destination

	// Registry, when set and Destinations is empty, is asked once for the
	// registry's replication configuration (DescribeRegistry), and the
	// destinations whose rules match the repository are expected (see
	// ExpectedDestinations). It describes the caller's own registry. If no
	// rule matches, the wait ends at once with ErrNoReplication.
	Registry DescribeRegistryAPIClient

	// OnProgress, when set, is called after every answer with the current
	// report, on the waiting goroutine.
	OnProgress func(Report)

	// Logger receives a line for every transient error ridden out and every
	// change of state. Default: silent.
	Logger logging.Logger

	// Backoff computes the delay before the next poll. Default ComputeDelay;
	// smithy-go's waiter.ComputeDelay gives the SDK waiters' schedule.
	Backoff func(attempt int64, minDelay, maxDelay, remainingTime time.Duration) (time.Duration, error)

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

// WaitForOutput is Wait that also returns the service's last answer.
func (w *ImageReplicationCompleteWaiter) WaitForOutput(ctx context.Context, params *ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns ...func(*ImageReplicationCompleteWaiterOptions)) (*ecr.DescribeImageReplicationStatusOutput, error) {
	out, _, err := w.wait(ctx, params, maxWaitDur, optFns)
	return out, err
}

// WaitForReport is Wait that also returns the final report. On failure the
// report is also in the *WaitError's Last field.
func (w *ImageReplicationCompleteWaiter) WaitForReport(ctx context.Context, params *ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns ...func(*ImageReplicationCompleteWaiterOptions)) (*Report, error) {
	_, report, err := w.wait(ctx, params, maxWaitDur, optFns)
	return report, err
}

// waitRun is the state of one wait.
type waitRun struct {
	client   DescribeImageReplicationStatusAPIClient
	opts     ImageReplicationCompleteWaiterOptions
	backoff  func(attempt int64, minDelay, maxDelay, remainingTime time.Duration) (time.Duration, error)
	params   *ecr.DescribeImageReplicationStatusInput // as the caller gave it
	in       *ecr.DescribeImageReplicationStatusInput // what is sent: by digest once known
	expected []Destination
	start    time.Time
	deadline time.Time
	attempts int
	last     *Report
	lastOut  *ecr.DescribeImageReplicationStatusOutput
	lastErr  error
	// Set by WaitAll: the run is over; the image's OnProgress, called by
	// the scheduler.
	finished   bool
	onProgress func(Report)
}

func (w *ImageReplicationCompleteWaiter) wait(ctx context.Context, params *ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns []func(*ImageReplicationCompleteWaiterOptions)) (*ecr.DescribeImageReplicationStatusOutput, *Report, error) {
	r, err := w.newRun(params, maxWaitDur, optFns)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithDeadlineCause(ctx, r.deadline, ErrWaitTimeout)
	defer cancel()
	if err := r.resolveExpected(ctx); err != nil {
		return nil, r.last, err
	}
	for {
		result := r.attempt(ctx)
		if result.err != nil {
			return nil, r.last, result.err
		}
		if result.done {
			return r.lastOut, r.last, nil
		}
		delay, err := r.nextDelay(result.latency)
		if err == nil {
			err = sleep(ctx, delay)
		}
		if err != nil {
			return nil, r.last, r.fail(err)
		}
	}
}

// newRun checks the arguments of a wait and prepares its state.
func (w *ImageReplicationCompleteWaiter) newRun(params *ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns []func(*ImageReplicationCompleteWaiterOptions)) (*waitRun, error) {
	if maxWaitDur <= 0 {
		return nil, fmt.Errorf("ecrreplication: maximum wait time must be greater than zero, got %v", maxWaitDur)
	}
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
		return nil, fmt.Errorf("ecrreplication: minimum waiter delay %v must be less than or equal to maximum waiter delay %v", opts.MinDelay, opts.MaxDelay)
	}
	if opts.Logger == nil {
		opts.Logger = logging.Nop{}
	}
	if err := ValidateInput(params); err != nil {
		return nil, err
	}
	backoff := opts.Backoff
	if backoff == nil {
		random := opts.random
		if random == nil {
			random = rngFloat64
		}
		backoff = func(attempt int64, minDelay, maxDelay, remaining time.Duration) (time.Duration, error) {
			return computeDelay(attempt, minDelay, maxDelay, remaining, random)
		}
	}
	start := time.Now()
	return &waitRun{client: w.client, opts: opts, backoff: backoff, params: params, in: cloneInput(params),
		start: start, deadline: start.Add(maxWaitDur)}, nil
}

// attemptResult is what one poll leads to: done, a final error (a
// *WaitError), or neither, when the wait goes on. pollErr is the poll's own
// error, if any.
type attemptResult struct {
	done    bool
	err     error
	pollErr error
	latency time.Duration
}

// attempt makes one poll and decides what it means.
func (r *waitRun) attempt(ctx context.Context) attemptResult {
	r.attempts++
	t0 := time.Now()
	out, err := r.poll(ctx)
	res := attemptResult{latency: time.Since(t0), pollErr: MapError(err)}
	if ctx.Err() != nil {
		res.err = r.fail(context.Cause(ctx))
		return res
	}
	done, err := r.decide(ctx, out, err)
	if err != nil {
		res.err = r.fail(err)
	}
	res.done = done
	return res
}

// nextDelay is the delay before the next poll, or ErrWaitTimeout when no
// further poll can be answered before the deadline.
func (r *waitRun) nextDelay(latency time.Duration) (time.Duration, error) {
	remaining := time.Until(r.deadline)
	// The last poll must leave time for its answer before the deadline.
	slack := max(latency, 100*time.Millisecond)
	if remaining <= slack {
		return 0, ErrWaitTimeout
	}
	delay, err := r.backoff(int64(r.attempts), r.opts.MinDelay, r.opts.MaxDelay, remaining)
	if err != nil {
		return 0, err
	}
	return min(delay, remaining-slack), nil
}

// sleep waits for d or until ctx ends, and reports ctx's cause then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-t.C:
	}
	// select has no priority: a context that ended as the timer fired wins.
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// resolveExpected sets the destinations the wait expects.
func (r *waitRun) resolveExpected(ctx context.Context) error {
	if len(r.opts.Destinations) > 0 || r.opts.Registry == nil {
		r.expectListed()
		return nil
	}
	out, err := r.opts.Registry.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{}, r.opts.ClientOptions...)
	if err == nil {
		err = r.expectFrom(out)
	} else {
		err = registryError(ctx, err)
	}
	if err != nil {
		return r.fail(err)
	}
	return nil
}

// expectListed expects the destinations the options list.
func (r *waitRun) expectListed() {
	r.expected = slices.Clone(r.opts.Destinations)
	sortDestinations(r.expected)
	r.expected = slices.Compact(r.expected)
}

// expectFrom expects what a registry's replication configuration says.
func (r *waitRun) expectFrom(out *ecr.DescribeRegistryOutput) error {
	if out == nil {
		out = &ecr.DescribeRegistryOutput{}
	}
	r.expected = ExpectedDestinations(out.ReplicationConfiguration, *r.params.RepositoryName)
	if len(r.expected) == 0 {
		return fmt.Errorf("%w: no rule of registry %s replicates %s", ErrNoReplication, deref(out.RegistryId), quote(*r.params.RepositoryName))
	}
	return nil
}

// registryError describes a failed DescribeRegistry call.
func registryError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return fmt.Errorf("reading the registry's replication configuration: %w", MapError(err))
}

// poll makes one DescribeImageReplicationStatus call.
func (r *waitRun) poll(ctx context.Context) (*ecr.DescribeImageReplicationStatusOutput, error) {
	return r.client.DescribeImageReplicationStatus(ctx, r.in, func(o *ecr.Options) {
		o.APIOptions = append(o.APIOptions, r.opts.APIOptions...)
		if r.opts.LogWaitAttempts {
			logger := smithywaiter.Logger{Attempt: int64(r.attempts)}
			o.APIOptions = append(o.APIOptions, logger.AddLogger)
		}
		for _, fn := range r.opts.ClientOptions {
			fn(o)
		}
	})
}

// decide reads one answer: done on success, an error to stop, or neither to
// poll again.
func (r *waitRun) decide(ctx context.Context, out *ecr.DescribeImageReplicationStatusOutput, err error) (bool, error) {
	if err == nil {
		r.observe(out)
	}
	if r.opts.Retryable != nil {
		retry, rerr := r.opts.Retryable(ctx, r.in, out, err)
		if rerr != nil {
			return false, rerr
		}
		if err != nil {
			r.lastErr = MapError(err)
		}
		return !retry, nil
	}
	if err != nil {
		err = MapError(err)
		if !isTransient(err) {
			return false, err
		}
		r.lastErr = err
		r.opts.Logger.Logf(logging.Warn, "ecrreplication: attempt %d for %s: %v; polling goes on", r.attempts, r.last.image(), err)
		return false, nil
	}
	if len(r.last.Failed()) > 0 {
		return false, ErrReplicationFailed
	}
	return r.complete(), nil
}

// observe turns an answer into the current report, resolves the tag to the
// digest for later polls and reports progress.
func (r *waitRun) observe(out *ecr.DescribeImageReplicationStatusOutput) {
	report := NewReport(r.params, out)
	if r.last != nil && report.ImageDigest != r.last.ImageDigest && r.last.ImageDigest != "" {
		// Polls go by digest after the first answer; keep the first digest.
		report.ImageDigest = r.last.ImageDigest
	}
	if report.ImageDigest != "" && r.in.ImageId.ImageDigest == nil {
		r.in = cloneInput(r.params)
		r.in.ImageId = &types.ImageIdentifier{ImageDigest: &report.ImageDigest}
	}
	for _, e := range r.expected {
		if !slices.ContainsFunc(report.Destinations, e.matches) {
			report.Destinations = append(report.Destinations, e)
		}
	}
	sortDestinations(report.Destinations)
	if r.last == nil || !slices.Equal(r.last.Destinations, report.Destinations) {
		r.opts.Logger.Logf(logging.Debug, "ecrreplication: %s: %v", report.image(), report.Destinations)
	}
	r.last, r.lastOut = report, out
	if r.opts.OnProgress != nil {
		r.opts.OnProgress(*report)
	}
}

// matches reports whether the listed destination d is the expected e.
func (e Destination) matches(d Destination) bool {
	return d.Region == e.Region && (e.RegistryID == "" || d.RegistryID == e.RegistryID)
}

// complete reports whether the last report satisfies the expectations.
func (r *waitRun) complete() bool {
	if len(r.expected) == 0 {
		return r.last.Complete()
	}
	for _, e := range r.expected {
		ok := slices.ContainsFunc(r.last.Destinations, func(d Destination) bool {
			return d.Status == types.ReplicationStatusComplete && e.matches(d)
		})
		if !ok {
			return false
		}
	}
	return true
}

func (r *waitRun) fail(cause error) error {
	var we *WaitError
	if errors.As(cause, &we) {
		return we
	}
	last := r.last
	if last == nil {
		last = NewReport(r.params, nil)
		last.Destinations = slices.Clone(r.expected)
	}
	return &WaitError{Cause: cause, LastErr: r.lastErr, Last: last, Attempts: r.attempts, Elapsed: time.Since(r.start)}
}

// cloneInput copies params deeply enough to change its ImageId.
func cloneInput(params *ecr.DescribeImageReplicationStatusInput) *ecr.DescribeImageReplicationStatusInput {
	in := *params
	if params.ImageId != nil {
		id := *params.ImageId
		in.ImageId = &id
	}
	return &in
}
