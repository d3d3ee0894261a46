package ecrreplication_test

// A model check of the waiter: generated service behaviour (answers of 0-4
// destinations from a small pool with every status, duplicates, vanishing,
// malformed entries, throttling, 5xx, reset and stalled connections, random
// latency), with and without expectations, random delays and Backoff
// functions. Each run records every call with its start and end, and the
// invariants are decided from that record alone by an oracle written apart
// from the waiter:
//
//   - I1 spacing: no two polls start less than MinDelay apart, and there are
//     at most maxWaitDur/MinDelay + 2 of them.
//   - I2 end: the wait returns within maxWaitDur plus the last poll's latency.
//   - I3 success: the wait succeeds at the first answer that justifies it
//     (every destination that must complete is listed COMPLETE in that
//     answer, in every listing), and only then.
//   - I4 failure: the wait fails with ErrReplicationFailed at the first
//     answer in which a destination that must complete is FAILED, and only
//     then.
//   - I5 errors: a service that was never reached ends the wait after
//     DefaultMaxConnectionFailures polls with that error; otherwise a wait
//     that neither succeeds nor fails ends with ErrWaitTimeout.
//   - I6 report: Attempts counts the polls; LastErr is set exactly when the
//     last poll that ended on its own failed; error texts are one line
//     without control characters.
//   - I7 replication times: FirstSeenComplete is the end of a poll that
//     listed the destination COMPLETE, LastSeenPending the start of one that
//     listed it otherwise, and the first is after the second.
//   - I8 all of its time: a wait that times out before its deadline does so
//     only when less than 2×MinDelay is left after its last poll (a further
//     poll starts whenever, after its MinDelay, at least MinDelay is left),
//     and a poll with no answer is cut at the smaller of its AttemptTimeout
//     and the deadline. Polls hang (for good, or for longer than a short
//     AttemptTimeout) in many scenarios, so a waiter that takes a hung poll
//     as the cost of the next one fails here.
//   - I9 a service that answers is there: in a WaitAll whose other image
//     the service answers from the start, the scenario's image never ends
//     on MaxConnectionFailures: its failed and hung polls are ridden out
//     until it succeeds, fails or times out (I1-I8 hold for it as for a
//     wait on its own).
//
// Each run is seeded; a failure prints the seed, and
// go test -run TestModelCheck -modelcheck.seed=N replays it.

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
	smithywaiter "github.com/aws/smithy-go/waiter"
	"golang.org/x/time/rate"

	"github.com/ecrkit/ecrreplication"
)

var (
	modelRuns = flag.Int("modelcheck.runs", 2000, "runs of TestModelCheck")
	modelSeed = flag.Uint64("modelcheck.seed", 0, "replay this one seed of TestModelCheck")
)

// source is where a scenario's choices come from: bytes, from a seeded
// generator or from the fuzzer. Past the end, every choice is 0.
type source struct {
	b []byte
	i int
}

// intn returns a choice in [0, n).
func (s *source) intn(n int) int {
	if s.i >= len(s.b) {
		return 0
	}
	v := int(s.b[s.i])
	s.i++
	return v % n
}

// float returns a number in [0, 1).
func (s *source) float() float64 { return float64(s.intn(256)) / 256 }

