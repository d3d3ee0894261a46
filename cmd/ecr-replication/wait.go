package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/logging"
	"github.com/aws/smithy-go/middleware"

	"github.com/ecrkit/ecrreplication"
)

// waitSettings are the wait command's flags other than the image's.
type waitSettings struct {
	timeout            time.Duration
	minDelay, maxDelay time.Duration
	expect             expectList
	expectFromRegistry bool
}

// register defines the wait flags on fs.
func (s *waitSettings) register(fs *flag.FlagSet) {
	fs.DurationVar(&s.timeout, "timeout", 30*time.Minute, "give up after this `duration` (exit code 3)")
	fs.DurationVar(&s.minDelay, "min-delay", ecrreplication.DefaultMinDelay, "shortest `delay` between polls")
	fs.DurationVar(&s.maxDelay, "max-delay", ecrreplication.DefaultMaxDelay, fmt.Sprintf("longest `delay` between polls; delays grow from --min-delay by %gx per poll", ecrreplication.DelayGrowth))
	fs.Var(&s.expect, "expect", "wait for the destinations `REGION[:ACCOUNT],...`, also before the service lists them (repeatable; without ACCOUNT any registry in REGION counts)")
	fs.BoolVar(&s.expectFromRegistry, "expect-from-registry", false, "wait for every destination of the registry's replication rules that match the repository (DescribeRegistry)")
}

// validate checks the settings.
func (s *waitSettings) validate() error {
	switch {
	case s.timeout <= 0:
		return fmt.Errorf("--timeout %v must be greater than zero", s.timeout)
	case s.minDelay <= 0:
		return fmt.Errorf("--min-delay %v must be greater than zero", s.minDelay)
	case s.maxDelay < s.minDelay:
		return fmt.Errorf("--max-delay %v must not be less than --min-delay %v", s.maxDelay, s.minDelay)
	case len(s.expect) > 0 && s.expectFromRegistry:
		return errors.New("--expect and --expect-from-registry exclude each other: name the destinations, or let the registry's rules name them")
	}
	return nil
}

// expectList is the value of --expect: destinations as REGION[:ACCOUNT],
// comma-separated, the flag repeatable.
type expectList []ecrreplication.Destination

// String implements flag.Value.
func (l *expectList) String() string {
	var parts []string
	for _, d := range *l {
		if d.RegistryID != "" {
			parts = append(parts, d.Region+":"+d.RegistryID)
		} else {
			parts = append(parts, d.Region)
		}
	}
	return strings.Join(parts, ",")
}

// Set implements flag.Value.
func (l *expectList) Set(v string) error {
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		region, account, _ := strings.Cut(item, ":")
		if !isRegionName(region) {
			return fmt.Errorf("%s is not REGION[:ACCOUNT] with a region name such as us-west-2", quote(item))
		}
		if strings.Contains(item, ":") {
			if err := ecrreplication.ValidateRegistryID(account); err != nil {
				return fmt.Errorf("%s: the account must be a 12-digit account ID", quote(item))
			}
		}
		*l = append(*l, ecrreplication.Destination{Region: region, RegistryID: account})
	}
	return nil
}

// isRegionName reports whether s looks like an AWS region name: lower-case
// letters, digits and inner hyphens, with at least one hyphen.
func isRegionName(s string) bool {
	if !strings.Contains(s, "-") || strings.HasPrefix(s, "-") || strings.HasSuffix(s, "-") {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-')
	})
}

