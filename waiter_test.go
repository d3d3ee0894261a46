package ecrreplication_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	smithy "github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

const (
	account      = ecrtest.DefaultAccountID
	otherAccount = "210987654321"
)

// replicate configures srv to replicate every repository to us-west-2 and
// eu-west-1 in its own account and to us-east-2 in another account.
func replicate(t *testing.T, srv *ecrtest.Server) {
	t.Helper()
	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{
			Destinations: []types.ReplicationDestination{
				{Region: aws.String("us-west-2"), RegistryId: aws.String(account)},
				{Region: aws.String("eu-west-1"), RegistryId: aws.String(account)},
				{Region: aws.String("us-east-2"), RegistryId: aws.String(otherAccount)},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// replicatePrefix configures srv to replicate repositories whose names start
// with prefix, and only those, to us-west-2.
func replicatePrefix(t *testing.T, srv *ecrtest.Server, prefix string) {
	t.Helper()
	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
		Destinations:      []types.ReplicationDestination{{Region: aws.String("us-west-2"), RegistryId: aws.String(account)}},
		RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String(prefix), FilterType: types.RepositoryFilterTypePrefixMatch}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
}

// waitEnv is an in-memory ecrtest server and a waiter on its client, created
// inside a synctest bubble.
type waitEnv struct {
	srv    *ecrtest.Server
	client *ecr.Client
	waiter *ecrreplication.ImageReplicationCompleteWaiter
}

func newWaitEnv(t *testing.T, optFns ...func(*ecrreplication.ImageReplicationCompleteWaiterOptions)) *waitEnv {
	t.Helper()
	srv := ecrtest.NewInMemoryServer()
	t.Cleanup(srv.Close)
	client := srv.Client(func(o *ecr.Options) { o.RetryMaxAttempts = 1 })
	opts := append([]func(*ecrreplication.ImageReplicationCompleteWaiterOptions){ecrreplication.WithoutJitter}, optFns...)
	return &waitEnv{srv: srv, client: client, waiter: ecrreplication.NewImageReplicationCompleteWaiter(client, opts...)}
}

func byTag(repo, tag string) *ecr.DescribeImageReplicationStatusInput {
	return &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String(repo), ImageId: &types.ImageIdentifier{ImageTag: aws.String(tag)}}
}

func dest(region, registry string, status types.ReplicationStatus) ecrreplication.Destination {
	return ecrreplication.Destination{Region: region, RegistryID: registry, Status: status}
}

// waitError asserts that err is a *WaitError matching want.
func waitError(t *testing.T, err, want error) *ecrreplication.WaitError {
	t.Helper()
	var we *ecrreplication.WaitError
	if !errors.As(err, &we) {
		t.Fatalf("err = %v, want a *WaitError", err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("errors.Is(%v, %v) = false", err, want)
	}
	return we
}

func TestWaitSuccess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		digest, _ := env.srv.PushImage("app", "v1") // default plan: COMPLETE on the second poll
		var progress []int
		start := time.Now()
		report, err := env.waiter.WaitForReport(context.Background(), byTag("app", "v1"), time.Minute,
			func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
				o.OnProgress = func(r ecrreplication.Report) { progress = append(progress, len(r.Pending())) }
			})
		if err != nil {
			t.Fatal(err)
		}
		want := &ecrreplication.Report{Repository: "app", ImageTag: "v1", ImageDigest: digest, Destinations: []ecrreplication.Destination{
			dest("eu-west-1", account, "COMPLETE"), dest("us-east-2", otherAccount, "COMPLETE"), dest("us-west-2", account, "COMPLETE"),
		}}
		if diff := cmp.Diff(want, report, ignoreProgress); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}
		if report.Attempts != 2 || report.Answers != 2 || report.Elapsed != 3150*time.Millisecond {
			t.Errorf("report: %d attempts, %d answers in %v, want 2, 2 in 3.15s", report.Attempts, report.Answers, report.Elapsed)
		}
		if diff := cmp.Diff([]int{3, 0}, progress); diff != "" {
			t.Errorf("pending counts seen by OnProgress (-want +got):\n%s", diff)
		}
		// One delay: the middle of [MinDelay, MinDelay+10 %].
		if got, want := time.Since(start), 3150*time.Millisecond; got != want {
			t.Errorf("wait took %v, want %v", got, want)
		}
	})
}

