package ecrreplication

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// DefaultMaxResponseSize is the cap on the body of every answer that Describe
// and the waiters read. ECR's answers to DescribeImageReplicationStatus,
// DescribeRegistry and DescribeImages are a few KiB.
const DefaultMaxResponseSize int64 = 4 << 20

// ErrResponseTooLarge: an answer's body was larger than the cap set with
// WithMaxResponseSize. The waiter rides it out as a transient error.
var ErrResponseTooLarge = errors.New("ecrreplication: response body too large")

// WithMaxResponseSize caps the body of every answer an ECR client reads at n
// bytes (n <= 0 means DefaultMaxResponseSize): a longer body, or one whose
// Content-Length announces more, fails the call with an error that matches
// ErrResponseTooLarge, after reading at most n bytes, instead of growing
// until the process runs out of memory. Use it on a client or per call:
//
//	client := ecr.NewFromConfig(cfg, ecrreplication.WithMaxResponseSize(0))
//
// Given more than once, the last cap wins. Describe and the waiters apply
// DefaultMaxResponseSize to their own calls unless a later
// WithMaxResponseSize in their client options says otherwise.
func WithMaxResponseSize(n int64) func(*ecr.Options) {
	if n <= 0 {
		n = DefaultMaxResponseSize
	}
	return func(o *ecr.Options) {
		inner := o.HTTPClient
		if lc, ok := inner.(*limitedClient); ok {
			inner = lc.inner
		}
		if inner == nil {
			inner = awshttp.NewBuildableClient()
		}
		o.HTTPClient = &limitedClient{inner: inner, max: n}
	}
}

// limitedClient is an HTTP client whose response bodies are capped.
type limitedClient struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
	max int64
}

// Do sends the request and caps the response's body.
func (c *limitedClient) Do(req *http.Request) (*http.Response, error) {
	resp, err := c.inner.Do(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	resp.Body = &limitedBody{body: resp.Body, left: c.max, max: c.max, announced: resp.ContentLength}
	return resp, nil
}

// limitedBody reads at most max bytes of body, then fails.
type limitedBody struct {
	body      io.ReadCloser
	left, max int64
	announced int64
}

// Read reads from the body until the cap, and returns an error matching
// ErrResponseTooLarge beyond it.
func (b *limitedBody) Read(p []byte) (int, error) {
	if b.announced > b.max {
		return 0, fmt.Errorf("%w: Content-Length %d is over the cap of %d bytes", ErrResponseTooLarge, b.announced, b.max)
	}
	if b.left <= 0 {
		// One more byte tells a body of exactly max bytes from a longer one.
		var one [1]byte
		n, err := b.body.Read(one[:])
		if n == 0 && err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, b.max)
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.body.Read(p)
	b.left -= int64(n)
	return n, err
}

// Close closes the body.
func (b *limitedBody) Close() error { return b.body.Close() }
