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
Prints the replication status of an image in each destination, once, as the
document of wait. The exit code is 0 whenever the status was read: the
outcome (complete, in-progress or failed) says what it is.

Examples:
  ecr-replication status --repository team/api --tag v1.4.2 --output json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var img imageFlags
		img.register(fs)
		timeout := fs.Duration("timeout", 20*time.Second, "give up after this `duration` without an answer (exit code 5)")
		return func(ctx context.Context, a *app, fs *flag.FlagSet) int {
			in, p := img.input(givenFlags(fs))
			if *timeout <= 0 {
				p = append(p, fmt.Sprintf("--timeout %v must be greater than zero", *timeout))
			}
			if len(p) > 0 {
				return a.usageError(p)
			}
			return a.status(ctx, in, *timeout)
		}
	},
	document: true,
}

// status runs the status command for the image of in, within timeout.
func (a *app) status(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, timeout time.Duration) int {
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start, r := time.Now(), newResult(in)
	client, err := a.newClient(sctx)
	if err != nil {
		return a.emit(ctx, nil, err, 0)
	}
	report, err := ecrreplication.Describe(sctx, client, in)
	if r.report.Attempts, r.report.Elapsed = 1, time.Since(start); report != nil {
		r.report = report
		a.debug.logf("status of %s: %v", r.name, report.Destinations)
	}
	if err != nil && sctx.Err() != nil && ctx.Err() == nil {
		err = &explainedError{fmt.Sprintf("no answer within --timeout %v", timeout),
			fmt.Sprintf("no answer came within --timeout %v: raise --timeout, or check the network, --region and --endpoint-url", timeout), err}
	}
	if err != nil {
		r.err = fmt.Errorf("status of %s: %w", r.name, err)
	}
	if r.settle(ctx, true); r.reason != "" {
		r.reason = plain(err)
	}
	return a.emit(ctx, []result{r}, nil, time.Since(start))
}
