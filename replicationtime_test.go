package ecrreplication_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	smithy "github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

var timeRegions = []string{"us-west-2", "eu-west-1", "ap-south-1", "sa-east-1"}

// An ecrtest plan with After makes the true completion instant known: push
// time + After. Over seeded plans, hidden destinations and slow answers, the
// interval every wait reports contains it, whether the reference is the
// push or the wait's start, for Wait and WaitAll alike.
func TestReplicationTimeContainsTruth(t *testing.T) {
	const runs = 150
	for seed := uint64(1); seed <= runs; seed++ {
		rng := rand.New(rand.NewPCG(seed, 12))
		pushGap := time.Duration(rng.IntN(120)) * time.Second
		withPush := rng.IntN(2) == 0
		set := rng.IntN(3) == 0
		images := 1
		if set {
			images = 1 + rng.IntN(3)
		}
		plans := make([][]ecrtest.DestinationPlan, images)
		for i := range plans {
			for _, region := range timeRegions[:1+rng.IntN(len(timeRegions))] {
				// Completion at any nanosecond, up to ten minutes after the push.
				after := time.Duration(rng.Int64N(int64(10 * time.Minute)))
				plans[i] = append(plans[i], ecrtest.DestinationPlan{Region: region, Plan: ecrtest.Plan{After: max(after, 1), HiddenPolls: rng.IntN(3)}})
			}
		}
		latency := time.Duration(rng.IntN(15000)) * time.Millisecond
		faults := rng.IntN(60)
		jitterSeed := rng.Uint64()
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := ecrtest.NewInMemoryServer()
				defer srv.Close()
				// Answers are slow on the way in (a latency fault: the server
				// computes the status late) and on the way back (the answer
				// travels after the status was computed).
				back := rand.New(rand.NewPCG(seed, 3))
				var mu sync.Mutex // WaitAll's workers share it
				client := srv.Client(func(o *ecr.Options) {
					o.RetryMaxAttempts = 1
					o.HTTPClient = slowAnswers{inner: o.HTTPClient, delay: func() time.Duration {
						mu.Lock()
						defer mu.Unlock()
						return time.Duration(back.IntN(5000)) * time.Millisecond
					}}
				})
				var dests []types.ReplicationDestination
				for _, r := range timeRegions {
					dests = append(dests, types.ReplicationDestination{Region: aws.String(r), RegistryId: aws.String(account)})
				}
				if err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{Destinations: dests}}}); err != nil {
					t.Fatal(err)
				}
				pushed := time.Now()
				var params []*ecr.DescribeImageReplicationStatusInput
				for i, p := range plans {
					tag := fmt.Sprint("v", i)
					if _, err := srv.PushImage("app", tag, p...); err != nil {
						t.Fatal(err)
					}
					params = append(params, byTag("app", tag))
				}
				time.Sleep(pushGap)
				srv.InjectFault(ecrtest.OpDescribeImageReplicationStatus, ecrtest.Fault{Kind: ecrtest.FaultLatency, Latency: latency}, faults)
				waitStart := time.Now()
				jitter := rand.New(rand.NewPCG(jitterSeed, 1))
				opts := func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
					o.Registry = client // hidden destinations are waited for
					if withPush {
						o.Images = client
					}
				}
				var reports []*ecrreplication.Report
				if set {
					var err error
					reports, err = ecrreplication.WaitAll(context.Background(), client, params, time.Hour, func(o *ecrreplication.WaitAllOptions) {
						o.WaiterOptions = append(o.WaiterOptions, ecrreplication.WithJitterSource(jitter.Float64), opts)
					})
					if err != nil {
						t.Fatal(err)
					}
				} else {
					report, err := ecrreplication.NewImageReplicationCompleteWaiter(client, ecrreplication.WithJitterSource(jitter.Float64), opts).
						WaitForReport(context.Background(), params[0], time.Hour)
					if err != nil {
						t.Fatal(err)
					}
					reports = append(reports, report)
				}
				wantSince, wantSource := waitStart, ecrreplication.SinceFromWaitStart
				if withPush {
					wantSince, wantSource = pushed, ecrreplication.SinceFromPush
				}
				for i, report := range reports {
					if !report.Since.Equal(wantSince) || report.SinceSource != wantSource {
						t.Errorf("image %d: since %v (%s), want %v (%s)", i, report.Since, report.SinceSource, wantSince, wantSource)
					}
					for _, p := range plans[i] {
						d := findDestination(report, p.Region)
						minT, maxT, ok := d.ReplicationTime(report.Since)
						truth := max(pushed.Add(p.Plan.After).Sub(report.Since), 0)
						if !ok || truth < minT || truth > maxT {
							t.Errorf("image %d, %s: replication took %v after the reference, reported [%v, %v] (ok %v)", i, p.Region, truth, minT, maxT, ok)
						}
					}
				}
			})
		})
	}
}

