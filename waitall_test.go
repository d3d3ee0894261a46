package ecrreplication_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/time/rate"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

// joined returns the errors joined in err.
func joined(t *testing.T, err error) []error {
	t.Helper()
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("err = %v (%T), want a joined error", err, err)
	}
	return j.Unwrap()
}

func noJitter(o *ecrreplication.WaitAllOptions) {
	o.WaiterOptions = append(o.WaiterOptions, ecrreplication.WithoutJitter)
}

func TestWaitAllMixedSet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		okDigest, _ := env.srv.PushImage("api", "v1")
		_, _ = env.srv.PushImage("web", "v1", ecrtest.DestinationPlan{Region: "eu-west-1", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "ACCESS_DENIED", AfterPolls: 2}})
		slowDigest, _ := env.srv.PushImage("worker", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: 5 * time.Minute}})
		params := []*ecr.DescribeImageReplicationStatusInput{byTag("api", "v1"), byTag("web", "v1"), byTag("api", "missing"), byTag("worker", "v1")}

		perImage := map[string]int{}
		reports, err := ecrreplication.WaitAll(context.Background(), env.client, params, time.Hour, noJitter, func(o *ecrreplication.WaitAllOptions) {
			o.WaiterOptions = append(o.WaiterOptions, func(wo *ecrreplication.ImageReplicationCompleteWaiterOptions) {
				wo.OnProgress = func(r ecrreplication.Report) { perImage[r.Repository+":"+r.ImageTag]++ } // one call at a time: no lock
			})
		})
		// Every answered poll of web and worker reached their OnProgress once
		// (api has two images, one never answered).
		answered := map[string]int{}
		for _, c := range env.srv.Calls(ecrtest.OpDescribeImageReplicationStatus) {
			if repo := *c.ReplicationInput.RepositoryName; repo != "api" {
				answered[repo+":v1"]++
			}
		}
		delete(perImage, "api:v1")
		if diff := cmp.Diff(answered, perImage); diff != "" {
			t.Errorf("per-image OnProgress calls vs answered polls (-polls +calls):\n%s", diff)
		}

		if len(reports) != 4 {
			t.Fatalf("got %d reports, want 4", len(reports))
		}
		if !reports[0].Complete() || reports[0].ImageDigest != okDigest || !reports[3].Complete() || reports[3].ImageDigest != slowDigest {
			t.Errorf("completed images not reported complete: %+v, %+v", reports[0], reports[3])
		}
		// Every image has a report with its own counts, also one that was
		// never answered.
		if r := reports[2]; r == nil || r.Attempts != 1 || r.Answers != 0 || len(r.Destinations) != 0 || r.ImageTag != "missing" {
			t.Errorf("report for a missing image = %+v, want one attempt, no answer and no destination", r)
		}
		if r := reports[0]; r.Attempts != 2 || r.Answers != 2 {
			t.Errorf("report for a completed image counts %d attempts and %d answers, want 2 and 2", r.Attempts, r.Answers)
		}
		if len(reports[1].Failed()) != 1 {
			t.Errorf("failed image's report %+v, want one failed destination", reports[1])
		}
		errs := joined(t, err)
		if len(errs) != 2 {
			t.Fatalf("joined %d errors, want 2: %v", len(errs), err)
		}
		waitError(t, errs[0], ecrreplication.ErrReplicationFailed)
		waitError(t, errs[1], ecrreplication.ErrImageNotFound)
		var all *ecrreplication.WaitAllError
		if !errors.As(err, &all) || len(all.Errors) != 4 || all.Errors[0] != nil || all.Errors[1] != errs[0] || all.Errors[2] != errs[1] || all.Errors[3] != nil {
			t.Errorf("WaitAllError.Errors = %v, want [nil, failed, not found, nil]", all)
		}
		if !errors.Is(err, ecrreplication.ErrReplicationFailed) || !errors.Is(err, ecrreplication.ErrImageNotFound) || errors.Is(err, ecrreplication.ErrWaitTimeout) {
			t.Errorf("errors.Is on the joined error gives the wrong answers: %v", err)
		}
	})
}

