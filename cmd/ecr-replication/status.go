package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"

	"github.com/ecrkit/ecrreplication"
)

// statusCommand is "ecr-replication status".
var statusCommand = &command{
	name:     "status",
	synopsis: "status --repository NAME (--tag TAG | --digest DIGEST) [--registry-id ID] [--timeout 20s] [global flags]",
	summary:  "print the replication status of an image in each destination, once",
	help: `
Prints the replication status of one image in each destination, as
DescribeImageReplicationStatus reports it, once, without waiting. The exit
code is 0 whenever the status was read: the outcome (complete, in-progress or
failed) says what it is. --timeout bounds the command, the AWS SDK's retries
of throttling and 5xx answers included: without an answer by then it exits 5.

The output is the document of wait, a set of one image ('ecr-replication
schema'): with --output text a verdict and a table, "-" for no value:

  🔄 app:v1 in progress: 1 of 2 destinations complete; pending: us-west-2 123456789012

  IMAGE   REGION     REGISTRY      STATUS       REPLICATION TIME  FAILURE CODE
  app:v1  eu-west-1  123456789012  COMPLETE     -                 -
  app:v1  us-west-2  123456789012  IN_PROGRESS  -                 -

Examples:
  ecr-replication status --repository my-app --tag v1.4.2
  ecr-replication status --repository team/api --digest sha256:4f1c... --output json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var img imageFlags
		img.register(fs)
		timeout := fs.Duration("timeout", 20*time.Second, "give up after this `duration` without an answer (exit code 5)")
		return func(ctx context.Context, a *app, fs *flag.FlagSet) int {
			return a.status(ctx, img.input(fs), *timeout)
		}
	},
	document: true,
}

// statusTimeoutError is the error of a status that got no answer within
// its --timeout.
type statusTimeoutError struct {
	timeout time.Duration
	err     error
}

// Error says that no answer came in time.
func (e *statusTimeoutError) Error() string {
	return fmt.Sprintf("no answer within --timeout %v", e.timeout)
}

// Unwrap returns the error of the call.
func (e *statusTimeoutError) Unwrap() error { return e.err }

// status runs the status command for the image of in, within timeout.
func (a *app) status(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, timeout time.Duration) int {
	if err := ecrreplication.ValidateInput(in); err != nil {
		return a.usageError(err)
	}
	if timeout <= 0 {
		return a.usageError(fmt.Errorf("--timeout %v must be greater than zero", timeout))
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	client, err := a.newClient(sctx)
	if err != nil {
		return a.emit(ctx, nil, err, 0)
	}
	r := newResult(in)
	report, err := ecrreplication.Describe(sctx, client, in)
	if report != nil {
		r.report = report
		a.debug.logf("status of %s: %v", r.name, report.Destinations)
	} else {
		r.report.Attempts, r.report.Elapsed = 1, time.Since(start)
	}
	if err != nil && sctx.Err() != nil && ctx.Err() == nil {
		err = &statusTimeoutError{timeout, err}
	}
	if err != nil {
		r.err = fmt.Errorf("status of %s: %w", r.name, err)
	}
	r.settle(ctx, true)
	if r.reason != "" {
		r.reason = plain(err)
	}
	return a.emit(ctx, []result{r}, nil, time.Since(start))
}
