package ecrtest_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

const opStatus = ecrtest.OpDescribeImageReplicationStatus

func httpStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func TestFaults(t *testing.T) {
	tests := []struct {
		kind     ecrtest.FaultKind
		check    func(t *testing.T, err error)
		executed bool // whether the faulted call counted as a poll
	}{
		{ecrtest.FaultThrottle, func(t *testing.T, err error) {
			var g *smithy.GenericAPIError
			if !errors.As(err, &g) || g.Code != "ThrottlingException" || httpStatus(err) != 400 {
				t.Errorf("err = %v, want HTTP 400 ThrottlingException", err)
			}
		}, false},
		{ecrtest.FaultServerError, func(t *testing.T, err error) {
			var se *types.ServerException
			if !errors.As(err, &se) || httpStatus(err) != 500 {
				t.Errorf("err = %v, want HTTP 500 ServerException", err)
			}
		}, false},
		{ecrtest.FaultUnavailableHTML, func(t *testing.T, err error) {
			var de *smithy.DeserializationError
			if !errors.As(err, &de) || httpStatus(err) != 503 {
				t.Errorf("err = %v, want a deserialization error with HTTP 503", err)
			}
		}, false},
		{ecrtest.FaultTruncatedBody, func(t *testing.T, err error) {
			if err == nil {
				t.Error("err = nil, want an error for a truncated body")
			}
		}, true},
		{ecrtest.FaultInvalidJSON, func(t *testing.T, err error) {
			var de *smithy.DeserializationError
			if !errors.As(err, &de) || httpStatus(err) != 200 {
				t.Errorf("err = %v, want a deserialization error with HTTP 200", err)
			}
		}, false},
		{ecrtest.FaultDropConnection, func(t *testing.T, err error) {
			var send *smithyhttp.RequestSendError
			if !errors.As(err, &send) || httpStatus(err) != 0 {
				t.Errorf("err = %v, want a request send error without a response", err)
			}
		}, false},
	}
	modes(t, func(t *testing.T, newServer func(...func(*ecrtest.Options)) *ecrtest.Server) {
		for _, tt := range tests {
			t.Run(tt.kind.String(), func(t *testing.T) {
				srv := newServer()
				defer srv.Close()
				replicateTo(t, srv, "us-west-2")
				digest := push(t, srv, "app", "v1")
				srv.InjectFault(opStatus, ecrtest.Fault{Kind: tt.kind}, 1)
				c := srv.Client(noRetry)

				_, err := c.DescribeImageReplicationStatus(context.Background(), byTag("app", "v1"))
				tt.check(t, err)
				polls := 0
				if tt.executed {
					polls = 1
				}
				if got := srv.PollCount("app", digest); got != polls {
					t.Errorf("PollCount after fault = %d, want %d", got, polls)
				}
				// The fault is consumed: the next call succeeds.
				if _, err := c.DescribeImageReplicationStatus(context.Background(), byTag("app", "v1")); err != nil {
					t.Errorf("call after the fault: %v", err)
				}
				calls := srv.Calls(opStatus)
				var kinds []ecrtest.FaultKind
				for _, c := range calls {
					kinds = append(kinds, c.Fault)
				}
				if diff := cmp.Diff([]ecrtest.FaultKind{tt.kind, 0}, kinds); diff != "" {
					t.Errorf("call log faults (-want +got):\n%s", diff)
				}
			})
		}
	})
}

func TestFaultsFIFOAndPerOperation(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	push(t, srv, "app", "v1")
	srv.InjectFault(opStatus, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 2)
	srv.InjectFault(opStatus, ecrtest.Fault{Kind: ecrtest.FaultServerError}, 1)
	srv.InjectFault(ecrtest.OpDescribeRegistry, ecrtest.Fault{Kind: ecrtest.FaultServerError}, 1)
	if got := srv.PendingFaults(opStatus); got != 3 {
		t.Errorf("PendingFaults = %d, want 3", got)
	}
	c := srv.Client(noRetry)
	var codes []string
	for range 4 {
		_, err := c.DescribeImageReplicationStatus(context.Background(), byTag("app", "v1"))
		code := "ok"
		var api smithy.APIError
		if errors.As(err, &api) {
			code = api.ErrorCode()
		}
		codes = append(codes, code)
	}
	if diff := cmp.Diff([]string{"ThrottlingException", "ThrottlingException", "ServerException", "ok"}, codes); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := srv.PendingFaults(ecrtest.OpDescribeRegistry); got != 1 {
		t.Errorf("DescribeRegistry fault consumed by another operation: pending %d", got)
	}
}

func TestRetriesRecoverFromFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		defer srv.Close()
		replicateTo(t, srv, "us-west-2")
		push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-west-2"})
		srv.InjectFault(opStatus, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 1)
		srv.InjectFault(opStatus, ecrtest.Fault{Kind: ecrtest.FaultUnavailableHTML}, 1)
		c := srv.Client() // default retryer: 3 attempts, backoff in virtual time
		want := []status{{"us-west-2", acct, "COMPLETE", ""}}
		if diff := cmp.Diff(want, poll(t, c, byTag("app", "v1"))); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if got := srv.CallCount(opStatus); got != 3 {
			t.Errorf("CallCount = %d, want 3 (two faulted attempts and a success)", got)
		}
	})
}

func TestLatencyFault(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		defer srv.Close()
		push(t, srv, "app", "v1")
		c := srv.Client(noRetry)

		srv.InjectFault(opStatus, ecrtest.Fault{Kind: ecrtest.FaultLatency, Latency: 2 * time.Second}, 1)
		start := time.Now()
		poll(t, c, byTag("app", "v1"))
		if got := time.Since(start); got != 2*time.Second {
			t.Errorf("call took %v, want 2s", got)
		}

		srv.InjectFault(opStatus, ecrtest.Fault{Kind: ecrtest.FaultLatency, Latency: time.Hour}, 1)
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start = time.Now()
		_, err := c.DescribeImageReplicationStatus(ctx, byTag("app", "v1"))
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want context.DeadlineExceeded", err)
		}
		if got := time.Since(start); got != time.Second {
			t.Errorf("cancelled call took %v, want 1s", got)
		}
		if got := srv.CallCount(opStatus); got != 2 {
			t.Errorf("CallCount = %d, want 2", got)
		}
	})
}

func TestLatencyFaultLoopbackCancel(t *testing.T) {
	srv := ecrtest.NewServer()
	defer srv.Close()
	push(t, srv, "app", "v1")
	srv.InjectFault(opStatus, ecrtest.Fault{Kind: ecrtest.FaultLatency, Latency: time.Hour}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.CallCount(opStatus) == 0 {
			runtime.Gosched()
		}
		cancel()
	}()
	_, err := srv.Client(noRetry).DescribeImageReplicationStatus(ctx, byTag("app", "v1"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
