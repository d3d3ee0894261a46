package ecrreplication

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	smithywaiter "github.com/aws/smithy-go/waiter"
)

// poll makes one DescribeImageReplicationStatus call, bounded by the attempt
// timeout, and returns its error mapped (MapError) and classified: a request
// that failed before it could be sent is an *unsentError, one that got no
// answer in time an *attemptTimeoutError.
func (r *waitRun) poll(ctx context.Context) (*ecr.DescribeImageReplicationStatusOutput, error) {
	actx, cancel := context.WithTimeout(ctx, r.opts.AttemptTimeout)
	defer cancel()
	sctx, stage := withStage(actx, r.client)
	optFns := r.callOptions
	if r.opts.LogWaitAttempts {
		logger := smithywaiter.Logger{Attempt: int64(r.attempts)}
		optFns = append(optFns[:len(optFns):len(optFns)], func(o *ecr.Options) {
			o.APIOptions = append(o.APIOptions, logger.AddLogger)
		})
	}
	out, err := r.client.DescribeImageReplicationStatus(sctx, r.in, optFns...)
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

// pollOptions returns the options of the waiter's polls of client, made once
// per wait: the caller's APIOptions and ClientOptions, then the send stage
// and the response cap (callOptionsFor).
func pollOptions(client DescribeImageReplicationStatusAPIClient, opts ImageReplicationCompleteWaiterOptions) []func(*ecr.Options) {
	var fns []func(*ecr.Options)
	if apiOptions := opts.APIOptions; len(apiOptions) > 0 {
		fns = append(fns, func(o *ecr.Options) { o.APIOptions = append(o.APIOptions, apiOptions...) })
	}
	return append(append(fns, opts.ClientOptions...), callOptionsFor(client))
}

// clientOptions are the options of the waiter's other calls
// (DescribeRegistry, DescribeImages): the caller's, then the response cap.
func (r *waitRun) clientOptions() []func(*ecr.Options) {
	return append(r.opts.ClientOptions[:len(r.opts.ClientOptions):len(r.opts.ClientOptions)], capResponses)
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
