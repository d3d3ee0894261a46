package ecrreplication_test

// Regression tests for the waiter's reproduced defects (issue 9), one or
// more per defect, with the scenarios as they were reported.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/synctest"
	"time"
	"unicode"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	smithy "github.com/aws/smithy-go"
	smithywaiter "github.com/aws/smithy-go/waiter"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
)

const (
	inProgress = types.ReplicationStatusInProgress
	complete   = types.ReplicationStatusComplete
	failed     = types.ReplicationStatusFailed
)

type waiterOpt = func(*ecrreplication.ImageReplicationCompleteWaiterOptions)

func newWaiter(client ecrreplication.DescribeImageReplicationStatusAPIClient, opts ...waiterOpt) *ecrreplication.ImageReplicationCompleteWaiter {
	return ecrreplication.NewImageReplicationCompleteWaiter(client, append([]waiterOpt{ecrreplication.WithoutJitter}, opts...)...)
}

func expect(ds ...ecrreplication.Destination) waiterOpt {
	return func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) { o.Destinations = ds }
}

// checkSpacing fails unless every two polls start at least minDelay apart
// and there are at most maxWait/minDelay + 2 of them.
func checkSpacing(t *testing.T, calls []call, minDelay, maxWait time.Duration) {
	t.Helper()
	if limit := int(maxWait/minDelay) + 2; len(calls) > limit {
		t.Errorf("%d polls, want at most %d", len(calls), limit)
	}
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].start.Sub(calls[i-1].start); gap < minDelay {
			t.Errorf("polls %d and %d are %v apart, less than MinDelay %v", i, i+1, gap, minDelay)
		}
	}
}

// 1. Hot polling: MinDelay is a floor for whatever Backoff returns, and the
// wait ends when no poll fits before the deadline.
func TestRegressionMinDelayIsAFloor(t *testing.T) {
	backoffs := map[string]func(int64, time.Duration, time.Duration, time.Duration) (time.Duration, error){
		"smithy ComputeDelay": smithywaiter.ComputeDelay,
		"zero":                func(int64, time.Duration, time.Duration, time.Duration) (time.Duration, error) { return 0, nil },
		"negative": func(int64, time.Duration, time.Duration, time.Duration) (time.Duration, error) {
			return -time.Hour, nil
		},
		"huge": func(int64, time.Duration, time.Duration, time.Duration) (time.Duration, error) {
			return time.Duration(math.MaxInt64), nil
		},
	}
	for name, backoff := range backoffs {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newScripted(answer(st("eu-west-1", account, inProgress)))
				s.limit = 10
				w := newWaiter(s, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
					o.MinDelay, o.MaxDelay, o.Backoff = 2*time.Second, 4*time.Second, backoff
				})
				start := time.Now()
				err := w.Wait(context.Background(), byTag("app", "v1"), 5*time.Second)
				waitError(t, err, ecrreplication.ErrWaitTimeout)
				checkSpacing(t, s.recorded(), 2*time.Second, 5*time.Second)
				if took := time.Since(start); took > 5*time.Second {
					t.Errorf("wait took %v, more than maxWaitDur", took)
				}
			})
		})
	}
}

// 2. An expectation's Status never counts, and never reaches the report.
func TestRegressionExpectationStatusIgnored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(answer(st("eu-west-1", account, complete)))
		prev := []ecrreplication.Destination{ // last release's report
			{Region: "eu-west-1", RegistryID: account, Status: complete},
			{Region: "us-west-2", RegistryID: account, Status: complete, FailureCode: "OLD"},
		}
		report, err := newWaiter(s, expect(prev...)).WaitForReport(context.Background(), byTag("app", "v2"), time.Minute)
		waitError(t, err, ecrreplication.ErrWaitTimeout)
		want := []ecrreplication.Destination{dest("eu-west-1", account, complete), dest("us-west-2", account, "")}
		if diff := cmp.Diff(want, report.Destinations, ignoreProgress); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
	})
}