// slowAnswers delays every answer after the server has made it.
type slowAnswers struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
	delay func() time.Duration
}

func (c slowAnswers) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.inner.Do(req)
	t := time.NewTimer(c.delay())
	defer t.Stop()
	select {
	case <-t.C:
	case <-req.Context().Done():
	}
	return resp, err
}

func findDestination(r *ecrreplication.Report, region string) ecrreplication.Destination {
	for _, d := range r.Destinations {
		if d.Region == region {
			return d
		}
	}
	return ecrreplication.Destination{}
}

// The figures of a hand-made scenario, exactly: polls at 0 s, 3.15 s and
// 6.75 s (no jitter); us-west-2 completes at 5 s, eu-west-1 is complete at
// the first poll.
func TestReplicationTimeInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1",
			ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: 5 * time.Second}},
			ecrtest.DestinationPlan{Region: "eu-west-1", Plan: ecrtest.Plan{}},
			ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{After: 6 * time.Second}})
		time.Sleep(10 * time.Second) // the wait starts 10 s after the push
		report, err := env.waiter.WaitForReport(context.Background(), byTag("app", "v1"), time.Minute, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.Images = env.client
		})
		if err != nil {
			t.Fatal(err)
		}
		type interval struct {
			Region   string
			Min, Max time.Duration
		}
		var got []interval
		for _, d := range report.Destinations {
			minT, maxT, _ := d.ReplicationTime(report.Since)
			got = append(got, interval{d.Region, minT, maxT})
		}
		// Already complete when the wait starts: only the upper bound, 10 s.
		want := []interval{{"eu-west-1", 0, 10 * time.Second}, {"us-east-2", 0, 10 * time.Second}, {"us-west-2", 0, 10 * time.Second}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("intervals from the push (-want +got):\n%s", diff)
		}

		// From the wait's start, with a destination that completes during
		// the wait: between the poll at 3.15 s that saw it pending and
		// the poll at 6.75 s that saw it complete.
		_, _ = env.srv.PushImage("app", "v2", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: 5 * time.Second}})
		report, err = env.waiter.WaitForReport(context.Background(), byTag("app", "v2"), time.Minute, expect(ecrreplication.Destination{Region: "us-west-2"}))
		if err != nil {
			t.Fatal(err)
		}
		minT, maxT, ok := findDestination(report, "us-west-2").ReplicationTime(report.Since)
		if !ok || minT != 3150*time.Millisecond || maxT != 6750*time.Millisecond || report.SinceSource != ecrreplication.SinceFromWaitStart {
			t.Errorf("us-west-2: [%v, %v] ok %v from %s, want [3.15s, 6.75s] from the wait's start", minT, maxT, ok, report.SinceSource)
		}
	})
}

func TestReplicationTimeUnknown(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name  string
		d     ecrreplication.Destination
		since time.Time
	}{
		{"never complete", ecrreplication.Destination{LastSeenPending: now}, now},
		{"no reference", ecrreplication.Destination{FirstSeenComplete: now}, time.Time{}},
	}
	for _, tt := range tests {
		if minT, maxT, ok := tt.d.ReplicationTime(tt.since); ok || minT != 0 || maxT != 0 {
			t.Errorf("%s: (%v, %v, %v), want (0, 0, false)", tt.name, minT, maxT, ok)
		}
	}
}

// A reference after the completion, as from a service clock ahead of this
// one, or a wall clock stepped back, gives zero, never a negative time.
func TestReplicationTimeNeverNegative(t *testing.T) {
	now := time.Now()
	d := ecrreplication.Destination{LastSeenPending: now.Add(-time.Minute), FirstSeenComplete: now}
	for _, since := range []time.Time{now.Add(time.Hour), now.Round(0).Add(time.Second), now.Add(-30 * time.Second).Round(0)} {
		minT, maxT, ok := d.ReplicationTime(since)
		if !ok || minT < 0 || maxT < 0 || minT > maxT {
			t.Errorf("since %v: (%v, %v, %v), want 0 <= min <= max", since, minT, maxT, ok)
		}
	}
}

// fakeImages answers DescribeImages with out or err.
type fakeImages struct {
	out *ecr.DescribeImagesOutput
	err error
}