// seededBytes returns n bytes drawn from seed.
func seededBytes(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// The pool of destinations answers are drawn from: two registries in
// eu-west-1, to exercise expectations without a registry ID.
var modelPool = []ecrreplication.Destination{
	{Region: "eu-west-1", RegistryID: account},
	{Region: "eu-west-1", RegistryID: otherAccount},
	{Region: "us-west-2", RegistryID: account},
	{Region: "us-east-2", RegistryID: otherAccount},
}

// The expectations a scenario may hold: the last one is never listed.
var modelExpectations = []ecrreplication.Destination{
	{Region: "eu-west-1"},
	{Region: "us-west-2", RegistryID: account},
	{Region: "us-east-2", RegistryID: otherAccount},
	{Region: "ap-south-1", RegistryID: account},
}

var modelStatuses = []types.ReplicationStatus{complete, complete, complete, inProgress, inProgress, failed, "", "PAUSED"}

// scenario is one generated wait.
type scenario struct {
	steps                       []step
	expect                      []ecrreplication.Destination
	minDelay, maxDelay, maxWait time.Duration
	backoffName                 string
	backoff                     func(int64, time.Duration, time.Duration, time.Duration) (time.Duration, error)
	jitter                      func() float64
	// attemptTimeout is the waiter's AttemptTimeout; 0 means its default.
	attemptTimeout time.Duration
	// set runs the wait in a WaitAll beside another image, which the
	// service answers (COMPLETE) at once.
	set bool
}

func (sc scenario) String() string {
	return fmt.Sprintf("%d steps, expect %v, delays %v-%v, max wait %v, backoff %s, attempt timeout %v, in a set %t", len(sc.steps), sc.expect, sc.minDelay, sc.maxDelay, sc.maxWait, sc.backoffName, sc.attemptTimeout, sc.set)
}

func generate(src *source) scenario {
	var sc scenario
	sc.minDelay = []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}[src.intn(3)]
	sc.maxDelay = sc.minDelay * []time.Duration{1, 2, 5}[src.intn(3)]
	sc.maxWait = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 5 * time.Minute}[src.intn(4)]
	if src.intn(3) > 0 {
		for _, e := range modelExpectations {
			if src.intn(2) == 0 {
				sc.expect = append(sc.expect, e)
			}
		}
	}
	fixed := func(d time.Duration) func(int64, time.Duration, time.Duration, time.Duration) (time.Duration, error) {
		return func(int64, time.Duration, time.Duration, time.Duration) (time.Duration, error) { return d, nil }
	}
	switch src.intn(6) {
	case 0:
		sc.backoffName, sc.backoff = "smithy", smithywaiter.ComputeDelay
	case 1:
		sc.backoffName, sc.backoff = "zero", fixed(0)
	case 2:
		sc.backoffName, sc.backoff = "negative", fixed(-time.Minute)
	case 3:
		d := time.Duration(src.intn(120)) * time.Second
		sc.backoffName, sc.backoff = fmt.Sprintf("fixed %v", d), fixed(d)
	default:
		sc.backoffName = "default"
	}
	sc.jitter = src.float
	if src.intn(6) == 0 { // a service that is not there, for a while or for good
		for range 3 + src.intn(5) {
			s := step{err: errReset}
			if src.intn(3) == 0 {
				s = step{stall: true}
			}
			sc.steps = append(sc.steps, s)
		}
	}
	steps := 1 + src.intn(12)
	for range steps {
		var s step
		switch src.intn(12) {
		case 0:
			s.err = errThrottled
		case 1:
			s.err = errServer
		case 2:
			s.err = errReset
		case 3:
			s.stall = true
		default:
			for range src.intn(5) {
				if src.intn(16) == 0 {
					s.statuses = append(s.statuses, types.ImageReplicationStatus{Status: complete}) // malformed: no region
					continue
				}
				d := modelPool[src.intn(len(modelPool))]
				s.statuses = append(s.statuses, st(d.Region, d.RegistryID, modelStatuses[src.intn(len(modelStatuses))]))
			}
		}
		s.latency = []time.Duration{0, 0, 100 * time.Millisecond, time.Second, 5 * time.Second, 15 * time.Second}[src.intn(6)]
		sc.steps = append(sc.steps, s)
	}
	if src.intn(2) == 0 { // often, replication ends well
		var all []types.ImageReplicationStatus
		for _, d := range modelPool {
			all = append(all, st(d.Region, d.RegistryID, complete))
		}
		sc.steps = append(sc.steps, answer(all...))
	}
	// A short AttemptTimeout cuts slow answers too, before the deadline.
	sc.attemptTimeout = []time.Duration{0, 0, 2 * time.Second, 7 * time.Second}[src.intn(4)]
	sc.set = src.intn(3) == 0
	return sc
}

// outcome is how the oracle says a wait must end.
type outcome int

const (
	endTimeout outcome = iota
	endSuccess
	endFailed
	endUnreachable
)

func (o outcome) String() string {
	return [...]string{"timeout", "success", "replication failed", "service unreachable"}[o]
}

// verdict is where and how the oracle says a wait must end (at == -1: no
// call ends it, so it must time out).
type verdict struct {
	at  int
	how outcome
}

