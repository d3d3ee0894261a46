package ecrreplication

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"
	"go.opentelemetry.io/otel/metric"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// Defaults of ImageReplicationCompleteWaiterOptions and Describe.
const (
	// DefaultAttemptTimeout bounds a Describe call whose context has no
	// deadline.
	DefaultAttemptTimeout = 30 * time.Second
	// DefaultMaxConnectionFailures is how many polls in a row may fail to
	// reach the service before it has answered once.
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

	// Retryable decides, after every poll, with the SDK's contract: (true,
	// nil) polls again, (false, nil) ends the wait in success, and a
	// non-nil error ends it with that error. It starts out as
	// ImageReplicationCompleteRetryable, the waiter's own decision, so that
	// a caller can wrap it and change one case:
	//
	//	next := o.Retryable
	//	o.Retryable = func(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, out *ecr.DescribeImageReplicationStatusOutput, err error) (bool, error) {
	//		if isMyCase(err) {
	//			return true, nil
	//		}
	//		return next(ctx, in, out, err)
	//	}
	//
	// Success needs an answer: (false, nil) after a poll that failed ends
	// the wait with that poll's error. nil means the default.
	Retryable func(context.Context, *ecr.DescribeImageReplicationStatusInput, *ecr.DescribeImageReplicationStatusOutput, error) (bool, error)

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
	// cannot be read, they count from the wait's start.
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
	// the service (refused, reset or timed-out connections, no HTTP answer)
	// before it has answered once; then the wait ends with the last such
	// error rather than waiting out maxWaitDur for a service that is not
	// there. Once the service has answered, connection failures are ridden
	// out. Default DefaultMaxConnectionFailures; negative means no limit.
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
	// noTimes turns off the recording of replication times, for the
	// benchmark that measures their cost.
	noTimes bool
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
		MinDelay:  DefaultMinDelay,
		MaxDelay:  DefaultMaxDelay,
		Retryable: ImageReplicationCompleteRetryable,
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
	r, err := w.newRun(params, maxWaitDur, optFns)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithDeadlineCause(ctx, r.deadline, ErrWaitTimeout)
	defer cancel()
	ctx = r.withState(ctx)
	if err := r.resolveExpected(ctx); err != nil {
		report, err := r.end(err)
		return nil, report, err
	}
	for {
		result := r.attempt(ctx)
		if result.err != nil {
			report, err := r.end(result.err)
			return nil, report, err
		}
		if result.done {
			report, _ := r.end(nil)
			return r.lastOut, report, nil
		}
		delay, err := r.nextDelay()
		if err == nil {
			err = sleep(ctx, delay)
		}
		if err != nil {
			report, err := r.end(err)
			return nil, report, err
		}
	}
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

// newRun checks the arguments of a wait and prepares its state.
func (w *ImageReplicationCompleteWaiter) newRun(params *ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns []func(*ImageReplicationCompleteWaiterOptions)) (*waitRun, error) {
	if maxWaitDur <= 0 {
		return nil, fmt.Errorf("ecrreplication: maximum wait time must be greater than zero, got %v", maxWaitDur)
	}
	if w == nil || w.client == nil {
		return nil, errNilClient
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
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = max(10*time.Second, min(60*time.Second, opts.MaxDelay*3/2))
	}
	if opts.MaxConnectionFailures == 0 {
		opts.MaxConnectionFailures = DefaultMaxConnectionFailures
	}
	if opts.Logger == nil {
		opts.Logger = logging.Nop{}
	}
	if opts.Retryable == nil {
		opts.Retryable = ImageReplicationCompleteRetryable
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
	r := &waitRun{client: w.client, opts: opts, backoff: backoff, params: params, in: cloneInput(params),
		start: start, deadline: start.Add(maxWaitDur), callOptions: pollOptions(w.client, opts)}
	if opts.MeterProvider != nil {
		r.meters = newMeters(opts.MeterProvider, opts.Logger)
	}
	return r, nil
}

// waitRun is the state of one wait.
type waitRun struct {
	client   DescribeImageReplicationStatusAPIClient
	opts     ImageReplicationCompleteWaiterOptions
	backoff  func(attempt int64, minDelay, maxDelay, remainingTime time.Duration) (time.Duration, error)
	params   *ecr.DescribeImageReplicationStatusInput // as the caller gave it
	in       *ecr.DescribeImageReplicationStatusInput // what is sent: by digest once known
	track    tracker
	start    time.Time
	deadline time.Time
	// attempts counts the polls, answers those answered with a status.
	attempts, answers int
	// reached says that the service has answered at least once, with a
	// status or an error; connFailures counts the polls in a row since the
	// start that did not reach it.
	reached      bool
	connFailures int
	// answerLatency is how long the last poll that the service answered
	// (with a status or an error) took; noRoom says that the wait ended
	// before its deadline because no further poll fitted.
	answerLatency time.Duration
	noRoom        bool
	last          *Report
	lastOut       *ecr.DescribeImageReplicationStatusOutput
	// lastErr is the error of the last poll that ended on its own, if it
	// failed.
	lastErr error
	// since and sinceSource are the reference of the replication times,
	// set at the first answer.
	since       time.Time
	sinceSource string
	meters      *meters
	// ended says that end has run: the run is over.
	ended bool
	// callOptions are the options of every poll (pollOptions).
	callOptions []func(*ecr.Options)
	// Set by WaitAll: the image's OnProgress, called by the scheduler, and
	// a wait for the set's rate limiter before any extra call
	// (DescribeImages).
	onProgress func(Report)
	beforeCall func(context.Context) error
}

// runKey is the context key under which a wait passes its state to
// ImageReplicationCompleteRetryable.
type runKey struct{}

// withState returns ctx carrying the run, for the default decision.
func (r *waitRun) withState(ctx context.Context) context.Context {
	return context.WithValue(ctx, runKey{}, r)
}

// attemptResult is what one poll leads to: done, a cause to end the wait
// with, or neither, when the wait goes on. pollErr is the poll's own error,
// if any.
type attemptResult struct {
	done    bool
	err     error
	pollErr error
}

// attempt makes one poll and decides what it means.
func (r *waitRun) attempt(ctx context.Context) attemptResult {
	r.attempts++
	sent := time.Now()
	out, err := r.poll(ctx)
	answered := time.Now()
	res := attemptResult{pollErr: err}
	if ctx.Err() != nil {
		// The wait ended while the poll was under way: this poll tells
		// nothing.
		res.err = context.Cause(ctx)
		return res
	}
	if err == nil && out == nil {
		err = errors.New("ecrreplication: the client returned neither an answer nor an error")
		res.pollErr = err
	}
	if err == nil {
		r.answers++
		r.reached, r.connFailures, r.lastErr = true, 0, nil
		r.answerLatency = answered.Sub(sent)
		r.resolveSince(ctx, out, answered)
		r.observe(out, sent, answered)
	} else {
		var cut *attemptTimeoutError
		if reachedService(err) {
			r.reached, r.connFailures = true, 0
			if !errors.As(err, &cut) { // an answer cut short tells no answer time
				r.answerLatency = answered.Sub(sent)
			}
		} else {
			r.connFailures++
		}
		r.lastErr = err
	}
	r.meters.countPoll(ctx, err)
	retry, derr := r.opts.Retryable(ctx, r.in, out, err)
	switch {
	case derr != nil:
		res.err = derr
	case !retry && err != nil:
		res.err = err // success needs an answer
	case !retry:
		res.done, r.lastOut = true, out
	case err != nil:
		r.opts.Logger.Logf(logging.Warn, "ecrreplication: attempt %d for %s: %s; polling goes on", r.attempts, r.image(), safetext.Line(err.Error(), 0))
	}
	return res
}

// observe turns an answer into the current report, resolves the tag to the
// digest for later polls and reports progress.
func (r *waitRun) observe(out *ecr.DescribeImageReplicationStatusOutput, sent, answered time.Time) {
	report := NewReport(r.params, out)
	if r.last != nil && r.last.ImageDigest != "" {
		// Polls go by digest after the first answer; keep the first digest.
		report.ImageDigest = r.last.ImageDigest
	}
	if r.in.ImageId.ImageDigest == nil && report.ImageDigest != "" {
		if ValidateImageDigest(report.ImageDigest) == nil {
			r.in = cloneInput(r.params)
			r.in.ImageId = &types.ImageIdentifier{ImageDigest: &report.ImageDigest}
		} else {
			report.ImageDigest = "" // not a digest: keep polling by tag
		}
	}
	if r.opts.noTimes {
		sent, answered = time.Time{}, time.Time{}
	}
	r.track.observe(report.Destinations, sent, answered)
	report.Destinations = r.track.destinations()
	report.Attempts, report.Answers, report.Elapsed = r.attempts, r.answers, answered.Sub(r.start)
	report.Since, report.SinceSource = r.since, r.sinceSource
	if r.last == nil || !sameStatuses(r.last.Destinations, report.Destinations) {
		r.opts.Logger.Logf(logging.Debug, "ecrreplication: %s: %s", report.Name(), destinationList(report.Destinations))
	}
	for _, d := range report.Destinations {
		if d.Extra && d.Status == types.ReplicationStatusFailed && (r.last == nil || !wasFailed(r.last.Destinations, d)) {
			r.opts.Logger.Logf(logging.Warn, "ecrreplication: %s: %s, which the wait does not expect, reported FAILED", report.Name(), d)
		}
	}
	r.last = report
	if r.opts.OnProgress != nil {
		r.opts.OnProgress(*report)
	}
}

// sameStatuses reports whether two lists name the same destinations with
// the same statuses.
func sameStatuses(a, b []Destination) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if compareDestinations(a[i], b[i]) != 0 || a[i].Status != b[i].Status || a[i].FailureCode != b[i].FailureCode {
			return false
		}
	}
	return true
}

