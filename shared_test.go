package ecrreplication_test

// One image named twice is one image (issue 15, point 3). The invariants of
// a WaitAll whose inputs name some images more than once, by the same name,
// by tag and by digest, or by both:
//
//   - S1 one report per input, in input order, named as that input asks
//     (its repository and tag as given, its digest as given or resolved);
//   - S2 the inputs of one image agree: the same destinations, replication
//     times, reference instant and counts, and the same error (or none);
//     exactly one of them, the first in input order, has Duplicate false;
//   - S3 the replication times are recorded once per image and destination
//     (MeterProvider), as if each image had been named once;
//   - S4 one stream of polls per image: after each input's first poll, the
//     polls of an image are at least MinDelay apart. (Checked where every
//     first poll comes at the start; elsewhere a tight rate limit and one
//     request in flight make first answers come late, after the image's
//     other inputs have been polled or even ended.)
//
// TestWaitAllSharingModel checks them over seeded sets of images and
// inputs; a failure prints its seed, and -sharing.seed=N replays it.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"golang.org/x/time/rate"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

var (
	sharingRuns = flag.Int("sharing.runs", 300, "runs of TestWaitAllSharingModel")
	sharingSeed = flag.Uint64("sharing.seed", 0, "replay this one seed of TestWaitAllSharingModel")
)

// byDigest is the input for repo@digest.
func byDigest(repo, digest string) *ecr.DescribeImageReplicationStatusInput {
	return &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String(repo), ImageId: &types.ImageIdentifier{ImageDigest: aws.String(digest)}}
}

// recordedTimes counts the values of the replication-time histogram.
func recordedTimes(t *testing.T, reader *sdkmetric.ManualReader) uint64 {
	t.Helper()
	h, ok := collect(t, reader)[ecrreplication.MetricReplicationDuration].(metricdata.Histogram[float64])
	if !ok {
		return 0
	}
	var n uint64
	for _, dp := range h.DataPoints {
		n += dp.Count
	}
	return n
}

// The scenario: app:slow, app@<digest of app:slow> and app:done.
// The first two are one image: they share its polls once both have had
// their first answer, keep an entry each (in input order, each named as
// asked), and only the first carries the figures; the replication times are
// recorded once per destination of each image: 2 × 2, not 3 × 2.
func TestWaitAllSameImageByTagAndDigest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		t.Cleanup(srv.Close)
		replicateTo(t, srv, "us-west-2", "eu-west-1")
		slow, err := srv.PushImage("app", "slow",
			ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: 10 * time.Second}},
			ecrtest.DestinationPlan{Region: "eu-west-1", Plan: ecrtest.Plan{After: 20 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		done := ecrtest.Plan{After: time.Nanosecond}
		if _, err := srv.PushImage("app", "done", ecrtest.DestinationPlan{Region: "us-west-2", Plan: done}, ecrtest.DestinationPlan{Region: "eu-west-1", Plan: done}); err != nil {
			t.Fatal(err)
		}
		reader := sdkmetric.NewManualReader()
		params := []*ecr.DescribeImageReplicationStatusInput{byTag("app", "slow"), byDigest("app", slow), byTag("app", "done")}
		var doneFor []int
		reports, err := ecrreplication.WaitAll(context.Background(), srv.Client(), params, time.Minute, func(o *ecrreplication.WaitAllOptions) {
			o.WaiterOptions = append(o.WaiterOptions, ecrreplication.WithoutJitter, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
				o.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			})
			o.OnImageDone = func(i int, _ *ecrreplication.Report, _ error) { doneFor = append(doneFor, i) }
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int{2, 0, 1}, doneFor); diff != "" {
			t.Errorf("OnImageDone order (-want +got):\n%s", diff)
		}
		var dup []bool
		for _, r := range reports {
			dup = append(dup, r.Duplicate)
		}
		if diff := cmp.Diff([]bool{false, true, false}, dup); diff != "" {
			t.Errorf("Duplicate (-want +got):\n%s", diff)
		}
		if reports[0].ImageTag != "slow" || reports[1].ImageTag != "" || reports[0].ImageDigest != slow || reports[1].ImageDigest != slow {
			t.Errorf("names: %s and %s, want app:slow@%s and app@%s", reports[0].Name(), reports[1].Name(), slow, slow)
		}
		// The shared polls: both first polls at 0s, then one stream at
		// 3.15s, 6.75s, 11.07s (us-west-2 done), 16.25s and 22.47s
		// (eu-west-1 done): 7 requests for app:slow, where two waits would
		// have made 12; and 2 for app:done (0s and 3.15s).
		if n := srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); n != 7+2 {
			t.Errorf("%d requests, want 9 (7 for app:slow, 2 for app:done)", n)
		}
		if diff := cmp.Diff(reports[0], reports[1], cmpopts.IgnoreFields(ecrreplication.Report{}, "ImageTag", "Duplicate")); diff != "" {
			t.Errorf("the two reports of app:slow differ (-first +second):\n%s", diff)
		}
		if reports[0].Attempts != 7 || reports[0].Answers != 7 {
			t.Errorf("app:slow counts %d attempts and %d answers, want 7 and 7", reports[0].Attempts, reports[0].Answers)
		}
		if n := recordedTimes(t, reader); n != 4 {
			t.Errorf("%d replication times recorded, want 4 (2 images × 2 destinations)", n)
		}
	})
}