func TestWaitAllFailFast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("api", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}})
		_, _ = env.srv.PushImage("web", "v1", ecrtest.DestinationPlan{Region: "eu-west-1", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed, After: time.Minute}})
		start := time.Now()
		_, err := ecrreplication.WaitAll(context.Background(), env.client, []*ecr.DescribeImageReplicationStatusInput{byTag("api", "v1"), byTag("web", "v1")}, time.Hour,
			noJitter, func(o *ecrreplication.WaitAllOptions) { o.FailFast = true })
		errs := joined(t, err)
		if len(errs) != 2 {
			t.Fatalf("joined %d errors, want 2: %v", len(errs), err)
		}
		// The other image is skipped, not cancelled, and does not claim the
		// failure; the failing image's error is reachable from it.
		skipped := waitError(t, errs[0], ecrreplication.ErrSkipped)
		if errors.Is(errs[0], context.Canceled) || errors.Is(errs[0], ecrreplication.ErrReplicationFailed) {
			t.Errorf("skipped image's error %v matches context.Canceled or ErrReplicationFailed", errs[0])
		}
		var se *ecrreplication.SkippedError
		if !errors.As(skipped.Cause, &se) || se.Index != 1 || se.Err != errs[1] {
			t.Errorf("skipped image's Cause = %#v, want a *SkippedError naming image 1 and its error", skipped.Cause)
		}
		waitError(t, errs[1], ecrreplication.ErrReplicationFailed)
		if elapsed := time.Since(start); elapsed > time.Minute+ecrreplication.DefaultMaxDelay {
			t.Errorf("fail-fast took %v, want it to end soon after the failure at 1m", elapsed)
		}
	})
}

func TestWaitAllInvalidInputSendsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		params := []*ecr.DescribeImageReplicationStatusInput{byTag("api", "v1"), byTag("Bad", "v1"), nil}
		_, err := ecrreplication.WaitAll(context.Background(), env.client, params, time.Hour)
		errs := joined(t, err)
		if len(errs) != 2 {
			t.Fatalf("joined %d errors, want 2: %v", len(errs), err)
		}
		var ve *ecrreplication.ValidationError
		for _, e := range errs {
			if !errors.As(e, &ve) {
				t.Errorf("%v is not a *ValidationError", e)
			}
		}
		if n := len(env.srv.Calls("")); n != 0 {
			t.Errorf("server saw %d requests, want 0", n)
		}
		if _, err := ecrreplication.WaitAll(context.Background(), env.client, params[:1], time.Hour, func(o *ecrreplication.WaitAllOptions) { o.MaxConcurrency = 0 }); err == nil {
			t.Error("MaxConcurrency 0: no error")
		}
	})
}

func TestWaitAllCancelMidway(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		var params []*ecr.DescribeImageReplicationStatusInput
		for i := range 20 {
			repo := fmt.Sprintf("svc-%02d", i)
			plan := ecrtest.Plan{After: time.Duration(i) * time.Minute}
			_, _ = env.srv.PushImage(repo, "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: plan})
			params = append(params, byTag(repo, "v1"))
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(5*time.Minute+30*time.Second, cancel)
		reports, err := ecrreplication.WaitAll(ctx, env.client, params, time.Hour)
		errs := joined(t, err)
		if len(errs) != 14 { // svc-06 to svc-19 were still replicating
			t.Errorf("joined %d errors, want 14", len(errs))
		}
		for _, e := range errs {
			waitError(t, e, context.Canceled)
		}
		for i := range 6 {
			if !reports[i].Complete() {
				t.Errorf("svc-%02d: report %+v, want complete", i, reports[i])
			}
		}
		for i := 6; i < 20; i++ { // the images still replicating keep their last report
			if r := reports[i]; r == nil || len(r.Pending()) != 1 {
				t.Errorf("svc-%02d: report %+v, want one pending destination", i, r)
			}
		}
	})
}