// 3. A destination that vanishes from the answers is pending, not done.
func TestRegressionVanishedDestinationIsPending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(
			answer(st("eu-west-1", account, inProgress), st("us-west-2", account, inProgress)),
			answer(st("eu-west-1", account, complete)))
		report, err := newWaiter(s).WaitForReport(context.Background(), byTag("app", "v1"), time.Minute)
		waitError(t, err, ecrreplication.ErrWaitTimeout)
		secondAnswer := s.recorded()[1].end
		want := []ecrreplication.Destination{dest("eu-west-1", account, complete), {Region: "us-west-2", RegistryID: account, MissingSince: secondAnswer}}
		if diff := cmp.Diff(want, report.Destinations, cmpIgnoreTimesButMissing); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
		if want := "still pending: us-west-2 " + account + " not listed since 2000-01-01T00:00:03Z"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	})
}

// 4. With expectations, only the expected destinations decide.
func TestRegressionExpectationsDecide(t *testing.T) {
	registry := &fakeRegistry{out: &ecr.DescribeRegistryOutput{RegistryId: aws.String(account), ReplicationConfiguration: &types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{Destinations: []types.ReplicationDestination{{Region: aws.String("eu-west-1"), RegistryId: aws.String(account)}}}},
	}}}
	modes := map[string]waiterOpt{
		"Destinations": expect(ecrreplication.Destination{Region: "eu-west-1"}),
		"Registry":     func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) { o.Registry = registry },
	}
	for name, mode := range modes {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newScripted(answer(st("eu-west-1", account, complete), st("us-east-2", otherAccount, failed)))
				report, err := newWaiter(s, mode).WaitForReport(context.Background(), byTag("app", "v1"), time.Minute)
				if err != nil {
					t.Fatalf("a FAILED destination outside the expectations ended the wait: %v", err)
				}
				want := []ecrreplication.Destination{dest("eu-west-1", account, complete),
					{Region: "us-east-2", RegistryID: otherAccount, Status: failed, Extra: true}}
				if diff := cmp.Diff(want, report.Destinations, ignoreProgress); diff != "" {
					t.Errorf("report (-want +got):\n%s", diff)
				}
				if !report.Complete() || len(report.Failed()) != 0 {
					t.Errorf("Complete() = %v, Failed() = %v: want complete, none failed", report.Complete(), report.Failed())
				}
			})
		})
	}
}

// 5. A destination listed twice is complete only if every listing is.
func TestRegressionDuplicates(t *testing.T) {
	modes := map[string][]waiterOpt{
		"listed":   nil,
		"expected": {expect(ecrreplication.Destination{Region: "eu-west-1"})},
	}
	for name, opts := range modes {
		for _, order := range [][]types.ReplicationStatus{{inProgress, complete}, {complete, inProgress}} {
			t.Run(name+"/"+string(order[0]), func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					s := newScripted(answer(st("eu-west-1", account, order[0]), st("eu-west-1", account, order[1])))
					err := newWaiter(s, opts...).Wait(context.Background(), byTag("app", "v1"), time.Minute)
					waitError(t, err, ecrreplication.ErrWaitTimeout)
				})
			})
		}
	}
}

// 6. When no poll ever succeeded, the timeout says so and carries the last
// error.
func TestRegressionNeverAnsweredTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(step{err: errThrottled})
		err := newWaiter(s).Wait(context.Background(), byTag("app", "v1"), time.Minute)
		we := waitError(t, err, ecrreplication.ErrWaitTimeout)
		if !errors.Is(err, ecrreplication.ErrThrottled) || we.LastErr == nil {
			t.Errorf("err = %v, want the last error (throttled) kept", err)
		}
		for _, want := range []string{"no poll succeeded", "last error: ", "Rate exceeded"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
		if strings.Contains(err.Error(), "listed no destination") {
			t.Errorf("error %q says the service listed no destination, but it never answered", err)
		}
	})
}

// 7. LastErr is the last poll's error, and only if that poll failed.
func TestRegressionNoStaleLastErr(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(step{err: errThrottled}, answer(st("eu-west-1", account, inProgress)), answer(st("eu-west-1", account, failed)))
		err := newWaiter(s).Wait(context.Background(), byTag("app", "v1"), time.Minute)
		we := waitError(t, err, ecrreplication.ErrReplicationFailed)
		if we.LastErr != nil || errors.Is(err, ecrreplication.ErrThrottled) || strings.Contains(err.Error(), "last error") {
			t.Errorf("err = %v (LastErr %v), want no trace of the earlier throttling", err, we.LastErr)
		}
	})
}