// The same image named the same way twice is polled as one, from the start.
func TestWaitAllSameNameTwice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		t.Cleanup(srv.Close)
		replicateTo(t, srv, "us-west-2")
		if _, err := srv.PushImage("app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: 5 * time.Second}}); err != nil {
			t.Fatal(err)
		}
		params := []*ecr.DescribeImageReplicationStatusInput{byTag("app", "v1"), byTag("app", "v1"), byTag("app", "v1")}
		reports, err := ecrreplication.WaitAll(context.Background(), srv.Client(), params, time.Minute, func(o *ecrreplication.WaitAllOptions) {
			o.WaiterOptions = append(o.WaiterOptions, ecrreplication.WithoutJitter)
		})
		if err != nil {
			t.Fatal(err)
		}
		// 0s, 3.15s and 6.93s: the requests of one wait.
		if n := srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); n != 3 {
			t.Errorf("%d requests, want 3", n)
		}
		for i, r := range reports {
			if r.Duplicate != (i > 0) || r.Attempts != 3 || !r.Complete() {
				t.Errorf("report %d: duplicate %t, %d attempts, complete %t; want %t, 3, true", i, r.Duplicate, r.Attempts, r.Complete(), i > 0)
			}
		}
	})
}

// replicateTo configures srv to replicate every repository to the regions,
// in its own account.
func replicateTo(t *testing.T, srv *ecrtest.Server, regions ...string) {
	t.Helper()
	var ds []types.ReplicationDestination
	for _, r := range regions {
		ds = append(ds, types.ReplicationDestination{Region: aws.String(r), RegistryId: aws.String(account)})
	}
	if err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{Destinations: ds}}}); err != nil {
		t.Fatal(err)
	}
}

// sharingScenario is one generated set: images pushed with plans, and
// inputs that name them.
type sharingScenario struct {
	plans  [][2]ecrtest.Plan // per image, for us-west-2 and eu-west-1
	inputs []sharingInput
	// slow: one request in flight at a rate of one per slow seconds.
	slow     int
	failFast bool
}

// sharingInput names image by tag, by digest or by both.
type sharingInput struct {
	image         int
	tag, byDigest bool
}

