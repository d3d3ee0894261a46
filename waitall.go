package ecrreplication

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"golang.org/x/time/rate"
)

// Defaults of WaitAllOptions.
const (
	DefaultWaitAllRateLimit   rate.Limit = 10
	DefaultWaitAllBurst       int        = 10
	DefaultWaitAllConcurrency int        = 4
)

// WaitAllOptions are the options of WaitAll.
type WaitAllOptions struct {
	// WaiterOptions configure the wait of every image, as for
	// NewImageReplicationCompleteWaiter (delays, expected destinations,
	// Registry, Retryable, Logger, ...). Their OnProgress is called with each
	// image's report, one call at a time. With Registry set, DescribeRegistry
	// is called once for the whole set.
	WaiterOptions []func(*ImageReplicationCompleteWaiterOptions)

	// RateLimit is the most requests per second the whole set sends, and
	// Burst how many it may send at once. Default DefaultWaitAllRateLimit
	// and DefaultWaitAllBurst. Keep the limit well below the account's ECR
	// request quota: the set shares it with every other caller.
	RateLimit rate.Limit
	Burst     int

	// MaxConcurrency bounds the requests in flight, and so the goroutines
	// that WaitAll starts, whatever the number of images. Default
	// DefaultWaitAllConcurrency.
	MaxConcurrency int

	// OnProgress, when set, is called after every answer with the reports of
	// all images so far, in input order (nil for an image not answered
	// yet), one call at a time. The slice is the callee's to keep.
	OnProgress func([]*Report)

	// FailFast ends the whole set at the first image that cannot complete
	// (failed replication, not found, ...); the other images then end with
	// the cause context.Canceled. By default the other images go on.
	FailFast bool
}