// oracle decides, from the recorded calls, at which call the wait must end
// and how. A call that ends at the wait's deadline may or may not be seen by
// the waiter (the deadline and the answer come at the same instant), so
// each such call gives two acceptable verdicts.
func oracle(sc scenario, calls []call, deadline time.Time) []verdict {
	for i, c := range calls {
		if !c.end.Before(deadline) {
			seen := decide(sc, calls[:i+1])
			unseen := decide(sc, calls[:i])
			return []verdict{seen, unseen}
		}
	}
	return []verdict{decide(sc, calls)}
}

// decide is the oracle's verdict on calls that all ended before the
// deadline.
func decide(sc scenario, calls []call) verdict {
	type key struct{ region, registry string }
	seen := map[key]bool{}
	// In a set, the other image's answer at the start has reached the
	// service (I9).
	reached, connFailures := sc.set, 0
	matchesExpected := func(k key) bool {
		for _, e := range sc.expect {
			if e.Region == k.region && (e.RegistryID == "" || e.RegistryID == k.registry) {
				return true
			}
		}
		return false
	}
	for i, c := range calls {
		s := sc.steps[c.step]
		if s.err != nil || s.stall || c.cut {
			if s.err == errReset || s.stall || c.cut {
				connFailures++
			} else {
				reached, connFailures = true, 0
			}
			if !reached && connFailures >= ecrreplication.DefaultMaxConnectionFailures {
				return verdict{i, endUnreachable}
			}
			continue
		}
		reached, connFailures = true, 0
		listings := map[key][]types.ReplicationStatus{}
		for _, l := range s.statuses {
			if aws.ToString(l.Region) == "" {
				continue
			}
			k := key{aws.ToString(l.Region), aws.ToString(l.RegistryId)}
			seen[k] = true
			listings[k] = append(listings[k], l.Status)
		}
		required := map[key]bool{}
		for k := range seen {
			if len(sc.expect) == 0 || matchesExpected(k) {
				required[k] = true
			}
		}
		for k := range required {
			if slices.Contains(listings[k], failed) {
				return verdict{i, endFailed}
			}
		}
		done := len(required) > 0
		for _, e := range sc.expect {
			matched := false
			for k := range seen {
				matched = matched || e.Region == k.region && (e.RegistryID == "" || e.RegistryID == k.registry)
			}
			done = done && matched
		}
		for k := range required {
			ls := listings[k]
			done = done && len(ls) > 0 && !slices.ContainsFunc(ls, func(s types.ReplicationStatus) bool { return s != complete })
		}
		if done {
			return verdict{i, endSuccess}
		}
	}
	return verdict{-1, endTimeout}
}

// matches reports whether a wait that made polls and ended with err agrees
// with the verdict.
func (v verdict) matches(polls int, err error) bool {
	if v.at >= 0 && polls != v.at+1 {
		return false
	}
	switch v.how {
	case endSuccess:
		return err == nil
	case endFailed:
		return errors.Is(err, ecrreplication.ErrReplicationFailed)
	case endUnreachable:
		return err != nil && !errors.Is(err, ecrreplication.ErrWaitTimeout) && !errors.Is(err, ecrreplication.ErrReplicationFailed)
	}
	return errors.Is(err, ecrreplication.ErrWaitTimeout)
}

