package ecrreplication_test

// Regression tests of issue 15: a wait uses all of its time. A further poll
// starts whenever, after its delay, at least MinDelay is left before the
// deadline, and its bound is the smaller of AttemptTimeout and the time left;
// a hung poll is never taken as the cost of the next one.

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
)

// hungFirstPoll is the server: it holds the first request open and
// answers every later one with all destinations COMPLETE.
func hungFirstPoll() *scripted {
	return newScripted(step{stall: true}, answer(st("eu-west-1", account, complete), st("us-west-2", account, complete)))
}

// The scenario, through every entry point: maxWaitDur 20s, MinDelay
// 1s, MaxDelay 2s (so AttemptTimeout is its floor of 10s). The first poll is
// cut at 10s; half the time is left, so the wait polls again 1.05s later
// (the middle of the first delay's jitter range) and succeeds at 11.05s.
// Before the fix it ended at 10s with ErrWaitTimeout, taking the hung
// poll's 10s as what the next poll would need.
func TestRegressionHungPollDoesNotEndTheWait(t *testing.T) {
	const maxWait = 20 * time.Second
	opts := func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Second, 2*time.Second
	}
	wantCalls := []time.Duration{0, 11050 * time.Millisecond} // the starts of the polls
	entries := map[string]func(ctx context.Context, s *scripted) (*ecrreplication.Report, error){
		"Wait": func(ctx context.Context, s *scripted) (*ecrreplication.Report, error) {
			return nil, newWaiter(s, opts).Wait(ctx, byTag("team/app", "v1"), maxWait)
		},
		"WaitForOutput": func(ctx context.Context, s *scripted) (*ecrreplication.Report, error) {
			out, err := newWaiter(s, opts).WaitForOutput(ctx, byTag("team/app", "v1"), maxWait)
			if err == nil && out == nil {
				return nil, errors.New("no output")
			}
			return nil, err
		},
		"WaitForReport": func(ctx context.Context, s *scripted) (*ecrreplication.Report, error) {
			return newWaiter(s, opts).WaitForReport(ctx, byTag("team/app", "v1"), maxWait)
		},
		"WaitAll": func(ctx context.Context, s *scripted) (*ecrreplication.Report, error) {
			reports, err := ecrreplication.WaitAll(ctx, s, []*ecr.DescribeImageReplicationStatusInput{byTag("team/app", "v1")}, maxWait,
				func(o *ecrreplication.WaitAllOptions) {
					o.WaiterOptions = append(o.WaiterOptions, ecrreplication.WithoutJitter, opts)
				})
			if len(reports) != 1 {
				return nil, err
			}
			return reports[0], err
		},
	}
	for name, wait := range entries {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := hungFirstPoll()
				start := time.Now()
				report, err := wait(context.Background(), s)
				if err != nil {
					t.Fatalf("wait = %v, want success", err)
				}
				if took, want := time.Since(start), 11050*time.Millisecond; took != want {
					t.Errorf("the wait took %v, want %v", took, want)
				}
				var starts []time.Duration
				for _, c := range s.recorded() {
					starts = append(starts, c.start.Sub(start))
				}
				if diff := cmp.Diff(wantCalls, starts); diff != "" {
					t.Errorf("poll starts (-want +got):\n%s", diff)
				}
				if report != nil && (report.Attempts != 2 || report.Answers != 1 || !report.Complete()) {
					t.Errorf("report: %d attempts, %d answers, complete %t; want 2, 1, true", report.Attempts, report.Answers, report.Complete())
				}
			})
		})
	}
}

// A poll's bound is the smaller of AttemptTimeout and the time left: a poll
// that starts 4s before the deadline with a 10s AttemptTimeout is cut at the
// deadline, and the wait ends there, not earlier and not 6s later.
func TestRegressionLastPollBoundedByTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(answer(st("eu-west-1", account, inProgress)), step{stall: true})
		start := time.Now()
		err := newWaiter(s, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.MinDelay, o.MaxDelay, o.AttemptTimeout = 6*time.Second, 6*time.Second, 10*time.Second
		}).Wait(context.Background(), byTag("app", "v1"), 10*time.Second)
		waitError(t, err, ecrreplication.ErrWaitTimeout)
		calls := s.recorded()
		if len(calls) != 2 || calls[1].start.Sub(start) != 6*time.Second || calls[1].end.Sub(start) != 10*time.Second {
			t.Fatalf("calls = %+v, want the second poll from 6s, cut at the 10s deadline", calls)
		}
		if took := time.Since(start); took != 10*time.Second {
			t.Errorf("the wait took %v, want 10s", took)
		}
	})
}

// Issue 15, point 2: a limit shorter than MinDelay allows one poll, and the
// timeout says so rather than look like a broken tool.
func TestRegressionLimitShorterThanMinDelaySaysWhy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(answer(st("eu-west-1", account, inProgress)))
		s.steps[0].latency = 2 * time.Millisecond
		err := newWaiter(s).Wait(context.Background(), byTag("app", "v1"), time.Second)
		waitError(t, err, ecrreplication.ErrWaitTimeout)
		want := "ecrreplication: waiting for app:v1@" + validDigest + ": timed out after 2ms" +
			" (no second poll fits in the 1s limit: polls are at least MinDelay 3s apart)," +
			" still pending: eu-west-1 123456789012 IN_PROGRESS (1 attempt in 2ms)"
		if got := err.Error(); got != want {
			t.Errorf("error:\n got %q\nwant %q", got, want)
		}
		if n := len(s.recorded()); n != 1 {
			t.Errorf("%d polls, want 1", n)
		}
	})
}