// WaitAll waits until every image in params has replicated, for at most
// maxWaitDur in all. It returns one report per input, in input order (nil for
// an image the service never answered for), and, when any image did not
// complete, a *WaitAllError that joins one *WaitError per such image, so
// errors.Is works for each cause. Images that completed are reported whatever
// happened to others.
//
// Every request of the set goes through one rate limiter. Throttling answers
// halve the set's request rate, which then recovers step by step with each
// successful answer (additive increase, multiplicative decrease), so a storm
// slows the whole set down rather than each image on its own. The SDK's own
// retries are turned off for the set's requests: the set's schedule retries.
//
// Invalid inputs are all reported, as *ValidationError, before anything is
// sent.
func WaitAll(ctx context.Context, client DescribeImageReplicationStatusAPIClient, params []*ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns ...func(*WaitAllOptions)) ([]*Report, error) {
	opts := WaitAllOptions{RateLimit: DefaultWaitAllRateLimit, Burst: DefaultWaitAllBurst, MaxConcurrency: DefaultWaitAllConcurrency}
	for _, fn := range optFns {
		fn(&opts)
	}
	if opts.RateLimit <= 0 || opts.Burst < 1 || opts.MaxConcurrency < 1 {
		return nil, fmt.Errorf("ecrreplication: WaitAll needs RateLimit > 0, Burst >= 1 and MaxConcurrency >= 1, got %v, %d and %d", opts.RateLimit, opts.Burst, opts.MaxConcurrency)
	}
	waiterOpts := slices.Concat(opts.WaiterOptions, []func(*ImageReplicationCompleteWaiterOptions){
		func(o *ImageReplicationCompleteWaiterOptions) {
			o.ClientOptions = append(slices.Clip(o.ClientOptions), func(co *ecr.Options) { co.RetryMaxAttempts = 1 })
		},
	})
	waiter := NewImageReplicationCompleteWaiter(client, waiterOpts...)
	runs := make([]*waitRun, len(params))
	var errs []error
	for i, p := range params {
		r, err := waiter.newRun(p, maxWaitDur, nil)
		if err != nil {
			errs = append(errs, fmt.Errorf("image %d of %d: %w", i+1, len(params), err))
			continue
		}
		// Each image's OnProgress is called by the scheduler, one call at a
		// time, rather than from the workers.
		r.onProgress, r.opts.OnProgress = r.opts.OnProgress, nil
		runs[i] = r
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(runs) == 0 {
		return nil, nil
	}

	s := &set{
		opts:    opts,
		runs:    runs,
		limiter: newAdaptiveLimiter(opts.RateLimit, opts.Burst),
		reports: make([]*Report, len(runs)),
		errs:    make([]error, len(runs)),
	}
	ctx, cancel := context.WithDeadlineCause(ctx, runs[0].deadline, ErrWaitTimeout)
	defer cancel()
	ctx, s.cancel = context.WithCancelCause(ctx)
	defer s.cancel(nil)
	s.run(ctx)
	for _, err := range s.errs {
		if err != nil {
			return s.reports, &WaitAllError{Errors: s.errs}
		}
	}
	return s.reports, nil
}

// WaitAllError is the error of a WaitAll in which some images did not
// complete. It unwraps to their errors, so errors.Is and errors.As look at
// each.
type WaitAllError struct {
	// Errors has one entry per input, in input order: nil for an image that
	// completed, its *WaitError otherwise.
	Errors []error
}

// Error lists the errors of the images that did not complete, one per line.
func (e *WaitAllError) Error() string { return errors.Join(e.Unwrap()...).Error() }

// Unwrap returns the errors of the images that did not complete.
func (e *WaitAllError) Unwrap() []error {
	var errs []error
	for _, err := range e.Errors {
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// set is the state of one WaitAll.
type set struct {
	opts    WaitAllOptions
	runs    []*waitRun
	limiter *adaptiveLimiter
	cancel  context.CancelCauseFunc
	queue   dueQueue
	reports []*Report
	errs    []error
	pending int
}

// job is one image's next poll.
type job struct {
	i   int
	due time.Time
}

// polled is a worker's answer for one job.
type polled struct {
	i      int
	result attemptResult
}

// run schedules the polls of every image on at most MaxConcurrency workers
// until each image is done or the context ends.
func (s *set) run(ctx context.Context) {
	s.pending = len(s.runs)
	s.resolveExpected(ctx)
	now := time.Now()
	for i, r := range s.runs {
		if !r.finished {
			heap.Push(&s.queue, job{i: i, due: now})
		}
	}

	jobs := make(chan int)
	results := make(chan polled)
	var wg sync.WaitGroup
	for range min(s.opts.MaxConcurrency, len(s.runs)) {
		wg.Go(func() {
			for i := range jobs {
				results <- polled{i: i, result: s.poll(ctx, s.runs[i])}
			}
		})
	}
	defer func() {
		close(jobs)
		wg.Wait()
	}()

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	inFlight := 0
	for s.pending > 0 {
		var send chan int
		var wake <-chan time.Time
		next := -1
		if s.queue.Len() > 0 && inFlight < s.opts.MaxConcurrency {
			j := s.queue[0]
			if d := time.Until(j.due); d > 0 {
				timer.Reset(d)
				wake = timer.C
			} else {
				send, next = jobs, j.i
			}
		}
		select {
		case send <- next:
			heap.Pop(&s.queue)
			inFlight++
		case <-wake:
		case p := <-results:
			inFlight--
			s.settle(p)
		case <-ctx.Done():
			for ; inFlight > 0; inFlight-- {
				s.settle(<-results)
			}
			cause := context.Cause(ctx)
			for i, r := range s.runs {
				if !r.finished {
					s.finish(i, r.last, r.fail(cause))
				}
			}
			return
		}
	}
}

// poll makes one rate-limited poll for r.
func (s *set) poll(ctx context.Context, r *waitRun) attemptResult {
	if err := s.limiter.Wait(ctx); err != nil {
		cause := context.Cause(ctx)
		if ctx.Err() == nil {
			// The limiter cannot grant a request before the deadline.
			cause = ErrWaitTimeout
		}
		return attemptResult{err: r.fail(cause)}
	}
	res := r.attempt(ctx)
	if errors.Is(res.pollErr, ErrThrottled) {
		s.limiter.throttled()
	} else if res.pollErr == nil {
		s.limiter.succeeded()
	}
	return res
}

// settle records an answer and schedules the image's next poll.
func (s *set) settle(p polled) {
	r := s.runs[p.i]
	if r.last != nil {
		s.reports[p.i] = r.last
		if r.onProgress != nil {
			r.onProgress(*r.last)
		}
		if s.opts.OnProgress != nil {
			s.opts.OnProgress(append([]*Report(nil), s.reports...))
		}
	}
	switch {
	case p.result.done:
		s.finish(p.i, r.last, nil)
	case p.result.err != nil:
		s.finish(p.i, r.last, p.result.err)
	default:
		delay, err := r.nextDelay(p.result.latency)
		if err != nil {
			s.finish(p.i, r.last, r.fail(err))
			return
		}
		heap.Push(&s.queue, job{i: p.i, due: time.Now().Add(delay)})
	}
}

func (s *set) finish(i int, report *Report, err error) {
	s.runs[i].finished = true
	s.reports[i] = report
	s.errs[i] = err
	s.pending--
	if err != nil && s.opts.FailFast {
		s.cancel(context.Canceled)
	}
}

// resolveExpected reads the registry's replication configuration once for
// the whole set, when the waiter options ask for it.
func (s *set) resolveExpected(ctx context.Context) {
	first := s.runs[0]
	if len(first.opts.Destinations) > 0 || first.opts.Registry == nil {
		for _, r := range s.runs {
			r.expectListed()
		}
		return
	}
	var out *ecr.DescribeRegistryOutput
	err := s.limiter.Wait(ctx)
	if err == nil {
		// The caller's client options, without the set's retry override: the
		// SDK may retry this one call.
		var base ImageReplicationCompleteWaiterOptions
		for _, fn := range s.opts.WaiterOptions {
			fn(&base)
		}
		out, err = first.opts.Registry.DescribeRegistry(ctx, &ecr.DescribeRegistryInput{}, base.ClientOptions...)
	}
	for i, r := range s.runs {
		var rerr error
		if err != nil {
			rerr = registryError(ctx, err)
		} else {
			rerr = r.expectFrom(out)
		}
		if rerr != nil {
			s.finish(i, nil, r.fail(rerr))
		}
	}
}

// dueQueue orders the images of a WaitAll by the time of their next poll.
type dueQueue []job

func (q dueQueue) Len() int           { return len(q) }
func (q dueQueue) Less(i, j int) bool { return q[i].due.Before(q[j].due) }
func (q dueQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *dueQueue) Push(x any)        { *q = append(*q, x.(job)) }
func (q *dueQueue) Pop() any {
	old := *q
	j := old[len(old)-1]
	*q = old[:len(old)-1]
	return j
}
