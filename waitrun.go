package ecrreplication

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/logging"
	smithywaiter "github.com/aws/smithy-go/waiter"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// One wait for one image, whole: when it polls, what a poll means, and when
// and how it ends. The waiter runs a wait on its own (run); WaitAll
// schedules the polls of many (attempt, nextDelay, end) and shares one
// image's polls between inputs through the methods at the end of this file.
// Nothing else reads or writes a waitRun's fields.
//
// The rules:
//   - The first poll is at once; each later one after Backoff's delay, kept
//     within [MinDelay, MaxDelay], so no two polls start less than MinDelay
//     apart. A poll is bounded by AttemptTimeout and by the deadline.
//   - After each poll Decide decides, from the tracked report (track.go)
//     and the poll's error alone: success, failure, or another poll.
//   - A poll that did not reach a service that has never answered (in a
//     set: no poll of any image answered) counts towards
//     MaxConnectionFailures; at the limit the wait ends with that error.
//     Once the service has answered, such polls are ridden out.
//   - The wait uses all of its time: a further poll starts whenever, after
//     its delay, at least MinDelay is left, or as long as the last answered
//     poll took (at least 100 ms), whichever is less; a poll that no
//     answer ended (cut by AttemptTimeout) says nothing of how long an
//     answer takes. Otherwise the wait ends at once with ErrWaitTimeout and
//     says why (noRoom).

// runEnv is what a wait shares with the other waits of a WaitAll: whether
// the service has answered any poll, and the set's rate limiter (nil for a
// wait on its own), which every call of the wait other than its polls
// (DescribeImages) waits for.
type runEnv struct {
	answered atomic.Bool
	limit    func(context.Context) error
}

// waitRun is the state of one wait.
type waitRun struct {
	client DescribeImageReplicationStatusAPIClient
	opts   ImageReplicationCompleteWaiterOptions
	env    *runEnv
	params *ecr.DescribeImageReplicationStatusInput // as the caller gave it
	in     *ecr.DescribeImageReplicationStatusInput // what is sent: by digest once known
	track  tracker
	meters *meters
	// pollOptions are the caller's APIOptions and ClientOptions, made once.
	pollOptions     []func(*ecr.Options)
	start, deadline time.Time
	// attempts counts the polls, answers those answered with a status,
	// and connFailures the polls in a row that did not reach the service.
	attempts, answers, connFailures int
	// answerLatency is how long the last poll that the service answered
	// (with a status or an error) took.
	answerLatency time.Duration
	// noRoom says that the wait ended before its deadline because no
	// further poll fitted.
	noRoom  bool
	last    *Report
	lastOut *ecr.DescribeImageReplicationStatusOutput
	// lastErr is the error of the last poll that ended on its own, if it
	// failed.
	lastErr error
	// since and sinceSource are the reference of the replication times,
	// set at the first answer.
	since       time.Time
	sinceSource string
	// ended says that the wait is over: end ran, or another input's wait
	// took over (stop).
	ended bool
}

// newWaitRun checks the arguments of a wait with resolved options and
// prepares its state. Nothing is sent.
func newWaitRun(client DescribeImageReplicationStatusAPIClient, opts ImageReplicationCompleteWaiterOptions, params *ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, env *runEnv) (*waitRun, error) {
	if maxWaitDur <= 0 {
		return nil, fmt.Errorf("ecrreplication: maximum wait time must be greater than zero, got %v", maxWaitDur)
	}
	if err := ValidateInput(params); err != nil {
		return nil, err
	}
	in := *params
	id := *params.ImageId
	in.ImageId = &id
	start := time.Now()
	r := &waitRun{client: client, opts: opts, env: env, params: params, in: &in, start: start, deadline: start.Add(maxWaitDur)}
	if apiOptions := opts.APIOptions; len(apiOptions) > 0 {
		r.pollOptions = append(r.pollOptions, func(o *ecr.Options) { o.APIOptions = append(o.APIOptions, apiOptions...) })
	}
	r.pollOptions = append(r.pollOptions, opts.ClientOptions...)
	if opts.MeterProvider != nil {
		r.meters = newMeters(opts.MeterProvider, opts.Logger, opts.MetricsRepository)
	}
	return r, nil
}

