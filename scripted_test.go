package ecrreplication_test

import (
	"context"
	"net/http"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// step is one scripted poll: an answer (statuses), an error, or a request
// that never answers; after latency.
type step struct {
	statuses []types.ImageReplicationStatus
	err      error
	stall    bool // never answer: only the context ends the call
	latency  time.Duration
}

// answer returns a step that lists the given statuses.
func answer(statuses ...types.ImageReplicationStatus) step { return step{statuses: statuses} }

// st builds a listed status.
func st(region, registry string, status types.ReplicationStatus) types.ImageReplicationStatus {
	s := types.ImageReplicationStatus{Region: aws.String(region), Status: status}
	if registry != "" {
		s.RegistryId = aws.String(registry)
	}
	return s
}

// The errors a scripted service sends, in the forms the SDK produces.
var (
	errThrottled = &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	errServer    = &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 500}},
		Err: &smithy.GenericAPIError{Code: "ServerException", Message: "internal error"}}
	errReset = &smithyhttp.RequestSendError{Err: &netOpError{syscall.ECONNRESET}}
)

// netOpError is a connection error that the SDK's retryer knows.
type netOpError struct{ err error }

func (e *netOpError) Error() string         { return "read tcp 127.0.0.1:1: " + e.err.Error() }
func (e *netOpError) Unwrap() error         { return e.err }
func (e *netOpError) Temporary() bool       { return false }
func (e *netOpError) Timeout() bool         { return false }
func (e *netOpError) ConnectionError() bool { return true }

// call is one recorded call: when it started and ended, and the step it
// played (-1 when the wait's context ended it first).
type call struct {
	start, end time.Time
	step       int
	cut        bool // the context ended the call
	in         types.ImageIdentifier
}

// scripted is a DescribeImageReplicationStatusAPIClient that plays steps in
// order, repeating the last, and records every call.
type scripted struct {
	digest string
	// limit, when set, is the most calls that get their step: later calls
	// stall until their context ends, so that a waiter that polls without
	// pause lets virtual time pass and its test ends, and fails, rather
	// than spinning forever.
	limit int

	mu    sync.Mutex
	steps []step
	calls []call
}

func newScripted(steps ...step) *scripted {
	return &scripted{digest: validDigest, steps: steps}
}

// DescribeImageReplicationStatus plays the next step.
func (s *scripted) DescribeImageReplicationStatus(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, _ ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error) {
	s.mu.Lock()
	i := min(len(s.calls), len(s.steps)-1)
	st := s.steps[i]
	s.calls = append(s.calls, call{start: time.Now(), step: i, in: *in.ImageId})
	n := len(s.calls) - 1
	s.mu.Unlock()

	var cut bool
	if st.stall || s.limit > 0 && n >= s.limit {
		<-ctx.Done()
		cut = true
	} else if st.latency > 0 {
		t := time.NewTimer(st.latency)
		select {
		case <-ctx.Done():
			cut = true
		case <-t.C:
		}
		t.Stop()
	}
	s.mu.Lock()
	s.calls[n].end, s.calls[n].cut = time.Now(), cut
	s.mu.Unlock()
	if cut {
		return nil, &smithy.OperationError{ServiceID: "ECR", OperationName: "DescribeImageReplicationStatus", Err: ctx.Err()}
	}
	if st.err != nil {
		return nil, &smithy.OperationError{ServiceID: "ECR", OperationName: "DescribeImageReplicationStatus", Err: st.err}
	}
	return &ecr.DescribeImageReplicationStatusOutput{
		RepositoryName:      in.RepositoryName,
		ImageId:             &types.ImageIdentifier{ImageDigest: aws.String(s.digest), ImageTag: in.ImageId.ImageTag},
		ReplicationStatuses: st.statuses,
	}, nil
}

// recorded returns the calls so far.
func (s *scripted) recorded() []call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]call(nil), s.calls...)
}