func TestWaitAllThrottlingStorm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		var params []*ecr.DescribeImageReplicationStatusInput
		for i := range 30 {
			repo := fmt.Sprintf("svc-%02d", i)
			_, _ = env.srv.PushImage(repo, "v1")
			params = append(params, byTag(repo, "v1"))
		}
		env.srv.InjectFault(ecrtest.OpDescribeImageReplicationStatus, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 40)
		var calls int
		_, err := ecrreplication.WaitAll(context.Background(), env.client, params, time.Hour, noJitter, func(o *ecrreplication.WaitAllOptions) {
			o.RateLimit, o.Burst = 20, 20
			o.OnProgress = func([]*ecrreplication.Report) { calls++ }
		})
		if err != nil {
			t.Fatalf("WaitAll through a throttling storm: %v", err)
		}
		times := callTimes(env.srv)
		if got := len(times); got != 30*2+40 {
			t.Errorf("requests = %d, want %d (two polls per image plus one per throttled answer)", got, 30*2+40)
		}
		checkRate(t, times, 20, 20)
		// After the first throttled answer the set slows down: the 40
		// throttled requests take far longer than at the configured rate.
		throttled := times[20 : 20+40]
		if span := throttled[len(throttled)-1] - throttled[0]; span < 5*time.Second {
			t.Errorf("40 requests after throttling began took %v, want the set slowed well below 20/s", span)
		}
	})
}

// callTimes returns when the server saw each DescribeImageReplicationStatus
// request.
func callTimes(srv *ecrtest.Server) []time.Duration {
	var times []time.Duration
	calls := srv.Calls(ecrtest.OpDescribeImageReplicationStatus)
	for _, c := range calls {
		times = append(times, c.Time.Sub(calls[0].Time))
	}
	return times
}

// checkRate asserts that no window of requests exceeds what a token bucket of
// the given rate and burst allows: burst + rate × window.
func checkRate(t *testing.T, times []time.Duration, limit float64, burst int) (peak int) {
	t.Helper()
	for i := range times {
		for _, w := range []time.Duration{time.Second, 10 * time.Second} {
			n := 0
			for j := i; j < len(times) && times[j]-times[i] < w; j++ {
				n++
			}
			if allowed := burst + int(limit*w.Seconds()); n > allowed {
				t.Fatalf("%d requests in %v from %v, allowed %d", n, w, times[i], allowed)
			}
			if w == time.Second {
				peak = max(peak, n)
			}
		}
	}
	return peak
}

// TestWaitAllScale waits for 1,000 images × 5 destinations in virtual time
// and reports the figures in docs/performance.md: the request rate never exceeds the
// limit, every image finishes, the goroutines stay bounded by MaxConcurrency,
// and the memory each pending image costs.
func TestWaitAllScale(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 images")
	}
	const (
		images      = 1000
		limit       = 50
		burst       = 10
		concurrency = 8
	)
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		defer srv.Close()
		client := srv.Client()
		var dests []types.ReplicationDestination
		for _, region := range []string{"us-west-2", "us-east-2", "eu-west-1", "eu-central-1", "ap-southeast-2"} {
			dests = append(dests, types.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(account)})
		}
		if err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{Destinations: dests}}}); err != nil {
			t.Fatal(err)
		}
		times := replicationTimes()
		params := make([]*ecr.DescribeImageReplicationStatusInput, images)
		for i := range images {
			repo := fmt.Sprintf("svc-%04d", i)
			plan := ecrtest.Plan{After: times[i][0] / 10} // a tenth of the schedule mix: seconds to 3 minutes
			if _, err := srv.PushImage(repo, "v1", ecrtest.DestinationPlan{Region: "eu-west-1", Plan: plan}); err != nil {
				t.Fatal(err)
			}
			params[i] = byTag(repo, "v1")
		}

		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		baseGoroutines := runtime.NumGoroutine()
		var peakGoroutines atomic.Int64
		var perImage uint64
		var once sync.Once
		start := time.Now()
		reports, err := ecrreplication.WaitAll(context.Background(), client, params, time.Hour, func(o *ecrreplication.WaitAllOptions) {
			o.RateLimit, o.Burst, o.MaxConcurrency = limit, burst, concurrency
			o.OnProgress = func([]*ecrreplication.Report) {
				peakGoroutines.Store(max(peakGoroutines.Load(), int64(runtime.NumGoroutine()-baseGoroutines)))
				once.Do(func() {
					var during runtime.MemStats
					runtime.GC()
					runtime.ReadMemStats(&during)
					perImage = (during.HeapAlloc - before.HeapAlloc) / images
				})
			}
		})
		elapsed := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		done := slices.IndexFunc(reports, func(r *ecrreplication.Report) bool { return !r.Complete() })
		if done != -1 {
			t.Fatalf("image %d not complete: %+v", done, reports[done])
		}
		requests := callTimes(srv)
		peak := checkRate(t, requests, limit, burst)
		if g := peakGoroutines.Load(); g > 2*concurrency {
			t.Errorf("peak goroutines above baseline = %d, want at most %d", g, 2*concurrency)
		}
		t.Logf("%d images × 5 destinations: all complete in %v of virtual time; %d requests (%.1f/s on average, peak %d in one second; limit %d/s, burst %d); peak goroutines above baseline %d (MaxConcurrency %d); heap per pending image ≈ %d bytes",
			images, elapsed.Round(time.Second), len(requests), float64(len(requests))/elapsed.Seconds(), peak, limit, burst, peakGoroutines.Load(), concurrency, perImage)
	})
}

func TestAdaptiveRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// Every answer is throttled: the set's rate halves with each one,
		// down to a sixteenth of the limit.
		env := newWaitEnv(t)
		_, _ = env.srv.PushImage("app", "v1")
		env.srv.InjectFault(ecrtest.OpDescribeImageReplicationStatus, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 1000)
		var params []*ecr.DescribeImageReplicationStatusInput
		for i := range 40 { // forty images: the same one named forty times would be polled once
			params = append(params, byTag("app", fmt.Sprintf("v%d", i)))
		}
		_, _ = ecrreplication.WaitAll(context.Background(), env.client, params, time.Minute, func(o *ecrreplication.WaitAllOptions) {
			o.RateLimit, o.Burst, o.MaxConcurrency = 10, 10, 1
		})
		times := callTimes(env.srv)
		var gaps []time.Duration
		for i := 1; i < 8; i++ {
			gaps = append(gaps, (times[i] - times[i-1]).Round(time.Millisecond))
		}
		// One request at a time: the first throttled answer cuts the burst
		// to the one token left; then each answer halves the rate (5, 2.5,
		// 1.25/s) down to the floor of 10/16 per second.
		floor := 1600 * time.Millisecond
		want := []time.Duration{0, 400 * time.Millisecond, 800 * time.Millisecond, floor, floor, floor, floor}
		if diff := cmp.Diff(want, gaps); diff != "" {
			t.Errorf("gaps between throttled requests (-want +got):\n%s", diff)
		}
	})
}

// secondPollClient completes every image on its second poll, at once.
type secondPollClient struct{ polls sync.Map }

func (c *secondPollClient) DescribeImageReplicationStatus(_ context.Context, in *ecr.DescribeImageReplicationStatusInput, _ ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error) {
	n, _ := c.polls.LoadOrStore(*in.RepositoryName, new(atomic.Int32))
	status := types.ReplicationStatusInProgress
	if n.(*atomic.Int32).Add(1) >= 2 {
		status = types.ReplicationStatusComplete
	}
	return &ecr.DescribeImageReplicationStatusOutput{RepositoryName: in.RepositoryName,
		ImageId:             &types.ImageIdentifier{ImageDigest: aws.String(validDigest)},
		ReplicationStatuses: []types.ImageReplicationStatus{{Region: aws.String("us-west-2"), RegistryId: aws.String(account), Status: status}}}, nil
}