func TestWaitForOutput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		digest, _ := env.srv.PushImage("app", "v1")
		out, err := env.waiter.WaitForOutput(context.Background(), byTag("app", "v1"), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.ImageId.ImageDigest); got != digest || len(out.ReplicationStatuses) != 3 {
			t.Errorf("output digest %q with %d statuses, want %q with 3", got, len(out.ReplicationStatuses), digest)
		}
		if err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute); err != nil {
			t.Errorf("Wait on a replicated image: %v", err)
		}
	})
}

// An empty status list is pending, never success, however long it lasts.
func TestWaitEmptyListIsPending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		hidden := ecrtest.Plan{HiddenPolls: 3}
		_, _ = env.srv.PushImage("app", "v1",
			ecrtest.DestinationPlan{Region: "us-west-2", Plan: hidden},
			ecrtest.DestinationPlan{Region: "eu-west-1", Plan: hidden},
			ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: hidden})
		if err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if got := env.srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); got != 4 {
			t.Errorf("polls = %d, want 4 (three empty answers, then COMPLETE)", got)
		}
	})
}

func TestWaitNoReplicationConfiguredTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		_, _ = env.srv.PushImage("app", "v1")
		start := time.Now()
		err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute)
		we := waitError(t, err, ecrreplication.ErrWaitTimeout)
		if elapsed := time.Since(start); elapsed > time.Minute || elapsed < time.Minute-ecrreplication.DefaultMaxDelay {
			t.Errorf("gave up after %v, want just under a minute", elapsed)
		}
		if !strings.Contains(err.Error(), "the service listed no destination") {
			t.Errorf("error text %q does not say the list was empty", err)
		}
		if we.Attempts != env.srv.CallCount(ecrtest.OpDescribeImageReplicationStatus) {
			t.Errorf("Attempts = %d, server saw %d", we.Attempts, env.srv.CallCount(ecrtest.OpDescribeImageReplicationStatus))
		}
	})
}

func TestWaitFailedEndsAtOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1",
			ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "ACCESS_DENIED", AfterPolls: 1}},
			ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}})
		err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Hour)
		we := waitError(t, err, ecrreplication.ErrReplicationFailed)
		if we.Attempts != 1 {
			t.Errorf("Attempts = %d, want 1", we.Attempts)
		}
		if want := "us-east-2 " + otherAccount + " FAILED: ACCESS_DENIED"; !strings.Contains(err.Error(), want) {
			t.Errorf("error text %q does not name %q", err, want)
		}
		if diff := cmp.Diff([]ecrreplication.Destination{{Region: "us-east-2", RegistryID: otherAccount, Status: "FAILED", FailureCode: "ACCESS_DENIED"}}, we.Last.Failed(), ignoreProgress); diff != "" {
			t.Errorf("Last.Failed() (-want +got):\n%s", diff)
		}
	})
}

func registryExpectations(client *ecr.Client) func(*ecrreplication.ImageReplicationCompleteWaiterOptions) {
	return func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) { o.Registry = client }
}

// With expectations from the registry, a destination that the service lists
// late is waited for, where a waiter without them would stop early.
func TestWaitRegistryExpectationsCatchLateDestination(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1",
			ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{}},
			ecrtest.DestinationPlan{Region: "eu-west-1", Plan: ecrtest.Plan{}},
			ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{HiddenPolls: 2}})
		var listed []int
		err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute, registryExpectations(env.client),
			func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
				o.OnProgress = func(r ecrreplication.Report) { listed = append(listed, len(r.Pending())) }
			})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int{1, 1, 0}, listed); diff != "" {
			t.Errorf("pending per poll (-want +got):\n%s", diff)
		}
		if got := env.srv.CallCount(ecrtest.OpDescribeRegistry); got != 1 {
			t.Errorf("DescribeRegistry calls = %d, want 1", got)
		}
	})
}

