package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/logging"
	"golang.org/x/time/rate"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/backoff"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// waitSettings are the wait command's flags other than --repository, --tag,
// --digest and --registry-id.
type waitSettings struct {
	timeout, minDelay, maxDelay   time.Duration
	expect                        expectList
	expectFromRegistry, failFast  bool
	since, metricsFile, metricsNS string
	sources                       []imageSource
	rateLimit                     float64
	concurrency                   int
}

// register defines the wait flags on fs.
func (s *waitSettings) register(fs *flag.FlagSet) {
	fs.Var(sourceFlag{&s.sources, false}, "image", "wait for the image `REF`: REPO:TAG, REPO@DIGEST, REPO:TAG@DIGEST or ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG (repeatable)")
	fs.Var(sourceFlag{&s.sources, true}, "images-from", "wait for the images of `FILE`, one per line as for --image, # comments; - reads stdin (repeatable)")
	fs.DurationVar(&s.timeout, "timeout", 30*time.Minute, "give up after this `duration`, everything included (exit code 3)")
	fs.DurationVar(&s.minDelay, "min-delay", ecrreplication.DefaultMinDelay, "shortest `delay` between polls")
	fs.DurationVar(&s.maxDelay, "max-delay", ecrreplication.DefaultMaxDelay, fmt.Sprintf("longest `delay` between polls; delays grow by %gx per poll", backoff.Growth))
	fs.Var(&s.expect, "expect", "wait for the destinations `REGION[:ACCOUNT],...`, also before they are listed (repeatable)")
	fs.BoolVar(&s.expectFromRegistry, "expect-from-registry", false, "wait for every destination of the registry's replication rules for the repository")
	fs.StringVar(&s.since, "since", ecrreplication.SinceFromPush, "count replication times from the image's `push` (needs ecr:DescribeImages) or from the wait-start")
	fs.StringVar(&s.metricsFile, "metrics-file", "", "append each replication time to `FILE` as CloudWatch Embedded Metric Format lines")
	fs.StringVar(&s.metricsNS, "metrics-namespace", "ECRReplication", "CloudWatch `namespace` of the --metrics-file metrics")
	fs.Float64Var(&s.rateLimit, "rate-limit", float64(ecrreplication.DefaultWaitAllRateLimit), "send at most `N` requests per second in all")
	fs.IntVar(&s.concurrency, "concurrency", ecrreplication.DefaultWaitAllConcurrency, "have at most `N` requests in flight")
	fs.BoolVar(&s.failFast, "fail-fast", false, "stop waiting for every image once one cannot replicate")
}

// validate checks the settings other than the images.
func (s *waitSettings) validate() problems {
	var p problems
	add := func(format string, v ...any) { p = append(p, fmt.Sprintf(format, v...)) }
	if s.timeout <= 0 {
		add("--timeout %v must be greater than zero", s.timeout)
	}
	if s.minDelay <= 0 {
		add("--min-delay %v must be greater than zero", s.minDelay)
	}
	if s.maxDelay < s.minDelay {
		add("--max-delay %v must not be less than --min-delay %v", s.maxDelay, s.minDelay)
	}
	if len(s.expect) > 0 && s.expectFromRegistry {
		add("--expect and --expect-from-registry exclude each other: name the destinations, or let the registry's rules name them")
	}
	if s.since != ecrreplication.SinceFromWaitStart && s.since != ecrreplication.SinceFromPush {
		add("--since %s is not push or wait-start", quote(s.since))
	}
	if n := len(s.metricsNS); n < 1 || n > 255 || safetext.Line(s.metricsNS, 0) != s.metricsNS {
		add("--metrics-namespace %s must be 1 to 255 printable characters", quote(s.metricsNS))
	}
	if !(s.rateLimit > 0) || math.IsInf(s.rateLimit, 0) {
		add("--rate-limit %v must be a number of requests per second greater than zero", s.rateLimit)
	}
	if s.concurrency < 1 {
		add("--concurrency %d must be at least 1", s.concurrency)
	}
	stdin := 0
	for _, src := range s.sources {
		if src.file && src.text == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		add("--images-from - is given %d times: stdin can be read once", stdin)
	}
	return p
}

// expectList is the value of --expect: destinations as REGION[:ACCOUNT],
// comma-separated, the flag repeatable.
type expectList []ecrreplication.Destination