func (f fakeImages) DescribeImages(context.Context, *ecr.DescribeImagesInput, ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error) {
	return f.out, f.err
}

// The measurement never fails a wait: without a push time the times count
// from the wait's start, and the log says why. A push time in the future
// (a service clock ahead) is taken no later than the first answer, and every
// instant keeps a monotonic reading, so a wall-clock step cannot make a time
// negative.
func TestPushTimeFallbacks(t *testing.T) {
	tests := []struct {
		name       string
		images     fakeImages
		wantSource string
		wantLog    string
	}{
		{"denied", fakeImages{err: &smithy.GenericAPIError{Code: "AccessDeniedException", Message: "not authorized to perform: ecr:DescribeImages"}}, ecrreplication.SinceFromWaitStart, "AccessDeniedException"},
		{"throttled", fakeImages{err: errThrottled}, ecrreplication.SinceFromWaitStart, "Rate exceeded"},
		{"no imagePushedAt", fakeImages{out: &ecr.DescribeImagesOutput{ImageDetails: []types.ImageDetail{{}}}}, ecrreplication.SinceFromWaitStart, "no imagePushedAt"},
		{"no image", fakeImages{out: &ecr.DescribeImagesOutput{}}, ecrreplication.SinceFromWaitStart, "no imagePushedAt"},
		{"clock ahead", fakeImages{out: &ecr.DescribeImagesOutput{ImageDetails: []types.ImageDetail{{ImagePushedAt: aws.Time(time.Date(2000, 1, 1, 1, 0, 0, 0, time.UTC))}}}}, ecrreplication.SinceFromPush, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newScripted(answer(st("eu-west-1", account, inProgress)), answer(st("eu-west-1", account, complete)))
				var logs []string
				start := time.Now()
				report, err := newWaiter(s, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
					o.Images, o.Logger = tt.images, entryLogger{&logs}
				}).WaitForReport(context.Background(), byTag("app", "v1"), time.Minute)
				if err != nil {
					t.Fatalf("the measurement failed the wait: %v", err)
				}
				if report.SinceSource != tt.wantSource || report.Since.After(s.recorded()[0].end) {
					t.Errorf("since %v (%s), want %s, no later than the first answer", report.Since.Sub(start), report.SinceSource, tt.wantSource)
				}
				if tt.wantLog != "" && !strings.Contains(strings.Join(logs, "\n"), tt.wantLog) {
					t.Errorf("log %q does not say why (%q)", logs, tt.wantLog)
				}
				d := report.Destinations[0]
				if minT, maxT, ok := d.ReplicationTime(report.Since); !ok || minT < 0 || maxT < minT {
					t.Errorf("replication time (%v, %v, %v)", minT, maxT, ok)
				}
			})
		})
	}
}

// Every instant of a report keeps this process's monotonic reading, also
// one made from the service's push time, so that a step of the wall clock
// cannot change a replication time. (Outside a synctest bubble, whose
// clock has no monotonic reading; the first answer ends the wait, so
// nothing sleeps.)
func TestTimesCarryMonotonicReadings(t *testing.T) {
	s := newScripted(answer(st("eu-west-1", account, complete)))
	images := fakeImages{out: &ecr.DescribeImagesOutput{ImageDetails: []types.ImageDetail{{ImagePushedAt: aws.Time(time.Now().Add(-time.Minute).Round(0))}}}}
	report, err := newWaiter(s, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) { o.Images = images }).
		WaitForReport(context.Background(), byTag("app", "v1"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if report.SinceSource != ecrreplication.SinceFromPush {
		t.Fatalf("since source %q, want push", report.SinceSource)
	}
	for name, tm := range map[string]time.Time{"Since": report.Since, "FirstSeenComplete": report.Destinations[0].FirstSeenComplete} {
		if !strings.Contains(tm.String(), "m=") {
			t.Errorf("%s %v has no monotonic reading", name, tm)
		}
	}
}

// A wait without Images never calls DescribeImages, and one with it calls
// it once.
func TestPushTimeOneCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1")
		if err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if n := env.srv.CallCount(ecrtest.OpDescribeImages); n != 0 {
			t.Errorf("DescribeImages calls without Images = %d, want 0", n)
		}
		err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) { o.Images = env.client })
		if err != nil {
			t.Fatal(err)
		}
		if n := env.srv.CallCount(ecrtest.OpDescribeImages); n != 1 {
			t.Errorf("DescribeImages calls with Images = %d, want 1", n)
		}
		if errors.Is(err, ecrreplication.ErrWaitTimeout) {
			t.Error("unreachable")
		}
	})
}