// runScenario runs sc's wait in a synctest bubble, checks every invariant
// from the record and returns how the oracle said the wait must end.
func runScenario(t *testing.T, sc scenario) (how outcome) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(sc.steps...)
		s.limit = int(sc.maxWait/sc.minDelay) + 3
		opts := func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.MinDelay, o.MaxDelay, o.Backoff, o.Destinations = sc.minDelay, sc.maxDelay, sc.backoff, sc.expect
			o.AttemptTimeout = sc.attemptTimeout
		}
		start := time.Now()
		var report *ecrreplication.Report
		var err error
		if sc.set {
			report, err = waitInSet(s, sc.maxWait, ecrreplication.WithJitterSource(sc.jitter), opts)
		} else {
			w := ecrreplication.NewImageReplicationCompleteWaiter(s, ecrreplication.WithJitterSource(sc.jitter), opts)
			report, err = w.WaitForReport(context.Background(), byTag("app", "v1"), sc.maxWait)
		}
		took := time.Since(start)
		calls := s.recorded()

		// I1
		checkSpacing(t, calls, sc.minDelay, sc.maxWait)
		// I2
		var lastLatency time.Duration
		if n := len(calls); n > 0 {
			lastLatency = calls[n-1].end.Sub(calls[n-1].start)
		}
		if took > sc.maxWait+lastLatency {
			t.Errorf("I2: the wait took %v, more than maxWaitDur %v plus the last poll's %v", took, sc.maxWait, lastLatency)
		}
		// I8
		checkAllOfItsTime(t, sc, calls, start, took, err)
		// I3, I4, I5
		verdicts := oracle(sc, calls, start.Add(sc.maxWait))
		how = verdicts[0].how
		if !slices.ContainsFunc(verdicts, func(v verdict) bool { return v.matches(len(calls), err) }) {
			t.Errorf("I3-I5: %d polls ending in %v; the record says %+v (at: the poll's index)", len(calls), err, verdicts)
		}
		switch {
		case err == nil && !report.Complete():
			t.Errorf("I3: success with an incomplete report %+v", report)
		case errors.Is(err, ecrreplication.ErrReplicationFailed) && len(report.Failed()) == 0:
			t.Errorf("I4: failure with no failed destination in %+v", report)
		}
		if err == nil {
			checkTimes(t, sc, calls, report)
			return
		}
		// I6
		checkOneLine(t, "I6: error text", err.Error())
		var we *ecrreplication.WaitError
		if !errors.As(err, &we) {
			t.Fatalf("I6: err = %v (%T), want a *WaitError", err, err)
		}
		if we.Attempts != len(calls) || report.Attempts != len(calls) {
			t.Errorf("I6: Attempts = %d (report %d), want %d", we.Attempts, report.Attempts, len(calls))
		}
		// LastErr is the error of the last poll that ended on its own. A
		// poll that ended at the deadline may or may not count.
		deadline := start.Add(sc.maxWait)
		failedStep := func(c call) bool { st := sc.steps[c.step]; return st.err != nil || st.stall || c.cut }
		lastOwn := func(cs []call) bool {
			for i := len(cs) - 1; i >= 0; i-- {
				if cs[i].end.Before(deadline) {
					return failedStep(cs[i])
				}
			}
			return false
		}
		acceptable := map[bool]bool{}
		if n := len(calls); n > 0 && !calls[n-1].end.Before(deadline) {
			// Seen as played, seen as cut by its attempt timeout (a
			// failure), or not seen.
			acceptable[failedStep(calls[n-1]) || calls[n-1].cut] = true
			acceptable[lastOwn(calls[:n-1])] = true
		} else {
			acceptable[lastOwn(calls)] = true
		}
		if !acceptable[we.LastErr != nil] {
			t.Errorf("I6: LastErr = %v, want it set: %v", we.LastErr, acceptable)
		}
		checkTimes(t, sc, calls, report)
	})
	return how
}

// waitInSet waits for app:v1, played by s, in a WaitAll beside
// companion:v1, which a client of its own answers COMPLETE at once, and
// returns app's report and error.
func waitInSet(s *scripted, maxWait time.Duration, opts ...waiterOpt) (*ecrreplication.Report, error) {
	client := routeClient{"app": s, "companion": newScripted(answer(st("eu-west-1", account, complete)))}
	reports, err := ecrreplication.WaitAll(context.Background(), client, []*ecr.DescribeImageReplicationStatusInput{byTag("app", "v1"), byTag("companion", "v1")}, maxWait,
		func(o *ecrreplication.WaitAllOptions) {
			o.RateLimit, o.WaiterOptions = rate.Inf, opts
		})
	var all *ecrreplication.WaitAllError
	if errors.As(err, &all) {
		err = all.Errors[0]
	}
	return reports[0], err
}

// routeClient sends each request to the client of its repository.
type routeClient map[string]ecrreplication.DescribeImageReplicationStatusAPIClient

func (c routeClient) DescribeImageReplicationStatus(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, optFns ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error) {
	return c[*in.RepositoryName].DescribeImageReplicationStatus(ctx, in, optFns...)
}