func generateSharing(rng *rand.Rand) sharingScenario {
	var sc sharingScenario
	for range 1 + rng.IntN(3) {
		var p [2]ecrtest.Plan
		for d := range p {
			p[d] = ecrtest.Plan{After: time.Duration(rng.IntN(90)) * time.Second}
			switch rng.IntN(8) {
			case 0:
				p[d].Outcome, p[d].FailureCode = types.ReplicationStatusFailed, "REPLICATION_FAILED"
			case 1:
				p[d].HiddenPolls = 1 + rng.IntN(2)
			}
		}
		sc.plans = append(sc.plans, p)
	}
	for range 2 + rng.IntN(5) {
		in := sharingInput{image: rng.IntN(len(sc.plans))}
		switch rng.IntN(3) {
		case 0:
			in.tag = true
		case 1:
			in.byDigest = true
		default:
			in.tag, in.byDigest = true, true
		}
		sc.inputs = append(sc.inputs, in)
	}
	if rng.IntN(2) == 0 {
		sc.slow = 1 + rng.IntN(8)
	}
	sc.failFast = rng.IntN(3) == 0
	return sc
}

func TestWaitAllSharingModel(t *testing.T) {
	var seeds []uint64
	if *sharingSeed != 0 {
		seeds = []uint64{*sharingSeed}
	} else {
		for i := range *sharingRuns {
			seeds = append(seeds, uint64(i+1))
		}
	}
	shared := 0
	for _, seed := range seeds {
		sc := generateSharing(rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d)))
		ok := t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			if runSharing(t, sc) {
				shared++
			}
		})
		if !ok {
			t.Logf("seed %d failed: %+v; replay with -run TestWaitAllSharingModel -sharing.seed=%d", seed, sc, seed)
		}
	}
	// The generator must produce images named more than once, or the check
	// proves nothing.
	if len(seeds) >= 100 && shared < len(seeds)/2 {
		t.Errorf("only %d of %d runs name an image twice", shared, len(seeds))
	}
}