// fakeRegistry answers DescribeRegistry with out.
type fakeRegistry struct {
	out   *ecr.DescribeRegistryOutput
	calls int
}

func (f *fakeRegistry) DescribeRegistry(context.Context, *ecr.DescribeRegistryInput, ...func(*ecr.Options)) (*ecr.DescribeRegistryOutput, error) {
	f.calls++
	return f.out, nil
}

// 8. Registry describing another account than the image's ends the wait at
// once.
func TestRegressionRegistryOfAnotherAccount(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(answer(st("eu-west-1", account, inProgress)))
		registry := &fakeRegistry{out: &ecr.DescribeRegistryOutput{RegistryId: aws.String(account), ReplicationConfiguration: &types.ReplicationConfiguration{
			Rules: []types.ReplicationRule{{Destinations: []types.ReplicationDestination{{Region: aws.String("eu-west-1"), RegistryId: aws.String(account)}}}},
		}}}
		in := byTag("app", "v1")
		in.RegistryId = aws.String(otherAccount)
		start := time.Now()
		err := newWaiter(s, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) { o.Registry = registry }).Wait(context.Background(), in, time.Hour)
		waitError(t, err, ecrreplication.ErrRegistryMismatch)
		if n := len(s.recorded()); n != 0 || time.Since(start) != 0 {
			t.Errorf("%d polls in %v, want none and no time", n, time.Since(start))
		}
		for _, want := range []string{account, otherAccount} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not name registry %s", err, want)
			}
		}
		// The image's own registry, named or not, is accepted.
		in.RegistryId = aws.String(account)
		s = newScripted(answer(st("eu-west-1", account, complete)))
		if err := newWaiter(s, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) { o.Registry = registry }).Wait(context.Background(), in, time.Hour); err != nil {
			t.Errorf("own registry: %v", err)
		}
	})
}

// 9. Jitter spreads delays within [MinDelay, MaxDelay] instead of piling them
// on the bounds.
func TestRegressionJitterSpreads(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for _, attempt := range []int64{1, 50} {
		const draws = 10000
		atBound := 0
		lo, hi := time.Duration(math.MaxInt64), time.Duration(0)
		for range draws {
			d, err := ecrreplication.ComputeDelayWith(attempt, 3*time.Second, 20*time.Second, time.Hour, rng.Float64)
			if err != nil {
				t.Fatal(err)
			}
			if d == 3*time.Second || d == 20*time.Second {
				atBound++
			}
			lo, hi = min(lo, d), max(hi, d)
		}
		if atBound > draws/100 {
			t.Errorf("attempt %d: %d of %d delays sit exactly on a bound", attempt, atBound, draws)
		}
		if spread := hi - lo; spread < 250*time.Millisecond {
			t.Errorf("attempt %d: delays spread over %v (%v to %v), want about 10 %% of the delay", attempt, spread, lo, hi)
		}
		if lo < 3*time.Second || hi > 20*time.Second {
			t.Errorf("attempt %d: delays from %v to %v leave [3s, 20s]", attempt, lo, hi)
		}
	}
}

// 10. Decide starts out as DefaultDecide, which a caller can wrap without
// losing expectations; success needs an answer.
func TestRegressionDecideWrapsDefault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var prefilled bool
		notFound := &smithy.GenericAPIError{Code: "ImageNotFoundException", Message: "not yet"}
		s := newScripted(
			answer(st("eu-west-1", account, complete)), // us-west-2 not listed: not done
			step{err: notFound},                        // the wrapper's one case: poll again
			answer(st("eu-west-1", account, complete), st("us-west-2", account, complete)))
		w := newWaiter(s, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			prefilled = o.Decide != nil
			next := o.Decide
			o.Decide = func(report *ecrreplication.Report, err error) (bool, error) {
				if errors.Is(err, ecrreplication.ErrImageNotFound) {
					return true, nil
				}
				return next(report, err)
			}
		}, expect(ecrreplication.Destination{Region: "eu-west-1"}, ecrreplication.Destination{Region: "us-west-2"}))
		if !prefilled {
			t.Error("Decide is nil in the options: want the default decision to wrap")
		}
		if err := w.Wait(context.Background(), byTag("app", "v1"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if n := len(s.recorded()); n != 3 {
			t.Errorf("%d polls, want 3: the expectations must hold through the wrapper", n)
		}

		// (false, nil) on an error is no success: the report and the error
		// come back.
		s = newScripted(step{err: errThrottled})
		report, err := ecrreplication.NewImageReplicationCompleteWaiter(s, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.Decide = func(*ecrreplication.Report, error) (bool, error) { return false, nil }
		}).WaitForReport(context.Background(), byTag("app", "v1"), time.Minute)
		if report == nil || !errors.Is(err, ecrreplication.ErrThrottled) {
			t.Errorf("WaitForReport = %v, %v; want a report and the poll's error", report, err)
		}
	})
}