// BenchmarkWaitAll measures the cost per image of a set of 1,000 images that
// each complete on the second poll (real time, 1 ms between polls, no rate
// limit).
func BenchmarkWaitAll(b *testing.B) {
	const images = 1000
	params := make([]*ecr.DescribeImageReplicationStatusInput, images)
	for i := range params {
		params[i] = byTag(fmt.Sprintf("svc-%04d", i), "v1")
	}
	b.ReportAllocs()
	for b.Loop() {
		_, err := ecrreplication.WaitAll(context.Background(), &secondPollClient{}, params, time.Minute, func(o *ecrreplication.WaitAllOptions) {
			o.RateLimit, o.Burst, o.MaxConcurrency = rate.Inf, 1, 8
			o.WaiterOptions = append(o.WaiterOptions, func(wo *ecrreplication.ImageReplicationCompleteWaiterOptions) {
				wo.MinDelay, wo.MaxDelay = time.Millisecond, time.Millisecond
			})
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

func TestWaitAllRegistryReadOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicatePrefix(t, env.srv, "prod/")
		_, _ = env.srv.PushImage("prod/api", "v1")
		_, _ = env.srv.PushImage("prod/web", "v1")
		_, _ = env.srv.PushImage("dev/api", "v1")
		// The first DescribeRegistry is throttled: the SDK's own retry rides it out.
		env.srv.InjectFault(ecrtest.OpDescribeRegistry, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 1)
		client := env.srv.Client() // default retries
		reports, err := ecrreplication.WaitAll(context.Background(), client,
			[]*ecr.DescribeImageReplicationStatusInput{byTag("prod/api", "v1"), byTag("dev/api", "v1"), byTag("prod/web", "v1")}, time.Hour,
			func(o *ecrreplication.WaitAllOptions) {
				o.WaiterOptions = append(o.WaiterOptions, func(wo *ecrreplication.ImageReplicationCompleteWaiterOptions) { wo.Registry = client })
			})
		errs := joined(t, err)
		if len(errs) != 1 {
			t.Fatalf("joined %d errors, want 1: %v", len(errs), err)
		}
		waitError(t, errs[0], ecrreplication.ErrNoReplication)
		if !reports[0].Complete() || !reports[2].Complete() || reports[1].Attempts != 0 {
			t.Errorf("reports = %v, want prod images complete and dev/api never polled", reports)
		}
		if got := env.srv.CallCount(ecrtest.OpDescribeRegistry); got != 2 {
			t.Errorf("DescribeRegistry calls = %d, want 2 (one throttled, one retried) for the whole set", got)
		}
		for _, c := range env.srv.Calls(ecrtest.OpDescribeImageReplicationStatus) {
			if *c.ReplicationInput.RepositoryName == "dev/api" {
				t.Errorf("polled dev/api, which no rule replicates")
			}
		}
	})
}

// OnImageDone tells of every image's end at once, also one that ends with
// no new answer (not found), with the final report and error; the SDK's
// own retries are off without wrapping the errors' text.
func TestWaitAllOnImageDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("api", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: time.Minute}})
		start := time.Now()
		type done struct {
			I     int
			At    time.Duration
			Tag   string
			Error bool
		}
		var got []done
		reports, err := ecrreplication.WaitAll(context.Background(), env.client,
			[]*ecr.DescribeImageReplicationStatusInput{byTag("api", "v1"), byTag("api", "missing")}, time.Hour,
			noJitter, func(o *ecrreplication.WaitAllOptions) {
				o.OnImageDone = func(i int, r *ecrreplication.Report, err error) {
					got = append(got, done{i, time.Since(start).Round(time.Second), r.ImageTag, err != nil})
				}
			})
		want := []done{{1, 0, "missing", true}, {0, 63 * time.Second, "v1", false}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("OnImageDone calls (-want +got):\n%s", diff)
		}
		var all *ecrreplication.WaitAllError
		if !errors.As(err, &all) || !reports[0].Complete() {
			t.Fatalf("WaitAll = %v, %v", reports, err)
		}
		if msg := all.Errors[1].Error(); strings.Contains(msg, "exceeded maximum number of attempts") {
			t.Errorf("error text %q shows the SDK's retryer", msg)
		}
	})
}

// hangingClient answers every image at once, COMPLETE in us-west-2 from its
// second poll on, except those whose repository starts with "hung": their
// every poll hangs until its context ends.
type hangingClient struct{ secondPollClient }

