// Package ecrreplication makes the Amazon ECR operation DescribeImageReplicationStatus
// safe and pleasant to use from Go.
//
// It validates every documented input constraint before a request is sent
// ([ValidateInput]), turns the service's error codes into sentinel errors that
// [errors.Is] understands ([ErrImageNotFound], [ErrRepositoryNotFound], ...)
// while keeping the SDK's own error types reachable with [errors.As]
// ([MapError], [WithErrorMapping]), returns a typed, sorted [Report]
// ([Describe]), waits until an image has replicated to every destination
// ([NewImageReplicationCompleteWaiter]), and waits for many images at once
// under one request rate ([WaitAll]).
//
// Everything accepts the narrow [DescribeImageReplicationStatusAPIClient]
// interface, which *ecr.Client satisfies; the ecrtest package provides a
// wire-level test server for it.
package ecrreplication