// waitCommand is "ecr-replication wait".
var waitCommand = &command{
	name:     "wait",
	synopsis: "wait (--repository NAME (--tag TAG | --digest DIGEST) | --image REPO:TAG|REPO@DIGEST... | --images-from FILE) [--registry-id ID] [--timeout 30m] [--min-delay D] [--max-delay D] [--expect REGION[:ACCOUNT],... | --expect-from-registry] [--rate-limit N] [--concurrency N] [--fail-fast] [global flags]",
	summary:  "wait until one image, or several, have replicated to every destination",
	help: `
Polls DescribeImageReplicationStatus until the image is COMPLETE in every
destination, and stops at once when a destination is FAILED. Transient errors
(throttling, 5xx, dropped connections) are ridden out until --timeout.

Which destinations count: with --expect, those named (also before the service
lists them); with --expect-from-registry, those of the replication rules of
the caller's registry that match the repository; otherwise every destination
the service lists, which must be at least one.

Progress goes to stderr: on a terminal one line per destination, redrawn in
place; otherwise one line whenever a status changes. --quiet silences it.

Text output (stdout) is a table of the last status; "-" means no value and
NOT_LISTED an expected destination the service does not list yet:

  REGION     REGISTRY      STATUS    FAILURE CODE
  eu-west-1  123456789012  COMPLETE  -
  us-east-2  210987654321  FAILED    REPLICATION_FAILED

JSON output (--output json) for --repository is one document on stdout,
also on failure:

  {
    "repository":     string, the repository name
    "registryId":     string, the source registry as given ("" = the caller's)
    "imageDigest":    string, the image digest as the service resolved it
    "imageTag":       string, the tag as given ("" when waiting by digest)
    "complete":       bool, every expected destination is COMPLETE
    "destinations":   [ {                 sorted by region, then registryId
        "region":      string,
        "registryId":  string,
        "status":      "IN_PROGRESS", "COMPLETE", "FAILED", or "" when the
                       service does not list an expected destination yet,
        "failureCode": string, "" unless FAILED
    } ],
    "error": {                            present only when exitCode != 0
        "code":             "ReplicationFailed" | "NoReplicationRule" |
                            "InvalidInput" | "Timeout" | "ImageNotFound" |
                            "RepositoryNotFound" | "Interrupted" |
                            "Cancelled" (--fail-fast) | "Error",
        "message":          string, for people,
        "serviceErrorCode": string, the AWS error code, when there is one,
        "requestId":        string, the AWS request ID, when there is one
    },
    "exitCode":       number, the process's exit code
    "attempts":       number, DescribeImageReplicationStatus calls made
    "elapsedSeconds": number, seconds spent waiting, to the millisecond
  }

Several images: name each with --image REPO:TAG, REPO@DIGEST or
REPO:TAG@DIGEST (one image per flag, repeatable; values are not split on
commas), or list them in a file with --images-from FILE, one per line
("-" reads stdin; blank lines and # comments are ignored); both may be
given, and an image named twice is waited for once. The digest starts at
the first '@'; the tag after the last ':' that follows the last '/'.
--image and --images-from exclude --repository, --tag and --digest;
--registry-id, --timeout, --min-delay, --max-delay, --expect and
--expect-from-registry apply to every image. Every image is checked before
any request is sent, and all problems are reported at once (exit code 2).
The images are polled together: at most --rate-limit requests per second
and --concurrency requests in flight for the whole set, and throttling
slows the whole set down. --timeout bounds the whole set. With --fail-fast
the wait ends as soon as one image cannot complete; the others end with
error.code "Cancelled" and the exit code of that failure.

Progress for a set: on a terminal a block redrawn in place (one line per
image, or only the counts for more than 20 images); otherwise one line
whenever an image's state changes, such as

  [  2.0s] team/api:v1  1/2 destinations complete
  [  3.0s] team/api:v1  COMPLETE (2 destinations)
  [  3.0s] web:v1  FAILED us-east-2 210987654321: ACCESS_DENIED

Text output for a set is one table with an IMAGE column; an image with no
known destination has one row whose STATUS is its error.code (such as
ImageNotFound).

JSON output for a set (--image or --images-from, even with one image) is
one document:

  {
    "images":         [ one object per image, in the order given, with
                        the fields of the single-image document above ],
    "complete":       bool, every image is complete,
    "error":          { "code", "message" }, present only for an error of
                      the whole set (usage, validation, configuration;
                      "images" is then empty),
    "exitCode":       number, the process's exit code: the worst of the
                      images' exit codes (see below),
    "elapsedSeconds": number, seconds spent waiting for the set
  }

The exit code of a set is the worst of its images' exit codes, in this
order: 130 > 2 > 5 > 4 > 3 > 1 > 0. Usage and validation errors (2) are
found before any request, so that nothing is sent; 2 also ranks above the
codes of other images when the service rejects an image's input.

Examples:
  ecr-replication wait --repository my-app --tag v1.4.2
  ecr-replication wait --repository my-app --tag v1.4.2 --timeout 10m \
      --expect us-west-2,eu-west-1,us-east-2:210987654321
  ecr-replication wait --repository team/api --digest "$DIGEST" \
      --expect-from-registry --output json --quiet > replication.json
  ecr-replication wait --image team/api:v1.4.2 --image team/web@sha256:... \
      --expect-from-registry
  ecr-replication wait --images-from images.txt --rate-limit 5 --fail-fast \
      --output json > replication.json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var img imageFlags
		var s waitSettings
		var set setSettings
		img.register(fs)
		s.register(fs)
		set.register(fs)
		return func(ctx context.Context, a *app, fs *flag.FlagSet) int {
			given := map[string]bool{}
			fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
			if given["image"] || given["images-from"] {
				return a.waitSet(ctx, &img, given, s, set)
			}
			var setOnly []string
			for _, name := range setOnlyFlags {
				if given[name] {
					setOnly = append(setOnly, "--"+name)
				}
			}
			return a.wait(ctx, img.input(fs), s, setOnly)
		}
	},
	setForm: mentionsImageFlags,
}

// wait runs the wait command for the one image of in (--repository form).
// All input is checked before the first request. setOnly are the flags
// given that apply only to a set of images (--image, --images-from).
func (a *app) wait(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, s waitSettings, setOnly []string) int {
	r := newResult(in)
	err := ecrreplication.ValidateInput(in)
	if err == nil {
		err = s.validate()
	}
	if err == nil && len(setOnly) > 0 {
		err = fmt.Errorf("%s apply only to a set of images: name them with --image or --images-from", strings.Join(setOnly, ", "))
	}
	if err != nil {
		r.err = err
		r.exitCode, r.errCode = exitUsage, codeInvalidInput
		return a.emit(r)
	}
	client, err := a.newClient(ctx)
	if err != nil {
		r.err = err
		r.finish(ctx)
		return a.emit(r)
	}
	return a.emit(a.waitImage(ctx, client, in, s))
}

// waitImage waits for one image with the package's waiter, showing progress
// on stderr, and returns the result.
func (a *app) waitImage(ctx context.Context, client *ecr.Client, in *ecr.DescribeImageReplicationStatusInput, s waitSettings) result {
	r := newResult(in)
	name := imageName(in)
	var prog *progress
	if !a.g.quiet {
		prog = newProgress(a.stderr, *a.env.terminal, name)
		if !prog.tty {
			prog.note("waiting up to %v for %s to replicate", s.timeout, name)
		}
	}
	attempts := 0
	waiter := ecrreplication.NewImageReplicationCompleteWaiter(client, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = s.minDelay, s.maxDelay
		o.Destinations = s.expect
		if s.expectFromRegistry {
			o.Registry = client
		}
		o.OnProgress = func(rep ecrreplication.Report) {
			a.debug.logf("poll %d: %s: %v", attempts, imageName(in), rep.Destinations)
			prog.update(rep)
		}
		o.Logger = waitLogger{a: a, prog: prog}
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("ecrReplicationCountAttempts",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					attempts++
					return next.HandleInitialize(ctx, in)
				}), middleware.Before)
		})
	})
	a.debug.logf("waiting for %s: timeout %v, delays %v to %v, expect %q, expect-from-registry %t", name, s.timeout, s.minDelay, s.maxDelay, s.expect.String(), s.expectFromRegistry)
	start := time.Now()
	report, err := waiter.WaitForReport(ctx, in, s.timeout)
	r.elapsed, r.attempts = time.Since(start), attempts
	prog.finish()
	var we *ecrreplication.WaitError
	if errors.As(err, &we) {
		report = we.Last
		r.attempts = we.Attempts
	}
	r.report, r.err, r.complete = report, err, err == nil
	r.finish(ctx)
	if err == nil && prog != nil {
		fmt.Fprintf(a.stderr, "%s: %s replicated to %d destinations in %v (%d polls)\n", programName, name, len(report.Destinations), r.elapsed.Round(100*time.Millisecond), r.attempts)
	}
	if err != nil {
		a.debug.logf("wait ended: %v", err)
	}
	return r
}

// imageName names the image of in as REPO:TAG, REPO@DIGEST or both.
func imageName(in *ecr.DescribeImageReplicationStatusInput) string {
	s := aws.ToString(in.RepositoryName)
	if in.ImageId != nil {
		if in.ImageId.ImageTag != nil {
			s += ":" + *in.ImageId.ImageTag
		}
		if in.ImageId.ImageDigest != nil {
			s += "@" + *in.ImageId.ImageDigest
		}
	}
	return s
}

// waitLogger receives the waiter's log lines: transient errors ridden out
// are shown as progress, state changes only with --debug.
type waitLogger struct {
	a    *app
	prog noter
}

// noter is a progress display that can show a message: *progress or
// *setProgress, which may be nil (--quiet).
type noter interface {
	note(format string, v ...any)
}

// Logf implements logging.Logger.
func (l waitLogger) Logf(c logging.Classification, format string, v ...any) {
	msg := strings.ReplaceAll(fmt.Sprintf(format, v...), "ecrreplication: ", "")
	l.a.debug.logf("waiter: %s", msg)
	if c == logging.Warn {
		l.prog.note("%s", msg)
	}
}
