package ecrreplication

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	// Registry, Decide, Logger, ...). Their OnProgress is called with each
	// image's report, one call at a time. With Registry set, DescribeRegistry
	// is called once for the whole set.
	WaiterOptions []func(*ImageReplicationCompleteWaiterOptions)

	// RateLimit is the most requests per second the whole set sends (a
	// positive number, or rate.Inf for no limit), and Burst how many it
	// may send at once (at least 1). Default DefaultWaitAllRateLimit and
	// DefaultWaitAllBurst. Keep the limit well below the account's ECR
	// request quota: the set shares it with every other caller.
	RateLimit rate.Limit
	Burst     int

	// MaxConcurrency bounds the requests in flight, and so the goroutines
	// that WaitAll starts, whatever the number of images (at least 1).
	// Default DefaultWaitAllConcurrency.
	MaxConcurrency int

	// OnProgress, when set, is called after every answer with the reports of
	// all images so far, in input order (nil for an image not answered
	// yet), one call at a time. The slice is the callee's to keep.
	OnProgress func([]*Report)

	// OnImageDone, when set, is called once per input when its wait ends,
	// with its index in the input, its final report and its error (nil
	// when it completed), one call at a time, from the same goroutine as
	// OnProgress. An image can end without a new answer (not found, timed
	// out, skipped): this is where a caller learns of it at once. For an
	// image named more than once, the report's Duplicate and counts are
	// final only when WaitAll returns.
	OnImageDone func(i int, report *Report, err error)

	// FailFast ends the whole set at the first image that cannot complete
	// (failed replication, not found, ...); the other images that are not
	// done then end with a *SkippedError as their Cause, which matches
	// ErrSkipped and holds the failing image's error. By default the other
	// images go on.
	FailFast bool
}

// WaitAll waits until every image in params has replicated, for at most
// maxWaitDur in all. It returns one report per input, in input order, each
// with its attempts, the time its wait took and its destinations'
// replication times, whether it completed or not; and, when any image did
// not complete, a *WaitAllError with one error per input (nil for an image
// that completed, its *WaitError otherwise), so errors.Is works for each
// cause. Images that completed are reported whatever happened to others.
//
// Every request of the set goes through one rate limiter. Throttling answers
// halve the set's request rate, which then recovers step by step with each
// successful answer (additive increase, multiplicative decrease), so a storm
// slows the whole set down rather than each image on its own. The SDK's own
// retries are turned off for the set's requests: the set's schedule retries.
//
// A service that answers is there: once it has answered any poll of the
// set, a poll of any image that fails to reach it or hangs until
// AttemptTimeout is ridden out like any transient error, until maxWaitDur
// (MaxConnectionFailures counts only until then).
//
// An image named more than once is waited for once. Inputs named the same
// way share their polls from the start; an input whose first answer shows
// it to be an image that another input named or resolved to (the same
// registry as given, repository and digest: a tag and the digest it points
// to, say) joins that input's wait. Each input keeps its report, in input
// order and named as it asked; the reports of one image have the same
// destinations, replication times and counts (those of all the polls made
// for the image), and all but the first, in input order, have Duplicate
// set: skip them when adding up. The metrics (MeterProvider) are recorded
// once per image. An input that is never polled (FailFast or the deadline
// ended the set first) and names a tag is not known to be any image, and
// is reported on its own.
//
// Invalid inputs are all reported before anything is sent, as a
// *WaitAllError whose Errors hold a *ValidationError for each invalid input.
func WaitAll(ctx context.Context, client DescribeImageReplicationStatusAPIClient, params []*ecr.DescribeImageReplicationStatusInput, maxWaitDur time.Duration, optFns ...func(*WaitAllOptions)) ([]*Report, error) {
	opts := WaitAllOptions{RateLimit: DefaultWaitAllRateLimit, Burst: DefaultWaitAllBurst, MaxConcurrency: DefaultWaitAllConcurrency}
	for _, fn := range optFns {
		fn(&opts)
	}
	if err := opts.check(); err != nil {
		return nil, err
	}
	if client == nil {
		return nil, errNilClient
	}
	waiterOpts, err := NewImageReplicationCompleteWaiter(client, opts.WaiterOptions...).resolve(nil)
	if err != nil {
		return nil, err
	}
	s := &set{opts: opts, waiterOpts: waiterOpts, onProgress: waiterOpts.OnProgress, limiter: newAdaptiveLimiter(opts.RateLimit, opts.Burst)}
	// Each image's OnProgress is called by the scheduler, one call at a
	// time, rather than from the workers; and the set's schedule retries,
	// not the SDK.
	waiterOpts.OnProgress = nil
	waiterOpts.ClientOptions = append(slices.Clip(waiterOpts.ClientOptions), func(o *ecr.Options) {
		o.Retryer, o.RetryMaxAttempts = aws.NopRetryer{}, 0
	})
	ctx, cancel := context.WithTimeoutCause(ctx, maxWaitDur, ErrWaitTimeout)
	defer cancel()
	env := &runEnv{limit: s.limiter.Wait}
	s.runs, s.errs = make([]*waitRun, len(params)), make([]error, len(params))
	invalid := false
	for i, p := range params {
		if s.runs[i], s.errs[i] = newWaitRun(client, waiterOpts, p, maxWaitDur, env); s.errs[i] != nil {
			invalid = true
		}
	}
	if invalid {
		return nil, &WaitAllError{Errors: s.errs}
	}
	if len(s.runs) == 0 {
		return nil, nil
	}
	s.reports, s.progress = make([]*Report, len(s.runs)), make([]*Report, len(s.runs))
	s.sharing = newSharing(s.runs)
	ctx, s.cancel = context.WithCancelCause(ctx)
	defer s.cancel(nil)
	s.run(ctx)
	s.countShared()
	if slices.ContainsFunc(s.errs, func(err error) bool { return err != nil }) {
		return s.reports, &WaitAllError{Errors: s.errs}
	}
	return s.reports, nil
}

