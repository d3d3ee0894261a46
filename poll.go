package ecrreplication

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/middleware"
	smithywaiter "github.com/aws/smithy-go/waiter"
)

// poll makes one DescribeImageReplicationStatus call, bounded by the attempt
// timeout, and returns its error mapped (MapError) and classified: a request
// that failed before it could be sent is an *unsentError, one that got no
// answer in time an *attemptTimeoutError.
func (r *waitRun) poll(ctx context.Context) (*ecr.DescribeImageReplicationStatusOutput, error) {
	actx, cancel := context.WithTimeout(ctx, r.opts.AttemptTimeout)
	defer cancel()
	var stage callStage
	out, err := r.client.DescribeImageReplicationStatus(actx, r.in, func(o *ecr.Options) {
		o.APIOptions = append(o.APIOptions, r.opts.APIOptions...)
		o.APIOptions = append(o.APIOptions, stage.track)
		if r.opts.LogWaitAttempts {
			logger := smithywaiter.Logger{Attempt: int64(r.attempts)}
			o.APIOptions = append(o.APIOptions, logger.AddLogger)
		}
		for _, fn := range r.opts.ClientOptions {
			fn(o)
		}
		capResponses(o)
	})
	if err == nil {
		return out, nil
	}
	err = MapError(err)
	switch {
	case ctx.Err() != nil:
	case stage.started && !stage.sent:
		err = &unsentError{err: err}
	case actx.Err() != nil:
		err = &attemptTimeoutError{timeout: r.opts.AttemptTimeout, err: err}
	}
	return nil, err
}

// capResponses caps response bodies at DefaultMaxResponseSize unless the
// options already cap them (WithMaxResponseSize).
func capResponses(o *ecr.Options) {
	if _, ok := o.HTTPClient.(*limitedClient); !ok {
		WithMaxResponseSize(DefaultMaxResponseSize)(o)
	}
}

// clientOptions are the options of the waiter's other calls
// (DescribeRegistry, DescribeImages): the caller's, then the response cap.
func (r *waitRun) clientOptions() []func(*ecr.Options) {
	return append(r.opts.ClientOptions[:len(r.opts.ClientOptions):len(r.opts.ClientOptions)], capResponses)
}

// callStage tells how far an SDK call went: started says that the call
// reached the SDK's middleware stack (so the client is the SDK's and sent
// is meaningful), sent that the request was signed and handed to the
// transport.
type callStage struct {
	started, sent bool
}

// track adds to an SDK stack the two middlewares that record the stage.
func (s *callStage) track(st *middleware.Stack) error {
	err := st.Initialize.Add(middleware.InitializeMiddlewareFunc("ecrreplication.CallStarted",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			s.started = true
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	if err != nil {
		return err
	}
	return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("ecrreplication.RequestSent",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			s.sent = true
			return next.HandleDeserialize(ctx, in)
		}), middleware.Before)
}

// resolveExpected sets the destinations the wait expects.
func (r *waitRun) resolveExpected(ctx context.Context) error {
	if len(r.opts.Destinations) > 0 || r.opts.Registry == nil {
		r.track.setExpected(r.opts.Destinations)
		return nil
	}
	out, err := r.describeRegistry(ctx)
	if err != nil {
		return err
	}
	return r.expectFrom(out)
}

// describeRegistry reads the registry's replication configuration, bounded
// by the attempt timeout.
func (r *waitRun) describeRegistry(ctx context.Context) (*ecr.DescribeRegistryOutput, error) {
	return describeRegistry(ctx, r.opts.Registry, r.opts.AttemptTimeout, r.clientOptions())
}

// describeRegistry calls DescribeRegistry, bounded by timeout.
func describeRegistry(ctx context.Context, client DescribeRegistryAPIClient, timeout time.Duration, optFns []func(*ecr.Options)) (*ecr.DescribeRegistryOutput, error) {
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out, err := client.DescribeRegistry(actx, &ecr.DescribeRegistryInput{}, optFns...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		return nil, fmt.Errorf("reading the registry's replication configuration: %w", MapError(err))
	}
	return out, nil
}

// expectFrom expects what a registry's replication configuration says, after
// checking that it is the configuration of the image's registry.
func (r *waitRun) expectFrom(out *ecr.DescribeRegistryOutput) error {
	if out == nil {
		out = &ecr.DescribeRegistryOutput{}
	}
	described, want := deref(out.RegistryId), deref(r.params.RegistryId)
	if want != "" && described != "" && want != described {
		return fmt.Errorf("%w: Registry describes registry %s, but the image is in registry %s; DescribeRegistry describes only the caller's own registry: name the destinations with Destinations instead",
			ErrRegistryMismatch, word(described), word(want))
	}
	expected := ExpectedDestinations(out.ReplicationConfiguration, *r.params.RepositoryName)
	if len(expected) == 0 {
		return fmt.Errorf("%w: no rule of registry %s replicates %s", ErrNoReplication, word(described), quote(*r.params.RepositoryName))
	}
	r.track.setExpected(expected)
	return nil
}