// runSharing runs one scenario and checks S1-S4; it reports whether some
// image was named more than once.
func runSharing(t *testing.T, sc sharingScenario) (shared bool) {
	const minDelay, maxWait = 3 * time.Second, 2 * time.Minute
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		t.Cleanup(srv.Close)
		replicateTo(t, srv, "us-west-2", "eu-west-1")
		var digests []string
		for i, p := range sc.plans {
			d, err := srv.PushImage("app", fmt.Sprintf("v%d", i),
				ecrtest.DestinationPlan{Region: "us-west-2", Plan: p[0]}, ecrtest.DestinationPlan{Region: "eu-west-1", Plan: p[1]})
			if err != nil {
				t.Fatal(err)
			}
			digests = append(digests, d)
		}
		var params []*ecr.DescribeImageReplicationStatusInput
		named := map[int]int{}
		for _, in := range sc.inputs {
			id := &types.ImageIdentifier{}
			if in.tag {
				id.ImageTag = aws.String(fmt.Sprintf("v%d", in.image))
			}
			if in.byDigest {
				id.ImageDigest = aws.String(digests[in.image])
			}
			params = append(params, &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), ImageId: id})
			named[in.image]++
		}
		for _, n := range named {
			shared = shared || n > 1
		}
		reader := sdkmetric.NewManualReader()
		reports, err := ecrreplication.WaitAll(context.Background(), srv.Client(), params, maxWait, func(o *ecrreplication.WaitAllOptions) {
			o.MaxConcurrency = 8 // every first poll at the start
			o.FailFast = sc.failFast
			if sc.slow > 0 {
				o.MaxConcurrency, o.RateLimit, o.Burst = 1, rate.Every(time.Duration(sc.slow)*time.Second), 1
			}
			o.WaiterOptions = append(o.WaiterOptions, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
				o.MinDelay = minDelay
				o.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			})
		})
		var all *ecrreplication.WaitAllError
		if err != nil && !errors.As(err, &all) {
			t.Fatalf("WaitAll = %v, want nil or a *WaitAllError", err)
		}
		errorOf := func(i int) error {
			if all == nil {
				return nil
			}
			return all.Errors[i]
		}
		// S1
		if len(reports) != len(params) {
			t.Fatalf("%d reports for %d inputs", len(reports), len(params))
		}
		for i, r := range reports {
			in := sc.inputs[i]
			wantTag, wantDigest := "", digests[in.image]
			if in.tag {
				wantTag = fmt.Sprintf("v%d", in.image)
			}
			if r.Attempts == 0 && !in.byDigest {
				wantDigest = "" // never polled: the tag was not resolved
			}
			if r.Repository != "app" || r.ImageTag != wantTag || r.ImageDigest != wantDigest {
				t.Errorf("S1: input %d (%+v) is reported as %s", i, in, r.Name())
			}
		}
		// S2, and what S3 needs. The inputs of an image that was polled
		// share one wait; an input never polled (FailFast ended the set
		// first) shares only with those named the same way: one that names
		// a tag is not known to be the image.
		wantTimes := 0
		first := map[string]int{}
		for i, in := range sc.inputs {
			group := fmt.Sprint("image ", in.image)
			if reports[i].Attempts == 0 {
				group = fmt.Sprintf("unpolled tag %q digest %q", aws.ToString(params[i].ImageId.ImageTag), aws.ToString(params[i].ImageId.ImageDigest))
				if err := errorOf(i); !errors.Is(err, ecrreplication.ErrSkipped) && !errors.Is(err, ecrreplication.ErrWaitTimeout) {
					t.Errorf("S2: input %d, never polled, ended with %v", i, err)
				}
			}
			f, ok := first[group]
			if !ok {
				first[group] = i
				if reports[i].Duplicate {
					t.Errorf("S2: input %d, the first of %s, is a duplicate", i, group)
				}
				for _, d := range reports[i].Destinations {
					if d.Status == types.ReplicationStatusComplete || d.Status == types.ReplicationStatusFailed {
						wantTimes++
					}
				}
				continue
			}
			if !reports[i].Duplicate {
				t.Errorf("S2: input %d is of %s as input %d is, but is not a duplicate", i, group, f)
			}
			if diff := cmp.Diff(reports[f], reports[i], cmpopts.IgnoreFields(ecrreplication.Report{}, "ImageTag", "ImageDigest", "Duplicate")); diff != "" {
				t.Errorf("S2: the reports of inputs %d and %d of %s differ (-first +this):\n%s", f, i, group, diff)
			}
			if a, b := errorOf(f), errorOf(i); (a == nil) != (b == nil) || a != nil && !sameCause(a, b) {
				t.Errorf("S2: inputs %d and %d of %s ended with %v and %v", f, i, group, a, b)
			}
		}
		// S3
		if got := recordedTimes(t, reader); got != uint64(wantTimes) {
			t.Errorf("S3: %d replication times recorded, want %d (one per image and destination seen COMPLETE or FAILED)", got, wantTimes)
		}
		// S4: the calls of each image, by the digest they name or resolve to.
		if sc.slow > 0 {
			return
		}
		imageOf := map[string]int{}
		for i, d := range digests {
			imageOf[d], imageOf["tag:"+fmt.Sprintf("v%d", i)] = i, i
		}
		literal := map[int]map[string]bool{}
		for i, in := range sc.inputs {
			if literal[in.image] == nil {
				literal[in.image] = map[string]bool{}
			}
			literal[in.image][aws.ToString(params[i].ImageId.ImageTag)+"@"+aws.ToString(params[i].ImageId.ImageDigest)] = true
		}
		times := map[int][]time.Time{}
		for _, c := range srv.Calls(ecrtest.OpDescribeImageReplicationStatus) {
			id := c.ReplicationInput.ImageId
			image, ok := imageOf[aws.ToString(id.ImageDigest)]
			if !ok {
				image = imageOf["tag:"+aws.ToString(id.ImageTag)]
			}
			times[image] = append(times[image], c.Time)
		}
		for image, ts := range times {
			slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
			for k := len(literal[image]) + 1; k < len(ts); k++ {
				if gap := ts[k].Sub(ts[k-1]); gap < minDelay {
					t.Errorf("S4: polls %d and %d of image %d are %v apart, less than MinDelay: two waits poll it", k, k+1, image, gap)
				}
			}
		}
	})
	return shared
}

