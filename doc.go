// Package ecrreplication makes the Amazon ECR operation DescribeImageReplicationStatus
// safe and pleasant to use from Go.
//
// It validates every documented input constraint before a request is sent
// ([ValidateInput], [ParseImageReference] for references such as
// 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v1), turns the
// service's error codes into sentinel errors that [errors.Is] understands
// ([ErrImageNotFound], [ErrRepositoryNotFound], ...) while keeping the SDK's
// own error types reachable with [errors.As] ([MapError],
// [WithErrorMapping]), returns a typed, sorted [Report] ([Describe]), waits
// until an image has replicated to every destination
// ([NewImageReplicationCompleteWaiter]), and waits for many images at once
// under one request rate ([WaitAll]).
//
// The waiter is never fooled: it succeeds only when every destination that
// must complete is COMPLETE in the latest answer (destinations that vanish
// from the answers, or are listed twice, stay pending), and fails on the
// first FAILED one. It decides with [DefaultDecide], a pure function of the
// wait's tracked report and the poll's error, which a caller can wrap
// (ImageReplicationCompleteWaiterOptions.Decide). It never hammers the API:
// MinDelay is a floor between polls whatever the Backoff, and every poll is
// bounded in time and size ([WithMaxResponseSize]). It uses all of its
// time: a further poll starts whenever MinDelay is left after its delay, so
// a hung poll cannot end a wait early, and once the service has answered
// any poll (of the wait, or of any image of a WaitAll), polls that fail to
// reach it or hang are ridden out until the limit; only a service that has
// never answered ends a wait early, after MaxConnectionFailures polls in a
// row. [WaitAll] waits once for an image named more than once. It measures
// how long replication took to each destination, as an interval
// ([Destination.ReplicationTime]), and can record it as OpenTelemetry
// metrics. Every error text is one line without control characters. The
// README lists these guarantees with the tests that prove them.
//
// Everything accepts the narrow [DescribeImageReplicationStatusAPIClient]
// interface, which *ecr.Client satisfies; the ecrtest package provides a
// wire-level test server for it.
package ecrreplication
