package ecrreplication

import (
	"context"
	"fmt"
	"io"
	"net/http"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Every option this package adds to an ECR client: the exported ones a
// caller installs (WithErrorMapping, WithValidation, WithMaxResponseSize),
// and the per-call middleware that Describe and the waiters add to each of
// their calls (call).

// WithErrorMapping installs MapError into an ECR client as SDK middleware, so
// that every operation's error answers errors.Is for this package's sentinels:
//
//	client := ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping)
//
// It can be given per call as well; installing it twice is harmless.
func WithErrorMapping(o *ecr.Options) { o.APIOptions = append(o.APIOptions, mapErrors) }

// WithValidation installs ValidateInput into an ECR client as SDK middleware:
// a DescribeImageReplicationStatusInput that breaks a documented constraint is
// rejected with a *ValidationError before any request leaves the process.
// Other operations are not affected. Installing it twice is harmless.
func WithValidation(o *ecr.Options) { o.APIOptions = append(o.APIOptions, validateInput) }

var (
	mapErrors = addOnce("ecrreplication.ErrorMapping", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleInitialize(ctx, in)
		return out, md, MapError(err)
	})
	validateInput = addOnce("ecrreplication.Validation", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		if params, ok := in.Parameters.(*ecr.DescribeImageReplicationStatusInput); ok {
			if err := ValidateInput(params); err != nil {
				return middleware.InitializeOutput{}, middleware.Metadata{}, err
			}
		}
		return next.HandleInitialize(ctx, in)
	})
)

// addOnce returns the API option that adds fn as the first Initialize
// middleware, named id, unless the stack has it already.
func addOnce(id string, fn func(context.Context, middleware.InitializeInput, middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error)) func(*middleware.Stack) error {
	m := middleware.InitializeMiddlewareFunc(id, fn)
	return func(s *middleware.Stack) error {
		if _, ok := s.Initialize.Get(id); ok {
			return nil
		}
		return s.Initialize.Add(m, middleware.Before)
	}
}

// call is the state of one SDK call that Describe or a wait makes: started
// says that the client resolved the call's options (an *ecr.Client does so
// before anything else, so sent is meaningful), sent that the request was
// signed and handed to the transport, and the answer's body is capped at
// limit unless the client caps it already (WithMaxResponseSize).
type call struct {
	started, sent bool
	limit         int64
	body          limitedBody
	bodyUsed      bool
	// own holds the options of a call given no other (after), so that
	// the common call allocates no slice for them.
	own [1]func(*ecr.Options)
}

// after returns optFns followed by the call's own options.
func (c *call) after(optFns []func(*ecr.Options)) []func(*ecr.Options) {
	if len(optFns) == 0 {
		c.own[0] = c.options
		return c.own[:]
	}
	return append(optFns[:len(optFns):len(optFns)], c.options)
}

// options is the call's per-call option: it marks the call started and adds
// its middleware, with the default cap unless an earlier option capped the
// client's answers.
func (c *call) options(o *ecr.Options) {
	c.started = true
	if _, capped := o.HTTPClient.(*limitedClient); !capped {
		c.limit = DefaultMaxResponseSize
	}
	o.APIOptions = append(o.APIOptions, c.addMiddleware)
}

// addMiddleware adds the call's middleware to a stack, last before the
// transport.
func (c *call) addMiddleware(st *middleware.Stack) error {
	return st.Deserialize.Add((*sendMark)(c), middleware.After)
}

// error maps a failed call's error (MapError) and marks a request that
// failed before it was sent: an *unsentError, ErrRequestNotSent.
func (c *call) error(err error) error {
	err = MapError(err)
	if c.started && !c.sent {
		err = &unsentError{err: err}
	}
	return err
}

// sendMark is a call's last Deserialize middleware before the transport: it
// marks the request sent and caps the answer's body.
type sendMark call

// ID names the middleware.
func (*sendMark) ID() string { return "ecrreplication.RequestSent" }

// HandleDeserialize marks the request sent, sends it and caps the body of
// the answer.
func (m *sendMark) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	m.sent = true
	out, md, err := next.HandleDeserialize(ctx, in)
	if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && m.limit > 0 && resp.Body != nil {
		body := &m.body
		if m.bodyUsed { // a retry's answer gets its own
			body = new(limitedBody)
		}
		m.bodyUsed = true
		*body = limitedBody{body: resp.Body, left: m.limit, max: m.limit, announced: resp.ContentLength}
		resp.Body = body
	}
	return out, md, err
}

// capResponses caps the answers of a call that keeps no state
// (DescribeRegistry, DescribeImages), as call.options does.
func capResponses(o *ecr.Options) { new(call).options(o) }

// DefaultMaxResponseSize is the cap on the body of every answer that Describe
// and the waiters read. ECR's answers to DescribeImageReplicationStatus,
// DescribeRegistry and DescribeImages are a few KiB.
const DefaultMaxResponseSize int64 = 4 << 20

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