func TestWaitExplicitDestinations(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1",
			ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{}},
			ecrtest.DestinationPlan{Region: "eu-west-1", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}},
			ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{AfterPolls: 3}})
		// Only us-west-2 (any registry) and the cross-account destination matter.
		err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.Destinations = []ecrreplication.Destination{{Region: "us-west-2"}, {Region: "us-east-2", RegistryID: otherAccount}}
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := env.srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); got != 3 {
			t.Errorf("polls = %d, want 3", got)
		}
		// An expected destination that never appears keeps the wait pending.
		err = env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.Destinations = []ecrreplication.Destination{{Region: "sa-east-1", RegistryID: account}}
		})
		waitError(t, err, ecrreplication.ErrWaitTimeout)
		if want := "sa-east-1 " + account + " not listed yet"; !strings.Contains(err.Error(), want) {
			t.Errorf("error text %q does not name %q", err, want)
		}
	})
}

func TestWaitNoMatchingRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicatePrefix(t, env.srv, "prod")
		_, _ = env.srv.PushImage("dev/app", "v1")
		start := time.Now()
		err := env.waiter.Wait(context.Background(), byTag("dev/app", "v1"), time.Hour, registryExpectations(env.client))
		waitError(t, err, ecrreplication.ErrNoReplication)
		if got := env.srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); got != 0 {
			t.Errorf("polls = %d, want 0", got)
		}
		if time.Since(start) != 0 {
			t.Errorf("took %v of virtual time, want none", time.Since(start))
		}
	})
}

// A tag moved mid-wait does not switch images: polls after the first go by
// the digest the first answer gave.
func TestWaitTagResolvedOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		first, _ := env.srv.PushImage("app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{AfterPolls: 3}})
		var moved bool
		report, err := env.waiter.WaitForReport(context.Background(), byTag("app", "v1"), time.Minute, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.OnProgress = func(ecrreplication.Report) {
				if !moved {
					moved = true
					failing := ecrtest.Plan{Outcome: types.ReplicationStatusFailed}
					_, err := env.srv.PushImage("app", "v1",
						ecrtest.DestinationPlan{Region: "us-west-2", Plan: failing},
						ecrtest.DestinationPlan{Region: "eu-west-1", Plan: failing},
						ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: failing})
					if err != nil {
						t.Error(err)
					}
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if report.ImageDigest != first || report.ImageTag != "v1" {
			t.Errorf("report image %s:%s, want v1 and %s", report.ImageTag, report.ImageDigest, first)
		}
		var sent []*types.ImageIdentifier
		for _, c := range env.srv.Calls(ecrtest.OpDescribeImageReplicationStatus) {
			sent = append(sent, c.ReplicationInput.ImageId)
		}
		want := []*types.ImageIdentifier{{ImageTag: aws.String("v1")}, {ImageDigest: aws.String(first)}, {ImageDigest: aws.String(first)}}
		if diff := cmp.Diff(want, sent, ignoreUnexported); diff != "" {
			t.Errorf("image IDs sent (-want +got):\n%s", diff)
		}
	})
}

// Transient trouble of every kind is ridden out.
func TestWaitRidesOutTransientErrors(t *testing.T) {
	kinds := []ecrtest.FaultKind{ecrtest.FaultThrottle, ecrtest.FaultServerError, ecrtest.FaultUnavailableHTML,
		ecrtest.FaultTruncatedBody, ecrtest.FaultInvalidJSON, ecrtest.FaultDropConnection}
	for _, kind := range kinds {
		t.Run(kind.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var logs bytes.Buffer
				env := newWaitEnv(t, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
					o.Logger = logging.NewStandardLogger(&logs)
				})
				replicate(t, env.srv)
				_, _ = env.srv.PushImage("app", "v1")
				env.srv.InjectFault(ecrtest.OpDescribeImageReplicationStatus, ecrtest.Fault{Kind: kind}, 2)
				if err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute); err != nil {
					t.Fatalf("Wait: %v", err)
				}
				if got := env.srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); got < 3 {
					t.Errorf("polls = %d, want at least 3", got)
				}
				if got := strings.Count(logs.String(), "polling goes on"); got != 2 {
					t.Errorf("logged %d transient errors, want 2:\n%s", got, logs.String())
				}
			})
		})
	}
}