// String implements flag.Value.
func (l *expectList) String() string {
	var parts []string
	for _, d := range *l {
		parts = append(parts, strings.TrimSuffix(d.Region+":"+d.RegistryID, ":"))
	}
	return strings.Join(parts, ",")
}

// Set implements flag.Value.
func (l *expectList) Set(v string) error {
	for item := range strings.SplitSeq(v, ",") {
		item = strings.TrimSpace(item)
		region, account, hasAccount := strings.Cut(item, ":")
		if !strings.Contains(region, "-") || strings.HasPrefix(region, "-") || strings.HasSuffix(region, "-") ||
			strings.ContainsFunc(region, func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '-') }) {
			return fmt.Errorf("%s is not REGION[:ACCOUNT] with a region name such as us-west-2", quote(item))
		}
		if hasAccount && ecrreplication.ValidateRegistryID(account) != nil {
			return fmt.Errorf("%s: the account must be a 12-digit account ID", quote(item))
		}
		*l = append(*l, ecrreplication.Destination{Region: region, RegistryID: account})
	}
	return nil
}

// waitCommand is "ecr-replication wait".
var waitCommand = &command{
	name:     "wait",
	synopsis: "wait (--repository NAME (--tag TAG | --digest DIGEST) | --image REF ... | --images-from FILE ...) [flags]",
	summary:  "wait until images have replicated to every destination",
	help: `
Polls DescribeImageReplicationStatus until each image is COMPLETE in every
expected destination; an image stops at its first FAILED one. Throttling, 5xx,
dropped connections and bad answers are ridden out under --rate-limit until
--timeout, which bounds the whole command.

Images: --repository with --tag, --digest or both (then the tag must point to
the digest, else the image is not found), or --image and --images-from, each
repeatable and read in order.
A reference is REPO:TAG, REPO@DIGEST, REPO:TAG@DIGEST or a URI as docker push
takes it, ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG (also dkr.ecr-fips,
.amazonaws.com.cn, dkr-ecr.REGION.on.aws): its account is the registry and
its region the requests' region. A --region or --registry-id that differs, or
URIs of two regions or accounts, are usage errors. --images-from: one per line,
# comments, - for stdin, at most 10,000 images and 64 KiB a line. Everything
is checked before the first request (exit code 2). An image named twice is
polled once.

Expected destinations: --expect, or the registry's rules (--expect-from-
registry), or else every destination listed, of which there must be one.

Replication times count from the image's push (--since push, one
DescribeImages call per image) or, when the push time cannot be read (a
warning says why) or with --since wait-start, from the start of the wait.
--metrics-file appends one CloudWatch EMF line per destination (metric
ReplicationTime, the upper bound, in --metrics-namespace).

Progress goes to stderr; stdout holds the document, described by
'ecr-replication schema': with --output text a verdict, a line per image that
did not replicate and a table. The exit code is the most severe outcome of the
images: 130 > 2 > 5 > 4 > 3 > 1 > 0 (--fail-fast: the others are skipped).

Examples:
  ecr-replication wait --repository my-app --tag v1.4.2 --timeout 10m --expect us-west-2,eu-west-1
  ecr-replication wait --image 123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v1.4.2 --expect-from-registry
  ecr-replication wait --images-from images.txt --fail-fast --output json > replication.json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var img imageFlags
		var s waitSettings
		img.register(fs)
		s.register(fs)
		return func(ctx context.Context, a *app, fs *flag.FlagSet) int {
			return a.wait(ctx, &img, fs, s)
		}
	},
	document: true,
}

// readTimeoutError is the error of --timeout running out while reading
// --images-from.
type readTimeoutError struct{ timeout time.Duration }

// Error says what ran out.
func (e readTimeoutError) Error() string {
	return fmt.Sprintf("--timeout %v ran out while reading --images-from", e.timeout)
}

// Is makes the error a timeout.
func (e readTimeoutError) Is(target error) bool { return target == ecrreplication.ErrWaitTimeout }

// wait runs the wait command. All input is checked before the first
// request, and nothing runs past --timeout.
func (a *app) wait(ctx context.Context, img *imageFlags, fs *flag.FlagSet, s waitSettings) int {
	start := time.Now()
	readCtx := ctx
	if s.timeout > 0 {
		var cancel context.CancelFunc
		readCtx, cancel = context.WithDeadline(ctx, start.Add(s.timeout))
		defer cancel()
	}
	given, problems := givenFlags(fs), s.validate()
	var inputs []*ecr.DescribeImageReplicationStatusInput
	if len(s.sources) == 0 {
		inputs = append(inputs, img.input(fs))
		if err := ecrreplication.ValidateInput(inputs[0]); err != nil {
			problems = append(violations(err, nil), problems...)
		}
	} else {
		var flags []string
		for _, name := range []string{"repository", "tag", "digest"} {
			if given[name] {
				flags = append(flags, "--"+name)
			}
		}
		if len(flags) > 0 {
			problems = append(problems, fmt.Sprintf("--image and --images-from exclude %s: name every image with --image or --images-from", strings.Join(flags, ", ")))
		}
		var registryID *string
		if given["registry-id"] {
			registryID = aws.String(img.registryID)
			if err := ecrreplication.ValidateRegistryID(img.registryID); err != nil {
				problems = append(problems, violations(err, nil)...)
			}
		}
		args, err := a.readImages(readCtx, s.sources)
		switch {
		case ctx.Err() != nil:
			return a.emit(ctx, nil, fmt.Errorf("interrupted while reading --images-from: %w", ctx.Err()), time.Since(start))
		case readCtx.Err() != nil:
			return a.emit(ctx, nil, readTimeoutError{s.timeout}, time.Since(start))
		case err != nil:
			problems = append(problems, err.Error())
		case len(args) == 0:
			problems = append(problems, "--images-from lists no image")
		}
		var uriRegion string
		var more []string
		inputs, uriRegion, more = imageInputs(args, registryID, a.g.region)
		problems = append(problems, more...)
		if a.g.region == "" {
			a.g.region = uriRegion
		}
	}
	if len(problems) > 0 {
		return a.usageError(problems)
	}
	if s.timeout <= s.minDelay {
		// Polls are at least --min-delay apart: the first is the only one.
		a.warn(fmt.Sprintf("--timeout %v is not longer than --min-delay %v, so the wait can poll only once", s.timeout, s.minDelay))
		a.onePollHint = fmt.Sprintf("polls are at least --min-delay %v apart, so --timeout %v left room for one poll only: raise --timeout, or lower --min-delay", s.minDelay, s.timeout)
	}
	metrics, err := openMetrics(s.metricsFile)
	if err != nil {
		return a.usageError(err)
	}
	defer metrics.close(a)
	client, err := a.newClient(ctx)
	if err != nil {
		return a.emit(ctx, nil, err, time.Since(start))
	}
	results, elapsed := a.waitAll(ctx, client, inputs, s, time.Until(start.Add(s.timeout)))
	metrics.write(a, s.metricsNS, results)
	return a.emit(ctx, results, nil, elapsed)
}

// waitAll waits for the images of inputs together, for at most remaining,
// showing progress on stderr, and returns one result per input and the time
// the set took.
func (a *app) waitAll(ctx context.Context, client *ecr.Client, inputs []*ecr.DescribeImageReplicationStatusInput, s waitSettings, remaining time.Duration) ([]result, time.Duration) {
	results := make([]result, len(inputs))
	for i, in := range inputs {
		results[i] = newResult(in)
	}
	single := len(inputs) == 1
	what, limits := plural(len(inputs), "image"), fmt.Sprintf(" (at most %g requests/s, %d in flight)", s.rateLimit, s.concurrency)
	if single {
		what, limits = results[0].name, ""
	}
	burst := int(max(1, min(math.Ceil(s.rateLimit), float64(ecrreplication.DefaultWaitAllBurst))))
	var prog *progress
	if !a.g.quiet {
		prog = newProgress(a.stderr, *a.env.terminal, what)
		prog.note("waiting up to %s for %s to replicate%s", human(s.timeout), what, limits)
	}
	a.debug.logf("waiting for %s: timeout %v, delays %v to %v, expect %q, expect-from-registry %t, since %s, rate limit %g/s (burst %d), concurrency %d, fail-fast %t",
		what, s.timeout, s.minDelay, s.maxDelay, s.expect.String(), s.expectFromRegistry, s.since, s.rateLimit, burst, s.concurrency, s.failFast)
	pushed := &pushTimes{client: client}
	start := time.Now()
	reports, err := ecrreplication.WaitAll(ctx, client, inputs, max(remaining, time.Nanosecond), func(o *ecrreplication.WaitAllOptions) {
		o.RateLimit, o.Burst, o.MaxConcurrency, o.FailFast = rate.Limit(s.rateLimit), burst, s.concurrency, s.failFast
		o.OnProgress = func(reports []*ecrreplication.Report) {
			for i, rep := range reports {
				if rep != nil && !results[i].done {
					results[i].report = rep
					if results[i].firstAnswer.IsZero() {
						results[i].firstAnswer = time.Now()
					}
				}
			}
			prog.update(progressRows(results, single))
		}
		o.OnImageDone = func(i int, report *ecrreplication.Report, err error) {
			results[i].report, results[i].err, results[i].done = report, err, true
			settle(ctx, results, i)
			prog.update(progressRows(results, single))
		}
		o.WaiterOptions = append(o.WaiterOptions, func(wo *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			wo.MinDelay, wo.MaxDelay, wo.Destinations = s.minDelay, s.maxDelay, s.expect
			if s.expectFromRegistry {
				wo.Registry = client
			}
			if s.since == ecrreplication.SinceFromPush {
				wo.Images = pushed
			}
			wo.Logger = waitLogger{a: a, prog: prog}
		})
	})
	elapsed := time.Since(start)
	if err != nil {
		a.debug.logf("wait ended: %v", err)
	}
	var all *ecrreplication.WaitAllError
	for i := range results {
		r := &results[i]
		if i < len(reports) && reports[i] != nil {
			r.report = reports[i]
		}
		r.err = nil
		switch {
		case errors.As(err, &all) && len(all.Errors) == len(inputs):
			r.err = all.Errors[i]
		case len(reports) != len(inputs):
			r.err = err
		}
	}
	for i := range results {
		settle(ctx, results, i)
	}
	prog.update(progressRows(results, single))
	prog.finish()
	if n, why := pushed.fallbacks(results); n > 0 {
		a.warn(fmt.Sprintf("the replication times of %s count from the start of the wait: the push time could not be read (%s); allow ecr:DescribeImages, or pass --since wait-start", plural(n, "image"), why))
	}
	return results, elapsed
}

// settle settles the result of image i; a skipped image takes the exit
// code of the image that stopped the set, which its reason names.
func settle(ctx context.Context, results []result, i int) {
	r := &results[i]
	r.settle(ctx, false)
	var sk *ecrreplication.SkippedError
	if r.outcome == skipped && errors.As(r.err, &sk) && sk.Index < len(results) {
		other := &results[sk.Index]
		other.settle(ctx, false)
		r.err = fmt.Errorf("waiting for %s: stopped because %s could not complete (--fail-fast)", r.name, other.name)
		r.reason, r.exit = fmt.Sprintf("skipped: %s did not replicate (--fail-fast)", other.name), other.exit
	}
}

// pushTimes reads the images' push times for the wait (WaiterOptions.
// Images) and keeps why the first that could not be read could not, so that
// a denied ecr:DescribeImages is told once, not once per image.
type pushTimes struct {
	client *ecr.Client
	mu     sync.Mutex
	why    string
}

// DescribeImages calls the client's and notes the first failure.
func (p *pushTimes) DescribeImages(ctx context.Context, in *ecr.DescribeImagesInput, optFns ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error) {
	out, err := p.client.DescribeImages(ctx, in, optFns...)
	why := "DescribeImages gave no push time"
	if err != nil {
		why = plain(ecrreplication.MapError(err))
	} else if slices.ContainsFunc(out.ImageDetails, func(d types.ImageDetail) bool { return d.ImagePushedAt != nil }) {
		return out, nil
	}
	p.mu.Lock()
	if p.why == "" {
		p.why = why
	}
	p.mu.Unlock()
	return out, err
}

// fallbacks counts the images answered whose times count from the start of
// the wait, and says why.
func (p *pushTimes) fallbacks(results []result) (int, string) {
	n := 0
	for _, r := range results {
		if r.report.Answers > 0 && r.report.SinceSource == ecrreplication.SinceFromWaitStart && !r.report.Duplicate {
			n++
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.why == "" {
		n = 0
	}
	return n, p.why
}

// waitLogger receives the waiter's log lines: transient errors ridden out
// are shown as progress, every line with --debug.
type waitLogger struct {
	a    *app
	prog *progress
}

// Logf implements logging.Logger. The waiter's line per image whose push
// time is unknown is left to --debug: pushTimes tells it once.
func (l waitLogger) Logf(c logging.Classification, format string, v ...any) {
	msg := strings.TrimPrefix(fmt.Sprintf(format, v...), "ecrreplication: ")
	l.a.debug.logf("waiter: %s", msg)
	if c == logging.Warn && !strings.Contains(format, "push time unknown") {
		l.prog.note("%s", msg)
	}
}
