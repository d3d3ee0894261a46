package ecrreplication_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ecrkit/ecrreplication"
)

// cannedHTTPClient answers every request at once with the same
// DescribeImageReplicationStatus body, so that a benchmark measures the
// client side alone.
type cannedHTTPClient struct{ body string }

func (c cannedHTTPClient) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"bench"}},
		Body:          io.NopCloser(strings.NewReader(c.body)),
		ContentLength: int64(len(c.body)),
		Request:       req,
	}, nil
}

// BenchmarkDescribe compares Describe with the raw SDK call it wraps, in the
// same run: the difference is what validation, the time bound, the response
// cap, the send-stage tracking and the report cost per call.
func BenchmarkDescribe(b *testing.B) {
	body := `{"repositoryName":"team/service-api","imageId":{"imageTag":"v1.2.3","imageDigest":"` + validDigest + `"},` +
		`"replicationStatuses":[{"region":"us-west-2","registryId":"123456789012","status":"COMPLETE"},` +
		`{"region":"eu-west-1","registryId":"123456789012","status":"IN_PROGRESS"}]}`
	client := sdkClient(cannedHTTPClient{body: body})
	in := validInput()
	in.ImageId.ImageDigest = nil
	// Without a deadline, Describe sets its own (DefaultAttemptTimeout);
	// with the caller's, it adds none.
	withDeadline, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	for _, c := range []struct {
		name string
		ctx  context.Context
	}{{"", context.Background()}, {"-deadline", withDeadline}} {
		b.Run("raw"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.DescribeImageReplicationStatus(c.ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Describe"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ecrreplication.Describe(c.ctx, client, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// Describe costs at most 12 allocations more than the raw SDK call it wraps
// (validation, the time bound, the response cap, the send-stage tracking
// and the report). Allocation counts are exact, not timed.
func TestDescribeAllocationBudget(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector adds allocations of its own")
	}
	body := `{"repositoryName":"team/service-api","imageId":{"imageTag":"v1.2.3","imageDigest":"` + validDigest + `"},` +
		`"replicationStatuses":[{"region":"us-west-2","registryId":"123456789012","status":"COMPLETE"}]}`
	client := sdkClient(cannedHTTPClient{body: body})
	in := validInput()
	ctx := context.Background()
	raw := testing.AllocsPerRun(200, func() { _, _ = client.DescribeImageReplicationStatus(ctx, in) })
	wrapped := testing.AllocsPerRun(200, func() { _, _ = ecrreplication.Describe(ctx, client, in) })
	if extra := wrapped - raw; extra > 12 {
		t.Errorf("Describe makes %v allocations, the raw call %v: %v more, want at most 12", wrapped, raw, extra)
	}
}