func TestWaitTimeoutKeepsLastError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}})
		env.srv.InjectFault(ecrtest.OpDescribeImageReplicationStatus, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 1000)
		err := env.waiter.Wait(context.Background(), byTag("app", "v1"), 2*time.Minute)
		we := waitError(t, err, ecrreplication.ErrWaitTimeout)
		if !errors.Is(err, ecrreplication.ErrThrottled) {
			t.Errorf("errors.Is(%v, ErrThrottled) = false, want the last error kept", err)
		}
		if we.Elapsed > 2*time.Minute {
			t.Errorf("Elapsed = %v, want at most the maximum wait", we.Elapsed)
		}
	})
}

func TestWaitTimeoutNamesPending(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}})
		err := env.waiter.Wait(context.Background(), byTag("app", "v1"), 10*time.Minute)
		we := waitError(t, err, ecrreplication.ErrWaitTimeout)
		if diff := cmp.Diff([]ecrreplication.Destination{dest("us-west-2", account, "IN_PROGRESS")}, we.Last.Pending(), ignoreProgress); diff != "" {
			t.Errorf("Last.Pending() (-want +got):\n%s", diff)
		}
		if want := "still pending: us-west-2 " + account + " IN_PROGRESS"; !strings.Contains(err.Error(), want) {
			t.Errorf("error text %q does not contain %q", err, want)
		}
	})
}

func TestWaitFinalErrors(t *testing.T) {
	tests := []struct {
		name   string
		params *ecr.DescribeImageReplicationStatusInput
		want   error
	}{
		{"image not found", byTag("app", "nope"), ecrreplication.ErrImageNotFound},
		{"repository not found", byTag("nope", "v1"), ecrreplication.ErrRepositoryNotFound},
		{"unknown registry", &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), RegistryId: aws.String("999999999999"),
			ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}}, ecrreplication.ErrRepositoryNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				env := newWaitEnv(t)
				replicate(t, env.srv)
				_, _ = env.srv.PushImage("app", "v1")
				err := env.waiter.Wait(context.Background(), tt.params, time.Hour)
				we := waitError(t, err, tt.want)
				if we.Attempts != 1 {
					t.Errorf("Attempts = %d, want 1", we.Attempts)
				}
			})
		})
	}
}

func TestWaitAccessErrorIsFinal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer(func(o *ecrtest.Options) { o.RequireAuth = true })
		defer srv.Close()
		client := srv.Client(func(o *ecr.Options) {
			o.RetryMaxAttempts = 1
			o.Credentials = aws.NewCredentialsCache(staticCreds{ecrtest.AccessKeyID, "wrong-secret"})
		})
		err := ecrreplication.NewImageReplicationCompleteWaiter(client).Wait(context.Background(), byTag("app", "v1"), time.Hour)
		var we *ecrreplication.WaitError
		if !errors.As(err, &we) {
			t.Fatalf("err = %v, want a *WaitError", err)
		}
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InvalidSignatureException" {
			t.Errorf("errors.As(%v, smithy.APIError) = %v, want InvalidSignatureException", err, apiErr)
		}
		if we.Attempts != 1 {
			t.Errorf("Attempts = %d, want 1 (access errors are final): %v", we.Attempts, err)
		}
	})
}

type staticCreds struct{ id, secret string }

func (c staticCreds) Retrieve(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: c.id, SecretAccessKey: c.secret, Source: "test"}, nil
}

func TestWaitCallerCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Second, cancel)
		start := time.Now()
		err := env.waiter.Wait(ctx, byTag("app", "v1"), time.Hour)
		waitError(t, err, context.Canceled)
		if errors.Is(err, ecrreplication.ErrWaitTimeout) {
			t.Errorf("a cancelled wait reports a timeout: %v", err)
		}
		if got := time.Since(start); got != 30*time.Second {
			t.Errorf("returned %v after start, want at the cancellation (30s)", got)
		}
	})
}