// sameCause reports whether two errors of a WaitAll have the same cause.
func sameCause(a, b error) bool {
	var wa, wb *ecrreplication.WaitError
	if !errors.As(a, &wa) || !errors.As(b, &wb) {
		return false
	}
	return errors.Is(wb.Cause, wa.Cause) || wa.Cause.Error() == wb.Cause.Error()
}

// An input whose first answer comes after another input of its image has
// been polled, and ends the wait (complete), ends it for both: the other's
// queued poll is not made, and the times are recorded once. Input 2 (by tag)
// waits for the rate limit (one request per 10s) until 10s, when the image
// is COMPLETE; input 0 (by digest) saw it IN_PROGRESS at 0s and would poll
// again next; input 1, another image, keeps the set going. (The scheduler
// takes the three first polls, all due at 0s, in the order 0, 2, 1.)
func TestWaitAllLaterAnswerEndsTheSharedWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		t.Cleanup(srv.Close)
		replicateTo(t, srv, "us-west-2")
		d, err := srv.PushImage("app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: 5 * time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.PushImage("app", "other", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: 25 * time.Second}}); err != nil {
			t.Fatal(err)
		}
		reader := sdkmetric.NewManualReader()
		var progress []string
		params := []*ecr.DescribeImageReplicationStatusInput{byDigest("app", d), byTag("app", "other"), byTag("app", "v1")}
		reports, err := ecrreplication.WaitAll(context.Background(), srv.Client(), params, 2*time.Minute, func(o *ecrreplication.WaitAllOptions) {
			o.RateLimit, o.Burst, o.MaxConcurrency = 0.1, 1, 1
			o.WaiterOptions = append(o.WaiterOptions, ecrreplication.WithoutJitter, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
				o.MeterProvider = sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
				o.OnProgress = func(r ecrreplication.Report) { progress = append(progress, r.Name()) }
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		var byImage []string
		for _, c := range srv.Calls(ecrtest.OpDescribeImageReplicationStatus) {
			id := c.ReplicationInput.ImageId
			byImage = append(byImage, fmt.Sprintf("%v %s%s", c.Time.Sub(srv.Calls("")[0].Time).Round(time.Millisecond), aws.ToString(id.ImageTag), aws.ToString(id.ImageDigest)))
		}
		want := []string{"0s " + d, "10s v1", "20s other", "30s " + otherDigest(t, srv)}
		if diff := cmp.Diff(want, byImage); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
		if !reports[0].Complete() || !reports[2].Complete() || reports[0].Duplicate || !reports[2].Duplicate || reports[0].Attempts != 2 {
			t.Errorf("reports of app:v1: %+v and %+v, want both complete, the second a duplicate, 2 attempts", reports[0], reports[2])
		}
		if n := recordedTimes(t, reader); n != 2 {
			t.Errorf("%d replication times recorded, want 2 (2 images × 1 destination)", n)
		}
		wantProgress := []string{"app@" + d, "app:v1@" + d, "app:other@" + otherDigest(t, srv), "app:other@" + otherDigest(t, srv)}
		if diff := cmp.Diff(wantProgress, progress); diff != "" {
			t.Errorf("OnProgress (-want +got):\n%s", diff)
		}
	})
}

// otherDigest is the digest of app:other.
func otherDigest(t *testing.T, srv *ecrtest.Server) string {
	t.Helper()
	r, err := ecrreplication.Describe(context.Background(), srv.Client(), byTag("app", "other"))
	if err != nil {
		t.Fatal(err)
	}
	return r.ImageDigest
}