// 11. The decision decides from what it is given (issue 19): a wrapper that
// hands DefaultDecide a changed report changes the outcome. Here the wrapper
// says every destination is COMPLETE; the old Retryable took the wait's
// state from its context, ignored the output it was handed, and polled
// until the timeout.
func TestRegressionDecideFromItsArguments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(answer(st("eu-west-1", account, inProgress), st("us-west-2", account, failed)))
		allComplete := func(report *ecrreplication.Report, err error) (bool, error) {
			if report != nil {
				c := *report
				c.Destinations = slices.Clone(report.Destinations)
				for i := range c.Destinations {
					c.Destinations[i].Status, c.Destinations[i].FailureCode = complete, ""
				}
				report = &c
			}
			return ecrreplication.DefaultDecide(report, err)
		}
		report, err := newWaiter(s, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) { o.Decide = allComplete }).
			WaitForReport(context.Background(), byTag("app", "v1"), time.Minute)
		if err != nil {
			t.Fatalf("Wait = %v, want success at the first answer", err)
		}
		if n := len(s.recorded()); n != 1 {
			t.Errorf("%d polls, want 1", n)
		}
		// The wait's own report is untouched by the wrapper's copy.
		if got := report.Destinations[1].Status; got != failed {
			t.Errorf("the report's us-west-2 is %s, want FAILED as the service said", got)
		}
	})
}

// DefaultDecide depends on its arguments alone: the same arguments always
// give the same answer.
func TestDefaultDecide(t *testing.T) {
	dst := func(region string, status types.ReplicationStatus, extra bool) ecrreplication.Destination {
		return ecrreplication.Destination{Region: region, RegistryID: account, Status: status, Extra: extra}
	}
	report := func(ds ...ecrreplication.Destination) *ecrreplication.Report {
		return &ecrreplication.Report{Repository: "app", ImageTag: "v1", Destinations: ds}
	}
	missing := dst("us-west-2", "", false)
	missing.MissingSince = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		report  *ecrreplication.Report
		err     error
		retry   bool
		wantErr error
	}{
		{"complete", report(dst("eu-west-1", complete, false)), nil, false, nil},
		{"no destination yet", report(), nil, true, nil},
		{"nil report", nil, nil, true, nil},
		{"pending", report(dst("eu-west-1", complete, false), dst("us-west-2", inProgress, false)), nil, true, nil},
		{"unknown status", report(dst("eu-west-1", "PAUSED", false)), nil, true, nil},
		{"listed before, left out now", report(dst("eu-west-1", complete, false), missing), nil, true, nil},
		{"expected, not listed yet", report(dst("eu-west-1", complete, false), dst("ap-south-1", "", false)), nil, true, nil},
		{"extra pending", report(dst("eu-west-1", complete, false), dst("us-east-2", inProgress, true)), nil, false, nil},
		{"extra failed", report(dst("eu-west-1", complete, false), dst("us-east-2", failed, true)), nil, false, nil},
		{"only extras", report(dst("us-east-2", complete, true)), nil, true, nil},
		{"failed", report(dst("eu-west-1", failed, false), dst("us-west-2", inProgress, false)), nil, false, ecrreplication.ErrReplicationFailed},
		{"throttled", nil, ecrreplication.MapError(errThrottled), true, nil},
		{"server error", report(dst("eu-west-1", complete, false)), ecrreplication.MapError(errServer), true, nil},
		{"connection reset", nil, errReset, true, nil},
		{"not found", nil, ecrreplication.MapError(&smithy.GenericAPIError{Code: "ImageNotFoundException"}), false, ecrreplication.ErrImageNotFound},
	}
	for _, tt := range tests {
		for range 2 {
			retry, err := ecrreplication.DefaultDecide(tt.report, tt.err)
			if retry != tt.retry || !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("%s: (%v, %v), want (%v, %v)", tt.name, retry, err, tt.retry, tt.wantErr)
			}
		}
	}
}