// Cancelling while a request is in flight stops the wait within that request.
func TestWaitCallerCancelsDuringSlowPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1")
		env.srv.InjectFault(ecrtest.OpDescribeImageReplicationStatus, ecrtest.Fault{Kind: ecrtest.FaultLatency, Latency: time.Hour}, 1)
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(5*time.Second, cancel)
		start := time.Now()
		err := env.waiter.Wait(ctx, byTag("app", "v1"), 2*time.Hour)
		waitError(t, err, context.Canceled)
		if got := time.Since(start); got != 5*time.Second {
			t.Errorf("returned %v after start, want 5s", got)
		}
	})
}

func TestWaitBadArguments(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		tests := []struct {
			name   string
			params *ecr.DescribeImageReplicationStatusInput
			max    time.Duration
			opt    func(*ecrreplication.ImageReplicationCompleteWaiterOptions)
			want   string
		}{
			{"zero max wait", byTag("app", "v1"), 0, nil, "maximum wait time must be greater than zero, got 0s"},
			{"negative max wait", byTag("app", "v1"), -time.Second, nil, "maximum wait time must be greater than zero, got -1s"},
			{"min above max", byTag("app", "v1"), time.Minute, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
				o.MinDelay, o.MaxDelay = 10*time.Second, 5*time.Second
			}, "minimum waiter delay 10s must be less than or equal to maximum waiter delay 5s"},
			{"invalid input", byTag("App", "v1"), time.Minute, nil, `repositoryName "App" must be lower case`},
		}
		for _, tt := range tests {
			var opts []func(*ecrreplication.ImageReplicationCompleteWaiterOptions)
			if tt.opt != nil {
				opts = append(opts, tt.opt)
			}
			err := env.waiter.Wait(context.Background(), tt.params, tt.max, opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
			}
		}
		var ve *ecrreplication.ValidationError
		if err := env.waiter.Wait(context.Background(), byTag("App", "v1"), time.Minute); !errors.As(err, &ve) {
			t.Errorf("invalid input: err = %v, want *ValidationError", err)
		}
		if got := len(env.srv.Calls("")); got != 0 {
			t.Errorf("server saw %d requests, want 0", got)
		}
	})
}

func TestWaitDecideOverride(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}})
		// Succeed as soon as any destination is listed.
		anyListed := func(report *ecrreplication.Report, err error) (bool, error) {
			if err != nil {
				return false, err
			}
			return len(report.Destinations) == 0, nil
		}
		err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.Decide = anyListed
		})
		if err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err = env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.Decide = func(*ecrreplication.Report, error) (bool, error) { return false, boom }
		})
		waitError(t, err, boom)
	})
}

// The default schedule, without jitter, as the server saw it.
func TestWaitPollTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{AfterPolls: 12}})
		start := time.Now()
		if err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Hour); err != nil {
			t.Fatal(err)
		}
		var gaps []time.Duration
		prev := start
		for _, c := range env.srv.Calls(ecrtest.OpDescribeImageReplicationStatus) {
			gaps = append(gaps, c.Time.Sub(prev).Round(time.Millisecond))
			prev = c.Time
		}
		ms := func(v ...int) []time.Duration {
			var ds []time.Duration
			for _, x := range v {
				ds = append(ds, time.Duration(x)*time.Millisecond)
			}
			return ds
		}
		// Each delay is the middle of its jitter range within [3s, 20s].
		want := ms(0, 3150, 3600, 4320, 5184, 6221, 7465, 8958, 10750, 12899, 15479, 18359)
		if diff := cmp.Diff(want, gaps); diff != "" {
			t.Errorf("delays between polls (-want +got):\n%s", diff)
		}
	})
}

func TestWaitLogsNothingByDefault(t *testing.T) {
	// The default Logger is silent: nothing reaches the standard logger or
	// stderr. A fault forces the path that logs.
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1")
		env.srv.InjectFault(ecrtest.OpDescribeImageReplicationStatus, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 1)
		var logs bytes.Buffer
		err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.ClientOptions = append(o.ClientOptions, func(co *ecr.Options) { co.Logger = logging.NewStandardLogger(&logs) })
		})
		if err != nil {
			t.Fatal(err)
		}
		if logs.Len() != 0 {
			t.Errorf("client logger got %q, want nothing", logs.String())
		}
	})
}

