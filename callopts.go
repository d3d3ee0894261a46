package ecrreplication

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The options that Describe and the waiters add to each of their calls: the
// send stage (for ErrRequestNotSent) and the response cap. They are
// package-level values, and the stage travels in the call's context, so that
// a call allocates no closure and no client for them.

// callStage tells how far an SDK call went: started says that the call
// reached the SDK's middleware stack (so the client is the SDK's and sent
// is meaningful), sent that the request was signed and handed to the
// transport.
type callStage struct {
	started, sent bool
}

// stageKey is the context key of a call's *callContext.
type stageKey struct{}

// callContext is a call's context: its parent, the call's stage and the
// capped body of its first answer, in one allocation.
type callContext struct {
	context.Context
	stage callStage
	// body is the capped body of the first answer; bodyUsed says that it
	// is taken (a retried call's later answers get their own).
	body     limitedBody
	bodyUsed bool
}

// Value returns the call's state for stageKey, and the parent's values
// otherwise.
func (c *callContext) Value(key any) any {
	if _, ok := key.(stageKey); ok {
		return c
	}
	return c.Context.Value(key)
}

// withStage returns a context for one call, and the call's stage. client
// tells whether the stack will run: an *ecr.Client always runs it, so its
// call counts as started at once and needs no middleware to say so.
func withStage(ctx context.Context, client any) (context.Context, *callStage) {
	c := &callContext{Context: ctx}
	_, c.stage.started = client.(*ecr.Client)
	return c, &c.stage
}

// callOf returns the call's state that ctx carries, or nil.
func callOf(ctx context.Context) *callContext {
	c, _ := ctx.Value(stageKey{}).(*callContext)
	return c
}

// startMark is the Initialize middleware that marks a call started.
type startMark struct{}

// ID names the middleware.
func (startMark) ID() string { return "ecrreplication.CallStarted" }

// HandleInitialize marks the call's stage started.
func (startMark) HandleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	if c := callOf(ctx); c != nil {
		c.stage.started = true
	}
	return next.HandleInitialize(ctx, in)
}

// sendMark is the last Deserialize middleware before the transport: it marks
// the call's stage sent and, with a limit, caps the answer's body as
// WithMaxResponseSize does.
type sendMark struct{ limit int64 }

// ID names the middleware.
func (*sendMark) ID() string { return "ecrreplication.RequestSent" }

// HandleDeserialize marks the request sent, sends it and caps the body of
// the answer.
func (m *sendMark) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	c := callOf(ctx)
	if c != nil {
		c.stage.sent = true
	}
	out, md, err := next.HandleDeserialize(ctx, in)
	if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && m.limit > 0 && resp.Body != nil {
		var body *limitedBody
		if c != nil && !c.bodyUsed {
			body, c.bodyUsed = &c.body, true
		} else {
			body = new(limitedBody)
		}
		*body = limitedBody{body: resp.Body, left: m.limit, max: m.limit, announced: resp.ContentLength}
		resp.Body = body
	}
	return out, md, err
}

var (
	markSent       = &sendMark{}
	markSentCapped = &sendMark{limit: DefaultMaxResponseSize}
)

// addMarks adds the stage marks to a stack; addCappedMarks adds them with
// the default response cap; addSentMark and addCappedSentMark add only the
// send mark, for a client that is known to run the stack (an *ecr.Client).
// addCappedSentMark is also the cap alone for calls that track no stage
// (DescribeRegistry, DescribeImages): without a stage in the context, the
// mark only caps.
func addMarks(st *middleware.Stack) error       { return addStage(st, markSent) }
func addCappedMarks(st *middleware.Stack) error { return addStage(st, markSentCapped) }
func addSentMark(st *middleware.Stack) error    { return st.Deserialize.Add(markSent, middleware.After) }
func addCappedSentMark(st *middleware.Stack) error {
	return st.Deserialize.Add(markSentCapped, middleware.After)
}

func addStage(st *middleware.Stack, send *sendMark) error {
	if err := st.Initialize.Add(startMark{}, middleware.Before); err != nil {
		return err
	}
	return st.Deserialize.Add(send, middleware.After)
}

// callOptions adds to a call the stage marks and, unless the options cap
// responses already (WithMaxResponseSize, on the client or earlier in the
// call's options), the default cap. sdkCallOptions is the same for an
// *ecr.Client, whose calls need no start mark.
func callOptions(o *ecr.Options) { addCallMarks(o, addMarks, addCappedMarks) }
func sdkCallOptions(o *ecr.Options) {
	addCallMarks(o, addSentMark, addCappedSentMark)
}

func addCallMarks(o *ecr.Options, marks, cappedMarks func(*middleware.Stack) error) {
	if _, capped := o.HTTPClient.(*limitedClient); capped {
		o.APIOptions = append(o.APIOptions, marks)
	} else {
		o.APIOptions = append(o.APIOptions, cappedMarks)
	}
}

// callOptionsFor returns the call options for client.
func callOptionsFor(client any) func(*ecr.Options) {
	if _, ok := client.(*ecr.Client); ok {
		return sdkCallOptions
	}
	return callOptions
}

// capResponses caps response bodies at DefaultMaxResponseSize unless the
// options already cap them (WithMaxResponseSize).
func capResponses(o *ecr.Options) {
	if _, capped := o.HTTPClient.(*limitedClient); !capped {
		o.APIOptions = append(o.APIOptions, addCappedSentMark)
	}
}

// The options of a Describe given none, for an *ecr.Client and for any
// other client.
var (
	onlySDKCallOptions = []func(*ecr.Options){sdkCallOptions}
	onlyCallOptions    = []func(*ecr.Options){callOptions}
)