// 12. No Error method panics on zero values, and a nil client is an error.
func TestRegressionNoPanics(t *testing.T) {
	for _, err := range []error{&ecrreplication.WaitError{}, (*ecrreplication.WaitError)(nil), &ecrreplication.WaitAllError{},
		&ecrreplication.WaitAllError{Errors: []error{nil}}, (*ecrreplication.WaitAllError)(nil), &ecrreplication.SkippedError{},
		(*ecrreplication.SkippedError)(nil), &ecrreplication.ValidationError{}} {
		if got := err.Error(); got == "" {
			t.Errorf("%T.Error() is empty", err)
		}
	}
	ctx := context.Background()
	if _, err := ecrreplication.WaitAll(ctx, nil, []*ecr.DescribeImageReplicationStatusInput{byTag("app", "v1")}, time.Minute); err == nil {
		t.Error("WaitAll with a nil client: no error")
	}
	if err := ecrreplication.NewImageReplicationCompleteWaiter(nil).Wait(ctx, byTag("app", "v1"), time.Minute); err == nil {
		t.Error("Wait with a nil client: no error")
	}
	if _, err := ecrreplication.Describe(ctx, nil, byTag("app", "v1")); err == nil {
		t.Error("Describe with a nil client: no error")
	}
}

// 13. Invalid UTF-8 is rejected before anything is sent.
func TestRegressionInvalidUTF8(t *testing.T) {
	var ve *ecrreplication.ValidationError
	if err := ecrreplication.ValidateInput(byTag("app", "\xff")); !errors.As(err, &ve) || !strings.Contains(err.Error(), "valid UTF-8") {
		t.Errorf("ValidateInput(tag \\xff) = %v, want a *ValidationError about UTF-8", err)
	}
	s := newScripted(answer(st("eu-west-1", account, complete)))
	if err := newWaiter(s).Wait(context.Background(), byTag("app", "v\xff1"), time.Minute); !errors.As(err, &ve) {
		t.Errorf("Wait = %v, want a *ValidationError", err)
	}
	if n := len(s.recorded()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

// checkOneLine fails unless s is one line with no control or format
// characters.
func checkOneLine(t *testing.T, what, s string) {
	t.Helper()
	for _, r := range s {
		if breaksLine(r) {
			t.Errorf("%s has the character %U: %q", what, r, s)
			return
		}
	}
}

// breaksLine reports whether r could add a line, move the cursor, change
// colours or reorder text on a terminal (or stands for invalid UTF-8).
func breaksLine(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == unicode.ReplacementChar
}

// 14. Whatever the service sends, error texts stay one line without control
// characters.
func TestRegressionTextInjection(t *testing.T) {
	hostile := "x\n[  9.9s] FORGED\x1b[31m\r\u202e\xff"
	tests := []struct {
		name  string
		steps []step
		opts  []waiterOpt
	}{
		{"region", []step{answer(st("eu"+hostile, account, failed))}, nil},
		{"registry", []step{answer(st("eu-west-1", hostile, failed))}, nil},
		{"failure code", []step{answer(types.ImageReplicationStatus{Region: aws.String("eu-west-1"), Status: failed, FailureCode: aws.String(hostile)})}, nil},
		{"status", []step{answer(st("eu-west-1", account, types.ReplicationStatus(hostile)))}, nil},
		{"service message", []step{{err: &smithy.GenericAPIError{Code: "ImageNotFoundException", Message: "The image with imageId {imageTag:" + hostile + "} does not exist"}}}, nil},
		{"transient message", []step{{err: &smithy.GenericAPIError{Code: "ThrottlingException", Message: hostile}}}, nil},
		{"expected region", []step{answer()}, []waiterOpt{expect(ecrreplication.Destination{Region: hostile})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				s := newScripted(tt.steps...)
				s.digest = "sha256:" + hostile
				var logs []string
				opts := append(tt.opts, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) { o.Logger = entryLogger{&logs} })
				err := newWaiter(s, opts...).Wait(context.Background(), byTag("app", "v1"), 10*time.Second)
				if err == nil {
					t.Fatal("no error")
				}
				checkOneLine(t, "error", err.Error())
				for _, entry := range logs {
					checkOneLine(t, "log entry", entry)
				}
				checkOneLine(t, "WaitAllError", (&ecrreplication.WaitAllError{Errors: []error{err, nil, err}}).Error())
			})
		})
	}
}