// check names the first option that is out of range, with its value.
func (o WaitAllOptions) check() error {
	switch {
	case !(o.RateLimit > 0) || math.IsInf(float64(o.RateLimit), 0):
		return fmt.Errorf("ecrreplication: WaitAllOptions.RateLimit must be a positive number of requests per second, or rate.Inf for no limit; got %v", float64(o.RateLimit))
	case o.Burst < 1:
		return fmt.Errorf("ecrreplication: WaitAllOptions.Burst must be at least 1, got %d", o.Burst)
	case o.MaxConcurrency < 1:
		return fmt.Errorf("ecrreplication: WaitAllOptions.MaxConcurrency must be at least 1, got %d", o.MaxConcurrency)
	}
	return nil
}

// set is the state of one WaitAll.
type set struct {
	opts       WaitAllOptions
	waiterOpts ImageReplicationCompleteWaiterOptions
	// onProgress is the waiter options' OnProgress, which the scheduler
	// calls with each image's report.
	onProgress func(Report)
	runs       []*waitRun
	limiter    *adaptiveLimiter
	cancel     context.CancelCauseFunc
	queue      dueQueue
	// reports are the final reports, progress the last answered ones.
	reports, progress []*Report
	errs              []error
	// pending counts the inputs whose wait has not ended.
	pending int
	sharing
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
		if s.isLead(i) && !r.over() {
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
			if s.runs[j.i].over() { // another input's answer ended its wait
				heap.Pop(&s.queue)
				continue
			}
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
				if s.isLead(i) && !r.over() {
					s.finish(i, cause)
				}
			}
			return
		}
	}
}

// poll makes one rate-limited poll for r.
func (s *set) poll(ctx context.Context, r *waitRun) attemptResult {
	if err := s.limiter.Wait(ctx); err != nil {
		return attemptResult{err: limiterError(ctx)}
	}
	res := r.attempt(ctx)
	if errors.Is(res.pollErr, ErrThrottled) {
		s.limiter.throttled()
	} else if res.pollErr == nil {
		s.limiter.succeeded()
	}
	return res
}

// limiterError is the cause of a wait the rate limiter could not grant a
// request: the context's end, or the deadline that the limiter saw coming.
func limiterError(ctx context.Context) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return ErrWaitTimeout
}

// settle records an answer and schedules the image's next poll.
func (s *set) settle(p polled) {
	r := s.runs[p.i]
	if r.over() {
		return
	}
	last := r.report()
	if last != nil && last != s.progress[p.i] {
		s.publish(p.i, s.members[p.i])
	}
	if p.result.pollErr == nil && !s.keyed[p.i] && last != nil && last.ImageDigest != "" && s.join(p.i, p.result) {
		return
	}
	switch {
	case p.result.done:
		s.finish(p.i, nil)
	case p.result.err != nil:
		s.finish(p.i, p.result.err)
	default:
		delay, err := r.nextDelay()
		if err != nil {
			s.finish(p.i, err)
			return
		}
		heap.Push(&s.queue, job{i: p.i, due: time.Now().Add(delay)})
	}
}

// finish ends lead i's wait with cause (nil on success), and so the waits
// of every input it polls for.
func (s *set) finish(i int, cause error) {
	report, err := s.runs[i].end(cause)
	s.concludeMembers(s.members[i], i, report, err)
}

// resolveExpected sets the destinations every image expects, reading the
// registry's replication configuration once for the whole set when the
// waiter options ask for it.
func (s *set) resolveExpected(ctx context.Context) {
	o := s.waiterOpts
	if len(o.Destinations) > 0 || o.Registry == nil {
		for _, r := range s.runs {
			_ = r.resolveExpected(ctx) // makes no call: cannot fail
		}
		return
	}
	var out *ecr.DescribeRegistryOutput
	err := s.limiter.Wait(ctx)
	if err != nil {
		err = limiterError(ctx)
	} else {
		// The caller's client options, without the set's retry override:
		// the SDK may retry this one call.
		out, err = describeRegistry(ctx, o.Registry, o.AttemptTimeout, o.ClientOptions)
	}
	for i, r := range s.runs {
		if !s.isLead(i) {
			continue
		}
		rerr := err
		if rerr == nil {
			rerr = r.expectFrom(out)
		}
		if rerr != nil {
			s.finish(i, rerr)
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