// run is a wait on its own: it polls until Decide ends it, or no poll fits
// before the deadline, and returns the last answer, the final report and
// the error.
func (r *waitRun) run(ctx context.Context) (*ecr.DescribeImageReplicationStatusOutput, *Report, error) {
	ctx, cancel := context.WithDeadlineCause(ctx, r.deadline, ErrWaitTimeout)
	defer cancel()
	err := r.resolveExpected(ctx)
	for err == nil {
		res := r.attempt(ctx)
		if res.done {
			report, _ := r.end(nil)
			return r.lastOut, report, nil
		}
		if err = res.err; err != nil {
			break
		}
		var delay time.Duration
		if delay, err = r.nextDelay(); err == nil {
			err = sleep(ctx, delay)
		}
	}
	report, err := r.end(err)
	return nil, report, err
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

// attemptResult is what one poll leads to: done, a cause to end the wait
// with, or neither, when the wait goes on. pollErr is the poll's own error,
// if any.
type attemptResult struct {
	done    bool
	err     error
	pollErr error
}

// errNoAnswer is the error of a client that returned neither an answer nor
// an error.
var errNoAnswer = errors.New("ecrreplication: the client returned neither an answer nor an error")

// attempt makes one poll and decides what it means.
func (r *waitRun) attempt(ctx context.Context) attemptResult {
	r.attempts++
	sent := time.Now()
	out, err := r.poll(ctx)
	answered := time.Now()
	if ctx.Err() != nil {
		// The wait ended while the poll was under way: this poll tells
		// nothing.
		return attemptResult{err: context.Cause(ctx), pollErr: err}
	}
	if err == nil && out == nil {
		err = errNoAnswer
	}
	var cut *attemptTimeoutError
	switch {
	case err == nil:
		r.answers++
		r.env.answered.Store(true)
		r.connFailures, r.lastErr, r.answerLatency = 0, nil, answered.Sub(sent)
		r.resolveSince(ctx, out, answered)
		r.observe(out, sent, answered)
	case reachedService(err):
		r.env.answered.Store(true)
		r.connFailures, r.lastErr = 0, err
		if !errors.As(err, &cut) { // an answer cut short tells no answer time
			r.answerLatency = answered.Sub(sent)
		}
	default:
		r.connFailures++
		r.lastErr = err
	}
	r.meters.countPoll(ctx, err)
	res := attemptResult{pollErr: err}
	retry, derr := r.opts.Decide(r.last, err)
	switch {
	case derr != nil:
		res.err = derr
	case !retry && err != nil:
		res.err = err // success needs an answer
	case !retry:
		res.done, r.lastOut = true, out
	case err != nil && !r.env.answered.Load() && r.opts.MaxConnectionFailures > 0 && r.connFailures >= r.opts.MaxConnectionFailures:
		res.err = fmt.Errorf("the service did not answer %d polls in a row: %w", r.connFailures, err)
	case err != nil:
		r.opts.Logger.Logf(logging.Warn, "ecrreplication: attempt %d for %s: %s; polling goes on", r.attempts, r.image(), safetext.Line(err.Error(), 0))
	}
	return res
}

// poll makes one DescribeImageReplicationStatus call, bounded by the attempt
// timeout, and returns its error mapped (MapError) and classified: a request
// that failed before it could be sent is an *unsentError, one that got no
// answer in time an *attemptTimeoutError.
func (r *waitRun) poll(ctx context.Context) (*ecr.DescribeImageReplicationStatusOutput, error) {
	actx, cancel := context.WithTimeout(ctx, r.opts.AttemptTimeout)
	defer cancel()
	c := new(call)
	optFns := c.after(r.pollOptions)
	if r.opts.LogWaitAttempts {
		logger := smithywaiter.Logger{Attempt: int64(r.attempts)}
		optFns = append(optFns, func(o *ecr.Options) { o.APIOptions = append(o.APIOptions, logger.AddLogger) })
	}
	out, err := r.client.DescribeImageReplicationStatus(actx, r.in, optFns...)
	if err == nil {
		return out, nil
	}
	err = c.error(err)
	var unsent *unsentError
	if ctx.Err() == nil && actx.Err() != nil && !errors.As(err, &unsent) {
		err = &attemptTimeoutError{timeout: r.opts.AttemptTimeout, err: err}
	}
	return nil, err
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
			digest := report.ImageDigest
			r.in.ImageId = &types.ImageIdentifier{ImageDigest: &digest}
		} else {
			report.ImageDigest = "" // not a digest: keep polling by tag
		}
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

// resolveExpected sets the destinations the wait expects: Destinations, or
// those of the registry's replication rules (Registry).
func (r *waitRun) resolveExpected(ctx context.Context) error {
	if len(r.opts.Destinations) > 0 || r.opts.Registry == nil {
		r.track.setExpected(r.opts.Destinations)
		return nil
	}
	out, err := describeRegistry(ctx, r.opts.Registry, r.opts.AttemptTimeout, r.opts.ClientOptions)
	if err != nil {
		return err
	}
	return r.expectFrom(out)
}

// expectFrom expects what a registry's replication configuration says of
// the image.
func (r *waitRun) expectFrom(out *ecr.DescribeRegistryOutput) error {
	expected, err := expectedFrom(out, r.params)
	if err == nil {
		r.track.setExpected(expected)
	}
	return err
}

// resolveSince sets, at the first answer, the reference instant of the
// replication times: the image's push time when Images is set and can tell
// it, else the wait's start. The measurement never fails the wait: the wait's
// start is used, and why goes to the Logger as a debug line.
func (r *waitRun) resolveSince(ctx context.Context, out *ecr.DescribeImageReplicationStatusOutput, answered time.Time) {
	if !r.since.IsZero() {
		return
	}
	r.since, r.sinceSource = r.start, SinceFromWaitStart
	if r.opts.Images == nil {
		return
	}
	pushed, err := r.pushTime(ctx, out)
	if err != nil {
		r.opts.Logger.Logf(logging.Debug, "ecrreplication: %s: push time unknown (%s); replication times count from the wait's start", r.image(), safetext.Line(err.Error(), 0))
		return
	}
	// Keep the push instant on this process's monotonic clock, so that a
	// later step of the wall clock cannot change the times; and never
	// after the first answer, which saw the image, whatever the skew
	// between the service's clock and this one.
	now := time.Now()
	age := max(now.Round(0).Sub(pushed), now.Sub(answered))
	r.since, r.sinceSource = now.Add(-age), SinceFromPush
}

// pushTime asks DescribeImages for the image's push time, by the digest of
// the first answer when the input named only a tag.
func (r *waitRun) pushTime(ctx context.Context, out *ecr.DescribeImageReplicationStatusOutput) (time.Time, error) {
	id := types.ImageIdentifier{ImageDigest: r.params.ImageId.ImageDigest, ImageTag: r.params.ImageId.ImageTag}
	if out.ImageId != nil && out.ImageId.ImageDigest != nil && ValidateImageDigest(*out.ImageId.ImageDigest) == nil && id.ImageDigest == nil {
		id = types.ImageIdentifier{ImageDigest: out.ImageId.ImageDigest}
	}
	if r.env.limit != nil {
		if err := r.env.limit(ctx); err != nil {
			return time.Time{}, err
		}
	}
	actx, cancel := context.WithTimeout(ctx, r.opts.AttemptTimeout)
	defer cancel()
	res, err := r.opts.Images.DescribeImages(actx, &ecr.DescribeImagesInput{
		RepositoryName: r.params.RepositoryName,
		RegistryId:     r.params.RegistryId,
		ImageIds:       []types.ImageIdentifier{id},
	}, append(r.opts.ClientOptions[:len(r.opts.ClientOptions):len(r.opts.ClientOptions)], capResponses)...)
	if err != nil {
		return time.Time{}, MapError(err)
	}
	for _, d := range res.ImageDetails {
		if d.ImagePushedAt != nil && !d.ImagePushedAt.IsZero() {
			return *d.ImagePushedAt, nil
		}
	}
	return time.Time{}, errNoPushTime
}

// errNoPushTime says that DescribeImages gave no push time.
var errNoPushTime = errors.New("DescribeImages gave no imagePushedAt")

// nextDelay is the delay before the next poll, counted from now, the end of
// the last one, by the rules at the top of this file; ErrWaitTimeout, with
// noRoom set, when no further poll fits.
func (r *waitRun) nextDelay() (time.Duration, error) {
	remaining := time.Until(r.deadline)
	delay, err := r.opts.Backoff(int64(r.attempts), r.opts.MinDelay, r.opts.MaxDelay, remaining)
	if err != nil {
		return 0, err
	}
	delay = max(r.opts.MinDelay, min(delay, r.opts.MaxDelay))
	answer := max(r.answerLatency, 100*time.Millisecond)
	if remaining-delay < answer {
		// Move the last poll earlier, never closer than MinDelay, so that
		// it leaves the last answer's time for its own answer.
		delay = max(r.opts.MinDelay, remaining-answer)
	}
	if remaining-delay < min(answer, r.opts.MinDelay) {
		r.noRoom = true
		return 0, ErrWaitTimeout
	}
	return delay, nil
}

// end finishes the wait once: it makes the final report, records the
// metrics, and returns the report and, when cause is not nil, the
// *WaitError.
func (r *waitRun) end(cause error) (*Report, error) {
	r.ended = true
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
	r.meters.recordTimes(context.Background(), &report, r.track.failedAt)
	if cause == nil {
		return &report, nil
	}
	return &report, &WaitError{Cause: cause, LastErr: r.lastErr, Last: &report, Attempts: r.attempts, Elapsed: report.Elapsed,
		limit: r.deadline.Sub(r.start), minDelay: r.opts.MinDelay, noRoom: r.noRoom}
}

// image names the wait's image for messages.
func (r *waitRun) image() string {
	if r.last != nil {
		return r.last.Name()
	}
	return NewReport(r.params, nil).Name()
}

// What WaitAll and the sharing of one image's polls see of a wait.

// request is the input as the caller gave it.
func (r *waitRun) request() *ecr.DescribeImageReplicationStatusInput { return r.params }

// report is the report of the last answer; nil before the first.
func (r *waitRun) report() *Report { return r.last }

// counts are the polls made and those answered with a status.
func (r *waitRun) counts() (attempts, answers int) { return r.attempts, r.answers }

// over reports whether the wait has ended.
func (r *waitRun) over() bool { return r.ended }

// stop ends the wait without a report: another input's wait goes on for
// the same image, and any poll of this one still under way is ignored.
func (r *waitRun) stop() { r.ended = true }