// checkAllOfItsTime checks I8: a wait that timed out before its deadline
// had less than 2×MinDelay left after its last poll, and every poll cut
// short was cut at the smaller of its AttemptTimeout and the deadline.
func checkAllOfItsTime(t *testing.T, sc scenario, calls []call, start time.Time, took time.Duration, err error) {
	t.Helper()
	deadline := start.Add(sc.maxWait)
	attemptTimeout := sc.attemptTimeout
	if attemptTimeout == 0 {
		attemptTimeout = max(10*time.Second, min(60*time.Second, sc.maxDelay*3/2))
	}
	for i, c := range calls {
		if want := minTime(c.start.Add(attemptTimeout), deadline); c.cut && !c.end.Equal(want) {
			t.Errorf("I8: poll %d, from %v, was cut at %v, want %v (AttemptTimeout %v, deadline %v)",
				i+1, c.start.Sub(start), c.end.Sub(start), want.Sub(start), attemptTimeout, sc.maxWait)
		}
	}
	if !errors.Is(err, ecrreplication.ErrWaitTimeout) || took >= sc.maxWait {
		return
	}
	last := start
	if n := len(calls); n > 0 {
		last = calls[n-1].end
	}
	if left := deadline.Sub(last); left >= 2*sc.minDelay {
		t.Errorf("I8: the wait timed out after %v of %v with %v left after its last poll, room for another (MinDelay %v)", took, sc.maxWait, left, sc.minDelay)
	}
}

// minTime returns the earlier of a and b.
func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// checkTimes checks I7 on the report's destinations.
func checkTimes(t *testing.T, sc scenario, calls []call, report *ecrreplication.Report) {
	t.Helper()
	listedAs := func(c call, d ecrreplication.Destination, pending bool) bool {
		st := sc.steps[c.step]
		if c.cut || st.err != nil || st.stall {
			return false
		}
		for _, l := range st.statuses {
			if aws.ToString(l.Region) == d.Region && aws.ToString(l.RegistryId) == d.RegistryID && (l.Status != complete) == pending {
				return true
			}
		}
		return false
	}
	for _, d := range report.Destinations {
		if !d.FirstSeenComplete.IsZero() && !slices.ContainsFunc(calls, func(c call) bool { return c.end.Equal(d.FirstSeenComplete) && listedAs(c, d, false) }) {
			t.Errorf("I7: %v: FirstSeenComplete %v is the end of no poll that listed it COMPLETE", d, d.FirstSeenComplete)
		}
		if !d.LastSeenPending.IsZero() && !slices.ContainsFunc(calls, func(c call) bool { return c.start.Equal(d.LastSeenPending) && listedAs(c, d, true) }) {
			t.Errorf("I7: %v: LastSeenPending %v is the start of no poll that listed it pending", d, d.LastSeenPending)
		}
		if !d.FirstSeenComplete.IsZero() && !d.LastSeenPending.IsZero() && !d.LastSeenPending.Before(d.FirstSeenComplete) {
			t.Errorf("I7: %v: LastSeenPending %v is not before FirstSeenComplete %v", d, d.LastSeenPending, d.FirstSeenComplete)
		}
	}
}

func TestModelCheck(t *testing.T) {
	seeds := make([]uint64, 0, *modelRuns)
	if *modelSeed != 0 {
		seeds = append(seeds, *modelSeed)
	} else {
		for i := range *modelRuns {
			seeds = append(seeds, uint64(i+1))
		}
	}
	outcomes := map[outcome]int{}
	for _, seed := range seeds {
		sc := generate(&source{b: seededBytes(seed, 512)})
		var how outcome
		ok := t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			how = runScenario(t, sc)
		})
		if !ok {
			t.Logf("seed %d failed: %v; replay with -run TestModelCheck -modelcheck.seed=%d", seed, sc, seed)
		}
		outcomes[how]++
	}
	// The generator must reach every way a wait can end, or the check
	// proves less than it claims.
	if len(seeds) >= 100 {
		for how := endTimeout; how <= endUnreachable; how++ {
			if outcomes[how] < len(seeds)/100 {
				t.Errorf("only %d of %d runs end in %v: the generator does not cover it", outcomes[how], len(seeds), how)
			}
		}
	}
	t.Logf("outcomes over %d runs: %v", len(seeds), outcomes)
}

// FuzzWaitInvariants runs the model check on scenarios drawn from the
// fuzzer's bytes (seeds in testdata/fuzz/FuzzWaitInvariants).
func FuzzWaitInvariants(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		sc := generate(&source{b: b})
		runScenario(t, sc)
	})
}