// 14. The mapped service error's text is safe too, for Describe.
func TestRegressionDescribeErrorText(t *testing.T) {
	s := newScripted(step{err: &smithy.GenericAPIError{Code: "ImageNotFoundException", Message: "The image with imageId {imageTag:'v1\n\x1b[2J'} does not exist"}})
	_, err := ecrreplication.Describe(context.Background(), s, byTag("app", "v1"))
	if !errors.Is(err, ecrreplication.ErrImageNotFound) {
		t.Fatalf("Describe = %v, want ErrImageNotFound", err)
	}
	checkOneLine(t, "Describe's error", err.Error())
	if !strings.Contains(err.Error(), `v1\n\x1b[2J`) {
		t.Errorf("error %q does not show the escaped tag", err)
	}
}

// 15. A poll that never answers is cut at the attempt timeout, and polling
// goes on.
func TestRegressionStalledPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(step{stall: true}, answer(st("eu-west-1", account, complete)))
		start := time.Now()
		report, err := newWaiter(s).WaitForReport(context.Background(), byTag("app", "v1"), time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		calls := s.recorded()
		if len(calls) != 2 || calls[0].end.Sub(calls[0].start) != 30*time.Second {
			t.Errorf("calls = %+v, want the first cut after the default attempt timeout of 30s", calls)
		}
		if took := time.Since(start); took != 30*time.Second+3150*time.Millisecond {
			t.Errorf("wait took %v, want 33.15s", took)
		}
		if report.Attempts != 2 || report.Answers != 1 {
			t.Errorf("report counts %d attempts and %d answers, want 2 and 1", report.Attempts, report.Answers)
		}
	})
}

// 15. In a set, stalled requests do not starve the other images.
func TestRegressionStalledPollsInASet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(step{stall: true}, step{stall: true}, answer(st("eu-west-1", account, complete)))
		var params []*ecr.DescribeImageReplicationStatusInput
		for _, tag := range []string{"v1", "v2", "v3", "v4", "v5", "v6"} {
			params = append(params, byTag("app", tag))
		}
		reports, err := ecrreplication.WaitAll(context.Background(), s, params, 5*time.Minute, func(o *ecrreplication.WaitAllOptions) {
			o.MaxConcurrency = 2
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range reports {
			if !r.Complete() || r.Attempts < 1 {
				t.Errorf("image %d: %+v, want complete", i, r)
			}
		}
	})
}

// Describe is bounded when the caller's context has no deadline.
func TestDescribeBoundedWithoutDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(step{stall: true})
		start := time.Now()
		_, err := ecrreplication.Describe(context.Background(), s, byTag("app", "v1"))
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) != ecrreplication.DefaultAttemptTimeout {
			t.Errorf("Describe = %v after %v, want a deadline error after %v", err, time.Since(start), ecrreplication.DefaultAttemptTimeout)
		}
	})
}

// errHTTPClient fails every request with err.
type errHTTPClient struct{ err error }

func (c errHTTPClient) Do(*http.Request) (*http.Response, error) { return nil, c.err }

// sdkClient is a real ECR client with static credentials that sends every
// request through h, without the SDK's own retries.
func sdkClient(h aws.HTTPClient, optFns ...func(*ecr.Options)) *ecr.Client {
	return ecr.New(ecr.Options{Region: "us-east-1", HTTPClient: h, RetryMaxAttempts: 1,
		Credentials: staticCreds{"AKID", "SECRET"}}, optFns...)
}

type failingCreds struct{}

func (failingCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{}, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED} // as when IMDS is unreachable
}

