package ecrreplication_test

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	smithywaiter "github.com/aws/smithy-go/waiter"

	"github.com/ecrkit/ecrreplication"
)

var update = flag.Bool("update", false, "rewrite testdata/schedule.md")

// The replication times the schedules are measured on (seeded, so every run
// draws the same images): most images finish in seconds, some in minutes, a
// few near 30 minutes. Each image has three destinations; the last finishes
// at the image's replication time, the others earlier.
const (
	scheduleImages = 4000
	scheduleSeed   = 2015
)

type mixBand struct {
	share    float64
	from, to time.Duration
}

var scheduleMix = []mixBand{
	{0.70, 3 * time.Second, 30 * time.Second},
	{0.25, 1 * time.Minute, 10 * time.Minute},
	{0.05, 25 * time.Minute, 30 * time.Minute},
}

// replicationTimes draws each image's destination completion times.
func replicationTimes() [][]time.Duration {
	rng := rand.New(rand.NewPCG(scheduleSeed, scheduleSeed))
	between := func(a, b time.Duration) time.Duration { return a + time.Duration(rng.Float64()*float64(b-a)) }
	images := make([][]time.Duration, scheduleImages)
	for i := range images {
		x, band := rng.Float64(), scheduleMix[len(scheduleMix)-1]
		for _, b := range scheduleMix {
			if x < b.share {
				band = b
				break
			}
			x -= b.share
		}
		last := between(band.from, band.to)
		images[i] = []time.Duration{last, between(last/2, last), between(last/2, last)}
	}
	return images
}

// timedClient answers like ECR for one image whose destinations complete at
// the given times after the client is made (virtual time in a bubble).
type timedClient struct {
	start time.Time
	done  []time.Duration
	calls int
}

func (c *timedClient) DescribeImageReplicationStatus(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, _ ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error) {
	c.calls++
	out := &ecr.DescribeImageReplicationStatusOutput{RepositoryName: in.RepositoryName,
		ImageId: &types.ImageIdentifier{ImageDigest: aws.String(validDigest)}}
	elapsed := time.Since(c.start)
	for i, d := range c.done {
		status := types.ReplicationStatusInProgress
		if elapsed >= d {
			status = types.ReplicationStatusComplete
		}
		out.ReplicationStatuses = append(out.ReplicationStatuses, types.ImageReplicationStatus{
			Region: aws.String(fmt.Sprintf("region-%d", i)), RegistryId: aws.String(account), Status: status})
	}
	return out, nil
}

type schedule struct {
	name string
	opts func(*ecrreplication.ImageReplicationCompleteWaiterOptions)
}

// doubling is the 2 s → 15 s exponential backoff that scripts use.
func doubling(attempt int64, minDelay, maxDelay, _ time.Duration) (time.Duration, error) {
	return min(minDelay<<min(attempt-1, 20), maxDelay), nil
}

var schedules = []schedule{
	{"ecrreplication default (3 s ×1.2 → 20 s, ±10 % jitter)", func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {}},
	{"SDK generic waiter (5 s → 120 s exponential, jitter)", func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay, o.Backoff = 5*time.Second, 120*time.Second, smithywaiter.ComputeDelay
	}},
	{"fixed 3 s", func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay, o.Backoff = 3*time.Second, 3*time.Second, doubling
	}},
	{"2 s → 15 s exponential", func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay, o.Backoff = 2*time.Second, 15*time.Second, doubling
	}},
}

type scheduleResult struct {
	meanLag, p95Lag time.Duration
	meanCalls       float64
}

// measure runs the real waiter for every image in virtual time.
func measure(t *testing.T, s schedule, images [][]time.Duration) scheduleResult {
	lags := make([]time.Duration, len(images))
	calls := make([]int, len(images))
	synctest.Test(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(scheduleSeed, 1))
		var mu sync.Mutex
		jitter := func() float64 { mu.Lock(); defer mu.Unlock(); return rng.Float64() }
		var wg sync.WaitGroup
		for i, done := range images {
			wg.Go(func() {
				c := &timedClient{start: time.Now(), done: done}
				w := ecrreplication.NewImageReplicationCompleteWaiter(c, ecrreplication.WithJitterSource(jitter), s.opts)
				if err := w.Wait(context.Background(), byTag("app", "v1"), time.Hour); err != nil {
					t.Errorf("%s: image %d: %v", s.name, i, err)
				}
				lags[i] = time.Since(c.start) - slices.Max(done)
				calls[i] = c.calls
			})
		}
		wg.Wait()
	})
	var r scheduleResult
	var sumLag time.Duration
	var sumCalls int
	for i := range images {
		sumLag += lags[i]
		sumCalls += calls[i]
	}
	r.meanLag = sumLag / time.Duration(len(images))
	r.meanCalls = float64(sumCalls) / float64(len(images))
	slices.Sort(lags)
	r.p95Lag = lags[len(lags)*95/100]
	return r
}

// TestSchedule measures the default polling schedule against the common
// alternatives on the same replication times, and holds the default to its
// promise: lower mean detection lag and fewer calls than the 2 s → 15 s
// backoff, and at most a third of the SDK schedule's mean lag. Run with
// -update to rewrite testdata/schedule.md (the table of docs/performance.md).
func TestSchedule(t *testing.T) {
	if testing.Short() {
		t.Skip("measures 4,000 waits per schedule")
	}
	images := replicationTimes()
	results := make([]scheduleResult, len(schedules))
	var table strings.Builder
	table.WriteString("| schedule | mean detection lag | p95 detection lag | mean API calls |\n|---|---:|---:|---:|\n")
	for i, s := range schedules {
		results[i] = measure(t, s, images)
		r := results[i]
		fmt.Fprintf(&table, "| %s | %.1f s | %.1f s | %.1f |\n", s.name, r.meanLag.Seconds(), r.p95Lag.Seconds(), r.meanCalls)
	}
	t.Logf("\n%s", table.String())
	ours, sdk, backoff := results[0], results[1], results[3]
	if ours.meanLag >= backoff.meanLag || ours.meanCalls >= backoff.meanCalls {
		t.Errorf("default: lag %v, %.2f calls; does not beat 2 s → 15 s backoff: lag %v, %.2f calls",
			ours.meanLag, ours.meanCalls, backoff.meanLag, backoff.meanCalls)
	}
	if ours.meanLag*3 > sdk.meanLag {
		t.Errorf("default mean lag %v is more than a third of the SDK schedule's %v", ours.meanLag, sdk.meanLag)
	}
	if *update {
		var doc strings.Builder
		fmt.Fprintf(&doc, "%d images, replication times: ", scheduleImages)
		for i, b := range scheduleMix {
			if i > 0 {
				doc.WriteString(", ")
			}
			fmt.Fprintf(&doc, "%.0f %% uniform in %v–%v", b.share*100, b.from, b.to)
		}
		doc.WriteString(" (three destinations each; the last completes at that time).\n\n")
		doc.WriteString(table.String())
		if err := os.WriteFile("testdata/schedule.md", []byte(doc.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
