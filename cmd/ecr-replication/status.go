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
	summary:  "print the replication status of an image in each destination",
	help: `
Prints the replication status of one image in each destination region and
registry, as DescribeImageReplicationStatus reports it, once, without waiting.
The exit code is 0 whenever the status could be read, whatever the statuses
are; use "complete" in the JSON output, or the wait command, to act on them.
--timeout bounds the whole command, the AWS SDK's retries of throttling and
5xx answers included: without an answer by then it exits 5. Answers over
4 MiB are refused (ECR's are a few KiB).

Text output (stdout) is a table; "-" means no value:

  REGION     REGISTRY      STATUS       FAILURE CODE
  eu-west-1  123456789012  COMPLETE     -
  us-west-2  123456789012  IN_PROGRESS  -

JSON output (--output json) is one image object, as for 'ecr-replication
wait --repository'; 'ecr-replication schema' prints its JSON Schema.
--output markdown prints a verdict and a Markdown table, --output github
GitHub Actions annotations (see 'ecr-replication render').

Examples:
  ecr-replication status --repository my-app --tag v1.4.2
  ecr-replication status --repository team/api --digest sha256:4f1c... --region eu-central-1 --output json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var img imageFlags
		img.register(fs)
		timeout := fs.Duration("timeout", 20*time.Second, "give up after this `duration` without an answer (exit code 5)")
		return func(ctx context.Context, a *app, fs *flag.FlagSet) int {
			return a.status(ctx, img.input(fs), *timeout)
		}
	},
}

// status runs the status command for the image of in, within timeout.
func (a *app) status(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, timeout time.Duration) int {
	r := newResult(in)
	if err := ecrreplication.ValidateInput(in); err != nil {
		return a.invalid(r, err)
	}
	if timeout <= 0 {
		return a.invalid(r, fmt.Errorf("--timeout %v must be greater than zero", timeout))
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client, err := a.newClient(sctx)
	if err == nil {
		start := time.Now()
		var report *ecrreplication.Report
		report, err = ecrreplication.Describe(sctx, client, in)
		if report != nil {
			r.report, r.complete = report, report.Complete()
			a.debug.logf("status of %s: %v", r.name, report.Destinations)
		} else {
			r.report.Attempts, r.report.Elapsed = 1, time.Since(start)
		}
		if err != nil && sctx.Err() != nil && ctx.Err() == nil {
			err = fmt.Errorf("status of %s: no answer within --timeout %v: %w", r.name, timeout, err)
		}
	}
	r.err = err
	r.classify(ctx)
	return a.emit([]result{r}, nil, 0)
}
