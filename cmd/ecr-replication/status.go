package main

import (
	"context"
	"flag"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
)

// imageFlags name one image: --repository, --tag, --digest, --registry-id.
type imageFlags struct {
	repository, tag, digest, registryID string
}

// register defines the image flags on fs.
func (f *imageFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.repository, "repository", "", "`name` of the source repository (required, unless wait names images with --image or --images-from)")
	fs.StringVar(&f.tag, "tag", "", "image `tag`; --tag or --digest is required")
	fs.StringVar(&f.digest, "digest", "", "image `digest` (sha256:...); --tag or --digest is required")
	fs.StringVar(&f.registryID, "registry-id", "", "account `ID` of the source registry (default: the caller's account)")
}

// input returns the request for the image the flags name. Flags given on the
// command line are sent even when empty, so that ValidateInput reports them;
// flags not given are left out.
func (f *imageFlags) input(fs *flag.FlagSet) *ecr.DescribeImageReplicationStatusInput {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	in := &ecr.DescribeImageReplicationStatusInput{}
	if set["repository"] {
		in.RepositoryName = aws.String(f.repository)
	}
	if set["registry-id"] {
		in.RegistryId = aws.String(f.registryID)
	}
	if set["tag"] || set["digest"] {
		in.ImageId = &types.ImageIdentifier{}
		if set["tag"] {
			in.ImageId.ImageTag = aws.String(f.tag)
		}
		if set["digest"] {
			in.ImageId.ImageDigest = aws.String(f.digest)
		}
	}
	return in
}

// newResult returns a result that names the image of in.
func newResult(in *ecr.DescribeImageReplicationStatusInput) result {
	r := result{repository: aws.ToString(in.RepositoryName), registryID: aws.ToString(in.RegistryId)}
	if in.ImageId != nil {
		r.imageTag, r.imageDigest = aws.ToString(in.ImageId.ImageTag), aws.ToString(in.ImageId.ImageDigest)
	}
	return r
}

// statusCommand is "ecr-replication status".
var statusCommand = &command{
	name:     "status",
	synopsis: "status --repository NAME (--tag TAG | --digest DIGEST) [--registry-id ID] [--region REGION] [global flags]",
	summary:  "print the replication status of an image in each destination",
	help: `
Prints the replication status of one image in each destination region and
registry, as DescribeImageReplicationStatus reports it, once, without waiting.
The exit code is 0 whenever the status could be read, whatever the statuses
are; use "complete" in the JSON output, or the wait command, to act on them.

Text output (stdout) is a table; "-" means no value:

  REGION     REGISTRY      STATUS       FAILURE CODE
  eu-west-1  123456789012  COMPLETE     -
  us-west-2  123456789012  IN_PROGRESS  -

With --output json, stdout is one JSON document (see 'ecr-replication wait
--help' for every field), for example:

  {"repository": "my-app", "registryId": "", "imageDigest": "sha256:...",
   "imageTag": "v1.4.2", "complete": false,
   "destinations": [{"region": "us-west-2", "registryId": "123456789012",
                     "status": "IN_PROGRESS", "failureCode": ""}],
   "exitCode": 0, "attempts": 1, "elapsedSeconds": 0.142}

Examples:
  ecr-replication status --repository my-app --tag v1.4.2
  ecr-replication status --repository team/api --digest sha256:4f1c... --region eu-central-1 --output json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var img imageFlags
		img.register(fs)
		return func(ctx context.Context, a *app, fs *flag.FlagSet) int {
			return a.status(ctx, img.input(fs))
		}
	},
}

// status runs the status command for the image of in.
func (a *app) status(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput) int {
	r := newResult(in)
	if err := ecrreplication.ValidateInput(in); err != nil {
		r.err = err
		r.finish(ctx)
		return a.emit(r)
	}
	client, err := a.newClient(ctx)
	if err != nil {
		r.err = err
		r.finish(ctx)
		return a.emit(r)
	}
	start := time.Now()
	report, err := ecrreplication.Describe(ctx, client, in)
	r.attempts, r.elapsed = 1, time.Since(start)
	r.err = err
	if report != nil {
		r.report = report
		r.complete = report.Complete()
		a.debug.logf("status of %s: %v", report.Repository, report.Destinations)
	}
	r.finish(ctx)
	return a.emit(r)
}