func ExampleImageReplicationCompleteWaiter_WaitForReport() {
	srv := ecrtest.NewServer()
	defer srv.Close()
	_ = srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
		Destinations: []types.ReplicationDestination{{Region: aws.String("eu-west-1"), RegistryId: aws.String(srv.AccountID())}},
	}}})
	_, _ = srv.PushImage("app", "v1") // completes on the second poll
	client := srv.Client()

	waiter := ecrreplication.NewImageReplicationCompleteWaiter(client, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.Registry = client // expect what the registry's replication rules say
		o.MinDelay = 10 * time.Millisecond
		o.OnProgress = func(r ecrreplication.Report) { fmt.Println("pending:", r.Pending()) }
	})
	report, err := waiter.WaitForReport(context.Background(), &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("app"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v1")},
	}, 5*time.Minute)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("complete:", report.Destinations)
	// Output:
	// pending: [eu-west-1 123456789012 IN_PROGRESS]
	// pending: []
	// complete: [eu-west-1 123456789012 COMPLETE]
}

func TestExpectedDestinations(t *testing.T) {
	d := func(region, registry string) types.ReplicationDestination {
		return types.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(registry)}
	}
	prefix := func(p string) types.RepositoryFilter {
		return types.RepositoryFilter{Filter: aws.String(p), FilterType: types.RepositoryFilterTypePrefixMatch}
	}
	cfg := &types.ReplicationConfiguration{Rules: []types.ReplicationRule{
		{Destinations: []types.ReplicationDestination{d("us-west-2", account), d("eu-west-1", account)}, RepositoryFilters: []types.RepositoryFilter{prefix("prod/")}},
		{Destinations: []types.ReplicationDestination{d("us-west-2", account), d("us-east-2", otherAccount)}},
		{Destinations: []types.ReplicationDestination{d("ap-south-1", account)}, RepositoryFilters: []types.RepositoryFilter{prefix("dev"), prefix("team/")}},
	}}
	tests := []struct {
		repo string
		want []ecrreplication.Destination
	}{
		{"prod/api", []ecrreplication.Destination{{Region: "eu-west-1", RegistryID: account}, {Region: "us-east-2", RegistryID: otherAccount}, {Region: "us-west-2", RegistryID: account}}},
		{"team/api", []ecrreplication.Destination{{Region: "ap-south-1", RegistryID: account}, {Region: "us-east-2", RegistryID: otherAccount}, {Region: "us-west-2", RegistryID: account}}},
		{"other", []ecrreplication.Destination{{Region: "us-east-2", RegistryID: otherAccount}, {Region: "us-west-2", RegistryID: account}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ecrreplication.ExpectedDestinations(cfg, tt.repo)); diff != "" {
			t.Errorf("ExpectedDestinations(%q) (-want +got):\n%s", tt.repo, diff)
		}
	}
	if got := ecrreplication.ExpectedDestinations(nil, "app"); got != nil {
		t.Errorf("ExpectedDestinations(nil) = %v, want nil", got)
	}
	onlyFiltered := &types.ReplicationConfiguration{Rules: cfg.Rules[:1]}
	if got := ecrreplication.ExpectedDestinations(onlyFiltered, "dev/app"); len(got) != 0 {
		t.Errorf("ExpectedDestinations with no matching rule = %v, want none", got)
	}
}