// 16. Errors that cannot heal end the wait at once; a service that was never
// reached ends it after MaxConnectionFailures polls.
func TestRegressionErrorsThatCannotHeal(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	tests := []struct {
		name     string
		client   *ecr.Client
		attempts int
		want     error
	}{
		{"untrusted certificate", sdkClient(errHTTPClient{&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}), 1, x509.UnknownAuthorityError{}},
		{"certificate for another host", sdkClient(errHTTPClient{x509.HostnameError{Certificate: &x509.Certificate{}, Host: "ecr.example"}}), 1, nil},
		{"unknown host", sdkClient(errHTTPClient{&net.DNSError{Err: "no such host", Name: "api.ecr.nowhere", IsNotFound: true}}), 1, nil},
		{"plain HTTP on https", sdkClient(errHTTPClient{http.ErrSchemeMismatch}), 1, http.ErrSchemeMismatch},
		{"no credentials", sdkClient(errHTTPClient{refused}, func(o *ecr.Options) { o.Credentials = failingCreds{} }), 1, syscall.ECONNREFUSED},
		{"refused, never answered", sdkClient(errHTTPClient{refused}), ecrreplication.DefaultMaxConnectionFailures, syscall.ECONNREFUSED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				err := newWaiter(tt.client).Wait(context.Background(), byTag("app", "v1"), time.Hour)
				var we *ecrreplication.WaitError
				if !errors.As(err, &we) {
					t.Fatalf("err = %v, want a *WaitError", err)
				}
				if we.Attempts != tt.attempts || errors.Is(err, ecrreplication.ErrWaitTimeout) {
					t.Errorf("%v after %d attempts, want the error itself after %d", err, we.Attempts, tt.attempts)
				}
				if tt.want != nil && !errors.Is(err, tt.want) {
					t.Errorf("errors.Is(%v, %v) = false", err, tt.want)
				}
				if notSent := errors.Is(err, ecrreplication.ErrRequestNotSent); notSent != (tt.name == "no credentials") {
					t.Errorf("errors.Is(%v, ErrRequestNotSent) = %v", err, notSent)
				}
			})
		})
	}
}

// A request that cannot be signed is never sent, also for Describe.
func TestDescribeRequestNotSent(t *testing.T) {
	client := sdkClient(errHTTPClient{errors.New("must not be sent")}, func(o *ecr.Options) { o.Credentials = failingCreds{} })
	// The *ecr.Client itself, and one wrapped in a type of the caller's,
	// whose calls are known to reach the SDK's stack only by its start mark.
	for name, c := range map[string]ecrreplication.DescribeImageReplicationStatusAPIClient{"sdk": client, "wrapped": wrappedClient{client}} {
		_, err := ecrreplication.Describe(context.Background(), c, byTag("app", "v1"))
		if !errors.Is(err, ecrreplication.ErrRequestNotSent) || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("%s: Describe = %v, want ErrRequestNotSent with the credentials' error", name, err)
		}
	}
	// A client that is no SDK client never runs the stack: its errors are
	// its own, never "not sent".
	_, err := ecrreplication.Describe(context.Background(), newScripted(step{err: errReset}), byTag("app", "v1"))
	if errors.Is(err, ecrreplication.ErrRequestNotSent) || !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("Describe of a fake = %v, want its connection error, not ErrRequestNotSent", err)
	}
}

// wrappedClient is an *ecr.Client behind a type of the caller's.
type wrappedClient struct{ c *ecr.Client }

func (w wrappedClient) DescribeImageReplicationStatus(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, optFns ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error) {
	return w.c.DescribeImageReplicationStatus(ctx, in, optFns...)
}

// 16. Once the service has answered, refused and reset connections are
// ridden out.
func TestRegressionConnectionErrorsAfterAnAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(answer(st("eu-west-1", account, inProgress)), step{err: errReset})
		err := newWaiter(s).Wait(context.Background(), byTag("app", "v1"), 2*time.Minute)
		we := waitError(t, err, ecrreplication.ErrWaitTimeout)
		if we.Attempts <= ecrreplication.DefaultMaxConnectionFailures+1 {
			t.Errorf("%d attempts, want polling to go on after connection errors", we.Attempts)
		}
	})
}

// bodyHTTPClient answers every request with status 200 and the body.
type bodyHTTPClient struct {
	body   func() io.Reader
	length int64
}

func (c bodyHTTPClient) Do(req *http.Request) (*http.Response, error) {
	h := http.Header{"Content-Type": {"application/x-amz-json-1.1"}}
	return &http.Response{StatusCode: 200, Header: h, Body: io.NopCloser(c.body()), ContentLength: c.length, Request: req}, nil
}

