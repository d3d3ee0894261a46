package ecrreplication

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// ImageReplicationCompleteRetryable is the waiter's own decision after a
// poll, with the signature of ImageReplicationCompleteWaiterOptions.Retryable,
// which it is by default; call it from a Retryable of your own to change one
// case and keep the rest. It returns:
//
//   - (false, nil), success, when every destination that must complete is
//     COMPLETE in the latest answer: the expected destinations or, without
//     expectations, every destination listed at any point of the wait, of
//     which there is at least one;
//   - (false, ErrReplicationFailed) when one of those is FAILED;
//   - (true, nil), poll again, while any of them is pending (IN_PROGRESS, an
//     unknown status, or not listed), and after a transient error
//     (throttling, 5xx, a dropped connection, a poll with no answer in
//     time);
//   - (false, err) for any other error, and for connection failures once
//     MaxConnectionFailures polls in a row have not reached a service that
//     has never answered.
//
// Inside a wait, ctx carries the wait's state (expectations, destinations
// seen so far): pass on the ctx the waiter gives. With any other ctx the
// decision rests on output alone: success when it lists at least one
// destination and all are COMPLETE.
func ImageReplicationCompleteRetryable(ctx context.Context, params *ecr.DescribeImageReplicationStatusInput, output *ecr.DescribeImageReplicationStatusOutput, err error) (bool, error) {
	r, _ := ctx.Value(runKey{}).(*waitRun)
	if err != nil {
		if !isTransient(err) {
			return false, err
		}
		if r != nil && !r.reached && r.opts.MaxConnectionFailures > 0 && r.connFailures >= r.opts.MaxConnectionFailures {
			return false, fmt.Errorf("the service did not answer %d polls in a row: %w", r.connFailures, err)
		}
		return true, nil
	}
	var report *Report
	if r != nil {
		report = r.last
	}
	if report == nil {
		report = NewReport(params, output)
	}
	if len(report.Failed()) > 0 {
		return false, ErrReplicationFailed
	}
	return !report.Complete(), nil
}