func (c *hangingClient) DescribeImageReplicationStatus(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, optFns ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error) {
	if strings.HasPrefix(*in.RepositoryName, "hung") {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return c.secondPollClient.DescribeImageReplicationStatus(ctx, in, optFns...)
}

// A service that answers is there (issue 19): of 20 images, 3 hang on every
// poll while the service answers the other 17. The three ride their hung
// polls out until the limit, then end with ErrWaitTimeout naming their
// pending destination, not after MaxConnectionFailures polls with "the
// service did not answer".
func TestRegressionWaitAllHungImagesWaitTheirTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var params []*ecr.DescribeImageReplicationStatusInput
		for i := range 20 {
			repo := fmt.Sprintf("app%02d", i)
			if i%7 == 3 {
				repo = fmt.Sprintf("hung%02d", i)
			}
			params = append(params, byTag(repo, "v1"))
		}
		start := time.Now()
		reports, err := ecrreplication.WaitAll(context.Background(), &hangingClient{}, params, 10*time.Minute, noJitter, func(o *ecrreplication.WaitAllOptions) {
			o.WaiterOptions = append(o.WaiterOptions, expect(ecrreplication.Destination{Region: "us-west-2"}))
		})
		took := time.Since(start)
		var all *ecrreplication.WaitAllError
		if !errors.As(err, &all) {
			t.Fatalf("WaitAll = %v, want a *WaitAllError", err)
		}
		if took != 10*time.Minute {
			t.Errorf("the set took %v, want its whole limit of 10m", took)
		}
		for i, e := range all.Errors {
			hung := strings.HasPrefix(*params[i].RepositoryName, "hung")
			switch {
			case !hung && e != nil:
				t.Errorf("image %d: %v, want it complete", i, e)
			case hung && !errors.Is(e, ecrreplication.ErrWaitTimeout):
				t.Errorf("image %d: %v, want ErrWaitTimeout", i, e)
			case hung && !strings.Contains(e.Error(), "still pending: us-west-2 not listed yet"):
				t.Errorf("image %d: %q does not name its pending destination", i, e)
			case hung && reports[i].Attempts <= ecrreplication.DefaultMaxConnectionFailures:
				t.Errorf("image %d: %d polls, want it to poll until the limit", i, reports[i].Attempts)
			}
		}
	})
}

// A rate limit that is not a positive number, or rate.Inf, is an argument
// error before any call; so are a burst or a concurrency below 1.
func TestWaitAllBadArguments(t *testing.T) {
	tests := []struct {
		name string
		set  func(*ecrreplication.WaitAllOptions)
		want string
	}{
		{"NaN", func(o *ecrreplication.WaitAllOptions) { o.RateLimit = rate.Limit(math.NaN()) },
			"ecrreplication: WaitAllOptions.RateLimit must be a positive number of requests per second, or rate.Inf for no limit; got NaN"},
		{"zero", func(o *ecrreplication.WaitAllOptions) { o.RateLimit = 0 },
			"ecrreplication: WaitAllOptions.RateLimit must be a positive number of requests per second, or rate.Inf for no limit; got 0"},
		{"negative", func(o *ecrreplication.WaitAllOptions) { o.RateLimit = -1 },
			"ecrreplication: WaitAllOptions.RateLimit must be a positive number of requests per second, or rate.Inf for no limit; got -1"},
		{"+Inf", func(o *ecrreplication.WaitAllOptions) { o.RateLimit = rate.Limit(math.Inf(1)) },
			"ecrreplication: WaitAllOptions.RateLimit must be a positive number of requests per second, or rate.Inf for no limit; got +Inf"},
		{"burst", func(o *ecrreplication.WaitAllOptions) { o.Burst = 0 }, "ecrreplication: WaitAllOptions.Burst must be at least 1, got 0"},
		{"concurrency", func(o *ecrreplication.WaitAllOptions) { o.MaxConcurrency = -2 }, "ecrreplication: WaitAllOptions.MaxConcurrency must be at least 1, got -2"},
	}
	for _, tt := range tests {
		s := newScripted(answer(st("eu-west-1", account, complete)))
		_, err := ecrreplication.WaitAll(context.Background(), s, []*ecr.DescribeImageReplicationStatusInput{byTag("app", "v1")}, time.Minute, tt.set)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: WaitAll = %v, want %q", tt.name, err, tt.want)
		}
		if n := len(s.recorded()); n != 0 {
			t.Errorf("%s: %d calls, want none", tt.name, n)
		}
	}
	// rate.Inf is no limit, and allowed.
	s := newScripted(answer(st("eu-west-1", account, complete)))
	if _, err := ecrreplication.WaitAll(context.Background(), s, []*ecr.DescribeImageReplicationStatusInput{byTag("app", "v1")}, time.Minute,
		func(o *ecrreplication.WaitAllOptions) { o.RateLimit = rate.Inf }); err != nil {
		t.Errorf("RateLimit rate.Inf: %v", err)
	}
}