// repeatReader is an endless stream of one byte.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// An answer over the cap fails with ErrResponseTooLarge after reading at
// most the cap; the waiter rides it out.
func TestResponseSizeCap(t *testing.T) {
	huge := func() io.Reader {
		return io.MultiReader(strings.NewReader(`{"replicationStatuses":[{"region":"`), repeatReader('a'))
	}
	tests := []struct {
		name   string
		client bodyHTTPClient
	}{
		{"endless body", bodyHTTPClient{body: huge, length: -1}},
		{"announced length", bodyHTTPClient{body: huge, length: ecrreplication.DefaultMaxResponseSize + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ecrreplication.Describe(context.Background(), sdkClient(tt.client), byTag("app", "v1"))
			if !errors.Is(err, ecrreplication.ErrResponseTooLarge) {
				t.Errorf("Describe = %v, want ErrResponseTooLarge", err)
			}
			synctest.Test(t, func(t *testing.T) {
				err := newWaiter(sdkClient(tt.client)).Wait(context.Background(), byTag("app", "v1"), 10*time.Second)
				we := waitError(t, err, ecrreplication.ErrWaitTimeout)
				if !errors.Is(err, ecrreplication.ErrResponseTooLarge) || we.Attempts < 2 {
					t.Errorf("wait = %v, want it to ride out over-cap answers", err)
				}
			})
		})
	}
	// A smaller cap of the caller's wins over the default.
	small := bodyHTTPClient{body: func() io.Reader {
		return strings.NewReader(`{"replicationStatuses":[{"region":"eu-west-1","status":"COMPLETE"}]}`)
	}, length: -1}
	if _, err := ecrreplication.Describe(context.Background(), sdkClient(small), byTag("app", "v1"), ecrreplication.WithMaxResponseSize(10)); !errors.Is(err, ecrreplication.ErrResponseTooLarge) {
		t.Errorf("Describe with a 10-byte cap = %v, want ErrResponseTooLarge", err)
	}
	if _, err := ecrreplication.Describe(context.Background(), sdkClient(small), byTag("app", "v1")); err != nil {
		t.Errorf("Describe of a small answer = %v", err)
	}
}

// A wait that ends before its limit, because no further poll fits, says so.
func TestTimeoutBeforeTheLimitSaysWhy(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s := newScripted(answer(st("eu-west-1", account, inProgress)))
		err := newWaiter(s, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.MinDelay, o.MaxDelay = 10*time.Second, 10*time.Second
		}).Wait(context.Background(), byTag("app", "v1"), 25*time.Second)
		waitError(t, err, ecrreplication.ErrWaitTimeout)
		if want := "timed out after 20s (no further poll fits in the 5s left of the 25s limit: polls are at least MinDelay 10s apart), still pending"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	})
}

func TestReportName(t *testing.T) {
	tests := []struct {
		report *ecrreplication.Report
		want   string
	}{
		{nil, "the image"},
		{&ecrreplication.Report{Repository: "team/api", ImageTag: "v1.2"}, "team/api:v1.2"},
		{&ecrreplication.Report{Repository: "team/api", ImageDigest: validDigest}, "team/api@" + validDigest},
		{&ecrreplication.Report{Repository: "team/api", ImageTag: "v1", ImageDigest: validDigest}, "team/api:v1@" + validDigest},
		{&ecrreplication.Report{Repository: "Team/API", ImageTag: "v1\n[  9.9s] FORGED"}, `"Team/API":"v1\n[  9.9s] FORGED"`},
		{&ecrreplication.Report{Repository: "app", ImageDigest: "sha256:\x1b[2J"}, `app@"sha256:\x1b[2J"`},
	}
	for _, tt := range tests {
		if got := tt.report.Name(); got != tt.want {
			t.Errorf("Name() = %q, want %q", got, tt.want)
		}
	}
}

// The last error is not repeated when the cause already carries it.
func TestWaitErrorDoesNotRepeatTheCause(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		err := newWaiter(sdkClient(errHTTPClient{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}})).Wait(context.Background(), byTag("app", "v1"), time.Hour)
		if n := strings.Count(err.Error(), "connection refused"); n != 1 {
			t.Errorf("error %q names the connection error %d times, want once", err, n)
		}
	})
}
