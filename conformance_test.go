package ecrreplication_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
)

// wireFixture is one exchange of the conformance corpus in testdata/wire
// (see its README.md): an answer as ECR or another AWS JSON service sends
// it, with its public source, and what the library must make of it.
type wireFixture struct {
	Title    string
	Sources  []string
	Recorded string
	Response struct {
		Status  int
		Headers map[string]string
		Body    string
	}
	Expect struct {
		ServiceErrorCode     string
		Sentinel             string
		Message              string
		Transient            bool
		DeserializationError bool
		Malformed            int
		Destinations         []string
	}
}

func loadWireFixtures(t *testing.T) map[string]wireFixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "wire", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in testdata/wire: %v", err)
	}
	out := make(map[string]wireFixture)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fx wireFixture
		dec := json.NewDecoder(bytes.NewReader(b))
		if err := dec.Decode(&fx); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(fx.Sources) == 0 || fx.Recorded == "" || fx.Response.Status == 0 {
			t.Fatalf("%s: every fixture names its sources, what of it is on record, and a status", f)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = fx
	}
	return out
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

// replay is an http.RoundTripper that answers the first request with the
// fixture's response and every later one with next (nil: the fixture's
// again). It uses no sockets, so it works inside a synctest bubble.
type replay struct {
	mu    sync.Mutex
	fx    wireFixture
	next  *http.Response
	calls int
}

func (r *replay) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.calls > 1 && r.next != nil {
		resp := *r.next
		resp.Body = io.NopCloser(strings.NewReader(completeBody))
		resp.Request = req
		return &resp, nil
	}
	h := make(http.Header)
	for k, v := range r.fx.Response.Headers {
		h.Set(k, v)
	}
	h.Set("X-Amzn-Requestid", "fixture-request-id")
	return &http.Response{
		StatusCode:    r.fx.Response.Status,
		Status:        fmt.Sprintf("%d %s", r.fx.Response.Status, http.StatusText(r.fx.Response.Status)),
		Header:        h,
		Body:          io.NopCloser(strings.NewReader(r.fx.Response.Body)),
		ContentLength: int64(len(r.fx.Response.Body)),
		Request:       req,
	}, nil
}

// completeBody is a successful answer in which us-west-2 is COMPLETE.
const completeBody = `{"repositoryName":"app","imageId":{"imageDigest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","imageTag":"v1"},` +
	`"replicationStatuses":[{"region":"us-west-2","registryId":"123456789012","status":"COMPLETE"}]}`

func completeResponse() *http.Response {
	return &http.Response{StatusCode: 200, Status: "200 OK",
		Header: http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"complete"}}}
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
			rt := &replay{fx: fx}
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
func checkFixtureError(t *testing.T, fx wireFixture, err error) {
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
				rt := &replay{fx: fx, next: completeResponse()}
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
					if rt.calls != 1 {
						t.Errorf("%d polls, want 1: a final error ends the wait", rt.calls)
					}
				default:
					if err != nil {
						t.Fatalf("Wait: %v", err)
					}
					want := 2
					if fx.Expect.ServiceErrorCode == "" && !fx.Expect.DeserializationError && isComplete(fx) {
						want = 1
					}
					if rt.calls != want {
						t.Errorf("%d polls, want %d", rt.calls, want)
					}
				}
			})
		})
	}
}

// isComplete reports whether a successful fixture lists only COMPLETE
// destinations.
func isComplete(fx wireFixture) bool {
	for _, d := range fx.Expect.Destinations {
		if !strings.HasSuffix(d, "/COMPLETE") {
			return false
		}
	}
	return len(fx.Expect.Destinations) > 0
}