func TestComputeDelay(t *testing.T) {
	mid := func() float64 { return 0.5 }
	low := func() float64 { return 0 }
	high := func() float64 { return 0.999999 }
	tests := []struct {
		attempt   int64
		remaining time.Duration
		random    func() float64
		want      time.Duration
	}{
		// At MinDelay the jitter spreads over [MinDelay, MinDelay+10 %].
		{1, time.Hour, mid, 2100 * time.Millisecond},
		{1, time.Hour, low, 2 * time.Second},
		{1, time.Hour, high, 2200 * time.Millisecond},
		{2, time.Hour, mid, 2400 * time.Millisecond},
		{2, time.Hour, low, 2160 * time.Millisecond},
		{2, time.Hour, high, 2640 * time.Millisecond},
		// At MaxDelay over [MaxDelay-10 %, MaxDelay].
		{50, time.Hour, low, 18 * time.Second},
		{50, time.Hour, mid, 19 * time.Second},
		{50, time.Hour, high, 20 * time.Second},
		// The waiter, not ComputeDelay, plans the last poll.
		{50, 5 * time.Second, mid, 19 * time.Second},
	}
	for _, tt := range tests {
		got, err := ecrreplication.ComputeDelayWith(tt.attempt, 2*time.Second, 20*time.Second, tt.remaining, tt.random)
		if err != nil {
			t.Fatal(err)
		}
		if got.Round(time.Millisecond) != tt.want {
			t.Errorf("attempt %d, remaining %v: delay %v, want %v", tt.attempt, tt.remaining, got, tt.want)
		}
	}
	if _, err := ecrreplication.ComputeDelay(1, 0, time.Second, time.Hour); err == nil {
		t.Error("ComputeDelay with MinDelay 0: no error")
	}
}

func TestWaitLogWaitAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		env := newWaitEnv(t)
		replicate(t, env.srv)
		_, _ = env.srv.PushImage("app", "v1")
		var logs bytes.Buffer
		err := env.waiter.Wait(context.Background(), byTag("app", "v1"), time.Minute, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			o.LogWaitAttempts = true
			o.ClientOptions = append(o.ClientOptions, func(co *ecr.Options) { co.Logger = logging.NewStandardLogger(&logs) })
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"attempt count: 1", "attempt count: 2"} {
			if !strings.Contains(logs.String(), want) {
				t.Errorf("client log %q does not contain %q", logs.String(), want)
			}
		}
	})
}

func TestWaitErrorText(t *testing.T) {
	report := &ecrreplication.Report{Repository: "team/api", ImageTag: "v1", ImageDigest: validDigest, Answers: 1, Destinations: []ecrreplication.Destination{
		{Region: "eu-west-1", RegistryID: otherAccount, Status: "FAILED", FailureCode: "ACCESS_DENIED"},
		{Region: "us-west-2", RegistryID: account, Status: "IN_PROGRESS"},
		{Region: "us-east-2", RegistryID: account},
	}}
	throttled := errors.New("ThrottlingException: Rate exceeded")
	tests := []struct {
		name string
		err  *ecrreplication.WaitError
		want string
	}{
		{"failed", &ecrreplication.WaitError{Cause: ecrreplication.ErrReplicationFailed, Last: report, Attempts: 3, Elapsed: 12 * time.Second},
			"ecrreplication: waiting for team/api:v1@" + validDigest + ": replication failed to eu-west-1 " + otherAccount + " FAILED: ACCESS_DENIED (3 attempts in 12s)"},
		{"timeout", &ecrreplication.WaitError{Cause: ecrreplication.ErrWaitTimeout, LastErr: throttled, Last: report, Attempts: 1, Elapsed: time.Minute},
			"ecrreplication: waiting for team/api:v1@" + validDigest + ": timed out after 1m0s, still pending: us-west-2 " + account + " IN_PROGRESS, us-east-2 " + account + " not listed yet (1 attempt in 1m0s); last error: ThrottlingException: Rate exceeded"},
		{"never answered", &ecrreplication.WaitError{Cause: ecrreplication.ErrWaitTimeout, LastErr: throttled, Attempts: 2, Elapsed: time.Second},
			"ecrreplication: waiting for the image: timed out after 1s: no poll succeeded (2 attempts in 1s); last error: ThrottlingException: Rate exceeded"},
		{"hostile tag", &ecrreplication.WaitError{Cause: context.Canceled, Last: &ecrreplication.Report{Repository: "app", ImageTag: "v1\nINFO forged"}},
			`ecrreplication: waiting for app:"v1\nINFO forged": context canceled (0 attempts in 0s)`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
	}
}