// wasFailed reports whether ds lists d as FAILED.
func wasFailed(ds []Destination, d Destination) bool {
	for _, e := range ds {
		if compareDestinations(e, d) == 0 && e.Status == types.ReplicationStatusFailed {
			return true
		}
	}
	return false
}

// end finishes the run once: it makes the final report, records the
// metrics, and returns the report and, when cause is not nil, the
// *WaitError.
func (r *waitRun) end(cause error) (*Report, error) {
	r.ended = true
	report := r.finalReport()
	r.meters.recordTimes(context.WithoutCancel(context.Background()), r, report)
	if cause == nil {
		return report, nil
	}
	return report, &WaitError{Cause: cause, LastErr: r.lastErr, Last: report, Attempts: r.attempts, Elapsed: report.Elapsed,
		limit: r.deadline.Sub(r.start), minDelay: r.opts.MinDelay, noRoom: r.noRoom}
}

// finalReport is the last report, or one made from the request when there
// is none, with the final counts and time taken.
func (r *waitRun) finalReport() *Report {
	var report Report
	if r.last != nil {
		report = *r.last
	} else {
		report = *NewReport(r.params, nil)
		report.Destinations = r.track.destinations()
	}
	report.Attempts, report.Answers, report.Elapsed = r.attempts, r.answers, time.Since(r.start)
	if report.Since.IsZero() {
		report.Since, report.SinceSource = r.start, SinceFromWaitStart
	}
	return &report
}

// image names the run's image for messages.
func (r *waitRun) image() string {
	if r.last != nil {
		return r.last.Name()
	}
	return NewReport(r.params, nil).Name()
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
