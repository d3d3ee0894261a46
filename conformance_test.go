package ecrreplication_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	smithy "github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/wirefixture"
)

// loadWireFixtures reads the conformance corpus in testdata/wire.
func loadWireFixtures(t *testing.T) map[string]wirefixture.Fixture {
	t.Helper()
	fixtures, err := wirefixture.Load(filepath.Join("testdata", "wire"))
	if err != nil {
		t.Fatal(err)
	}
	return fixtures
}

// sentinelsByName are the package's sentinelsByName by name.
var sentinelsByName = map[string]error{
	"ErrImageNotFound":      ecrreplication.ErrImageNotFound,
	"ErrRepositoryNotFound": ecrreplication.ErrRepositoryNotFound,
	"ErrInvalidParameter":   ecrreplication.ErrInvalidParameter,
	"ErrValidation":         ecrreplication.ErrValidation,
	"ErrServer":             ecrreplication.ErrServer,
	"ErrThrottled":          ecrreplication.ErrThrottled,
}

// sdkTypes are the SDK's error types of the codes the corpus holds.
var sdkTypes = map[string]func(error) bool{
	"InvalidParameterException":   func(err error) bool { var e *types.InvalidParameterException; return errors.As(err, &e) },
	"RepositoryNotFoundException": func(err error) bool { var e *types.RepositoryNotFoundException; return errors.As(err, &e) },
	"ImageNotFoundException":      func(err error) bool { var e *types.ImageNotFoundException; return errors.As(err, &e) },
	"ServerException":             func(err error) bool { var e *types.ServerException; return errors.As(err, &e) },
}

func replayClient(rt http.RoundTripper) *ecr.Client {
	return ecr.New(ecr.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String("http://replay.invalid"),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDTEST", "SECRET", ""),
		HTTPClient:       &http.Client{Transport: rt},
		RetryMaxAttempts: 1,
	})
}

var conformanceInput = &ecr.DescribeImageReplicationStatusInput{
	RepositoryName: aws.String("app"),
	ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v1")},
}

// TestConformanceDescribe replays every answer of the corpus to the real SDK
// client and checks what Describe makes of it: the sentinel (or none), the
// SDK's error type, the service's code and message, or the Report.
func TestConformanceDescribe(t *testing.T) {
	for name, fx := range loadWireFixtures(t) {
		t.Run(name, func(t *testing.T) {
			rt := &wirefixture.Replay{Fixture: fx}
			rep, err := ecrreplication.Describe(context.Background(), replayClient(rt), conformanceInput)
			checkFixtureError(t, fx, err)
			if fx.Expect.ServiceErrorCode != "" || fx.Expect.DeserializationError {
				return
			}
			if rep.Malformed != fx.Expect.Malformed {
				t.Errorf("Malformed = %d, want %d", rep.Malformed, fx.Expect.Malformed)
			}
			var got []string
			for _, d := range rep.Destinations {
				got = append(got, d.Region+"/"+d.RegistryID+"/"+string(d.Status))
			}
			if diff := cmp.Diff(fx.Expect.Destinations, got); diff != "" {
				t.Errorf("destinations (-want +got):\n%s", diff)
			}
		})
	}
}

// checkFixtureError checks err against the fixture's expectations.
func checkFixtureError(t *testing.T, fx wirefixture.Fixture, err error) {
	t.Helper()
	e := fx.Expect
	switch {
	case e.DeserializationError:
		var de *smithy.DeserializationError
		if !errors.As(err, &de) {
			t.Fatalf("err = %v (%T), want a *smithy.DeserializationError", err, err)
		}
	case e.ServiceErrorCode == "":
		if err != nil {
			t.Fatalf("err = %v, want success", err)
		}
		return
	default:
		var api smithy.APIError
		if !errors.As(err, &api) {
			t.Fatalf("err = %v (%T), want a smithy.APIError", err, err)
		}
		if api.ErrorCode() != e.ServiceErrorCode {
			t.Errorf("ErrorCode() = %q, want %q", api.ErrorCode(), e.ServiceErrorCode)
		}
		if is, ok := sdkTypes[e.ServiceErrorCode]; ok && !is(err) {
			t.Errorf("err = %T, want the SDK's type for %s", err, e.ServiceErrorCode)
		}
		if !strings.Contains(err.Error(), e.Message) {
			t.Errorf("err = %q, want it to contain %q", err, e.Message)
		}
	}
	for name, s := range sentinelsByName {
		if want := name == e.Sentinel; errors.Is(err, s) != want {
			t.Errorf("errors.Is(err, %s) = %t, want %t (err: %v)", name, !want, want, err)
		}
	}
}

// TestConformanceWaiter replays every answer as the first poll of a wait,
// followed by an answer in which the one destination is COMPLETE: a
// transient error is ridden out and the wait succeeds on the second poll; a
// final one ends the wait at once with its sentinel. Virtual time.
func TestConformanceWaiter(t *testing.T) {
	for name, fx := range loadWireFixtures(t) {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := &wirefixture.Replay{Fixture: fx, Then: wirefixture.CompleteBody}
				w := ecrreplication.NewImageReplicationCompleteWaiter(replayClient(rt), func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
					o.MinDelay, o.MaxDelay = time.Second, 5*time.Second
				})
				err := w.Wait(context.Background(), conformanceInput, time.Hour)
				final := fx.Expect.ServiceErrorCode != "" && !fx.Expect.Transient
				switch {
				case final:
					if err == nil {
						t.Fatal("the wait succeeded, want it to end with the service's error")
					}
					var we *ecrreplication.WaitError
					if !errors.As(err, &we) {
						t.Fatalf("err = %T, want *WaitError", err)
					}
					checkFixtureError(t, fx, we.Cause)
					if rt.Calls() != 1 {
						t.Errorf("%d polls, want 1: a final error ends the wait", rt.Calls())
					}
				default:
					if err != nil {
						t.Fatalf("Wait: %v", err)
					}
					want := 2
					if fx.Expect.ServiceErrorCode == "" && !fx.Expect.DeserializationError && isComplete(fx) {
						want = 1
					}
					if rt.Calls() != want {
						t.Errorf("%d polls, want %d", rt.Calls(), want)
					}
				}
			})
		})
	}
}

// isComplete reports whether a successful fixture lists only COMPLETE
// destinations.
func isComplete(fx wirefixture.Fixture) bool {
	for _, d := range fx.Expect.Destinations {
		if !strings.HasSuffix(d, "/COMPLETE") {
			return false
		}
	}
	return len(fx.Expect.Destinations) > 0
}
