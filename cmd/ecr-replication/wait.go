package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/logging"
	"golang.org/x/time/rate"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/backoff"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// waitSettings are the wait command's flags other than --repository, --tag,
// --digest and --registry-id.
type waitSettings struct {
	timeout            time.Duration
	minDelay, maxDelay time.Duration
	expect             expectList
	expectFromRegistry bool
	since              string
	metricsFile        string
	metricsNamespace   string
	// The images of a set, and how the set is polled.
	images      imageArgs
	imagesFrom  string
	rateLimit   float64
	concurrency int
	failFast    bool
}

// register defines the wait flags on fs.
func (s *waitSettings) register(fs *flag.FlagSet) {
	fs.DurationVar(&s.timeout, "timeout", 30*time.Minute, "give up after this `duration`, everything included (exit code 3)")
	fs.DurationVar(&s.minDelay, "min-delay", ecrreplication.DefaultMinDelay, "shortest `delay` between polls")
	fs.DurationVar(&s.maxDelay, "max-delay", ecrreplication.DefaultMaxDelay, fmt.Sprintf("longest `delay` between polls; delays grow from --min-delay by %gx per poll", backoff.Growth))
	fs.Var(&s.expect, "expect", "wait for the destinations `REGION[:ACCOUNT],...`, also before the service lists them (repeatable; without ACCOUNT any registry in REGION counts)")
	fs.BoolVar(&s.expectFromRegistry, "expect-from-registry", false, "wait for every destination of the registry's replication rules that match the repository (DescribeRegistry)")
	fs.StringVar(&s.since, "since", ecrreplication.SinceFromWaitStart, "count replication times from `wait-start` or from the image's push (push: one DescribeImages call per image, needs ecr:DescribeImages; falls back to wait-start)")
	fs.StringVar(&s.metricsFile, "metrics-file", "", "append each destination's replication time to `FILE` as CloudWatch Embedded Metric Format lines")
	fs.StringVar(&s.metricsNamespace, "metrics-namespace", "ECRReplication", "CloudWatch `namespace` of the --metrics-file metrics")
	fs.Var(&s.images, "image", "wait for the image `REPO:TAG`, REPO@DIGEST or REPO:TAG@DIGEST (repeatable, one image per flag; excludes --repository, --tag and --digest)")
	fs.StringVar(&s.imagesFrom, "images-from", "", "wait for the images listed in `FILE`, one per line as for --image; blank lines and # comments are ignored; - reads stdin")
	fs.Float64Var(&s.rateLimit, "rate-limit", float64(ecrreplication.DefaultWaitAllRateLimit), "send at most `N` requests per second for the whole set of images; throttling halves the rate for a while")
	fs.IntVar(&s.concurrency, "concurrency", ecrreplication.DefaultWaitAllConcurrency, "have at most `N` requests in flight for the whole set of images")
	fs.BoolVar(&s.failFast, "fail-fast", false, "stop waiting for every image as soon as one cannot complete (failed, not found, ...)")
}

// validate checks the settings other than the images, and returns every
// problem found.
func (s *waitSettings) validate() problems {
	var problems problems
	add := func(format string, v ...any) { problems = append(problems, fmt.Sprintf(format, v...)) }
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
		add("--since %s is not wait-start or push", quote(s.since))
	}
	if n := len(s.metricsNamespace); n < 1 || n > 255 || safetext.Line(s.metricsNamespace, 0) != s.metricsNamespace {
		add("--metrics-namespace %s must be 1 to 255 printable characters", quote(s.metricsNamespace))
	}
	if !(s.rateLimit > 0) || math.IsInf(s.rateLimit, 0) {
		add("--rate-limit %v must be a number of requests per second greater than zero", s.rateLimit)
	}
	if s.concurrency < 1 {
		add("--concurrency %d must be at least 1", s.concurrency)
	}
	return problems
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
	synopsis: "wait (--repository NAME (--tag TAG | --digest DIGEST) | --image REPO:TAG|REPO@DIGEST... | --images-from FILE) [--registry-id ID] [--timeout 30m] [--min-delay D] [--max-delay D] [--expect REGION[:ACCOUNT],... | --expect-from-registry] [--since wait-start|push] [--metrics-file FILE] [--rate-limit N] [--concurrency N] [--fail-fast] [global flags]",
	summary:  "wait until one image, or several, have replicated to every destination",
	help: `
Polls DescribeImageReplicationStatus until the image is COMPLETE in every
expected destination, and stops at once when one is FAILED. Throttling, 5xx,
dropped connections and unreadable or oversized answers are ridden out until
--timeout, which bounds the whole command, output included. The AWS SDK's own
retries are off: the wait's schedule retries, under --rate-limit.

Expected destinations: those of --expect (also before the service lists
them), or those of the registry's replication rules that match the repository
(--expect-from-registry), or else every destination the service lists, of
which there must be one. Answer entries that name no region are left out.

A set of images: --image REPO:TAG, REPO@DIGEST or REPO:TAG@DIGEST (one per
flag), or --images-from FILE, one per line ("-" is stdin; blank lines and
# comments are ignored; at most 10,000 images). All are checked before any
request (exit code 2), polled together under --rate-limit and --concurrency,
and bounded by one --timeout. --fail-fast stops the set at the first image
that cannot complete (the others: error.code Cancelled). A set exits with the
worst of its images' exit codes: 130 > 2 > 5 > 4 > 3 > 1 > 0.

Replication time: for a destination seen COMPLETE, the interval in which it
completed, "12–15 s", or "≤ 15 s" when it was COMPLETE at the first poll,
counted from the start of the wait or, with --since push, from the image's
push (one DescribeImages call per image; when the push time cannot be read,
from the wait's start, with a warning). --metrics-file appends one CloudWatch
Embedded Metric Format line per such destination: metric ReplicationTime
(Seconds, the upper bound) in --metrics-namespace, dimensions
DestinationRegion and DestinationRegistry, both bounds in the record.

Progress goes to stderr: redrawn in place on a terminal, one line per change
otherwise; --quiet silences it and the warnings. stdout holds a table (with
an IMAGE column for a set) or, with --output json, one JSON document, also
on failure, described by 'ecr-replication schema'; --output markdown gives a
one-line verdict and a Markdown table (for $GITHUB_STEP_SUMMARY or a pull
request), --output github GitHub Actions annotations for the images that did
not complete. An image named twice (by tag and by its digest, say) is polled
once and counted once; each --image keeps its entry.

Examples:
  ecr-replication wait --repository my-app --tag v1.4.2
  ecr-replication wait --repository my-app --tag v1.4.2 --timeout 10m \
      --expect us-west-2,eu-west-1,us-east-2:210987654321
  ecr-replication wait --repository team/api --digest "$DIGEST" \
      --expect-from-registry --since push --metrics-file emf.log --output json --quiet > replication.json
  ecr-replication wait --image team/api:v1.4.2 --image team/web@sha256:... \
      --expect-from-registry
  ecr-replication wait --images-from images.txt --rate-limit 5 --fail-fast \
      --output json > replication.json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var img imageFlags
		var s waitSettings
		img.register(fs)
		s.register(fs)
		return func(ctx context.Context, a *app, fs *flag.FlagSet) int {
			return a.wait(ctx, &img, fs, s)
		}
	},
	setForm: mentionsImageFlags,
}

// wait runs the wait command: for the one image of --repository, or for
// the set of --image and --images-from, always as a set with
// ecrreplication.WaitAll. All input is checked before the first request,
// and nothing runs past --timeout.
func (a *app) wait(ctx context.Context, img *imageFlags, fs *flag.FlagSet, s waitSettings) int {
	deadline := time.Now().Add(s.timeout)
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	a.setForm = given["image"] || given["images-from"]
	inputs, problems := a.waitInputs(img, fs, given, s)
	one := newResult(nil)
	if !a.setForm {
		one = newResult(inputs[0])
	}
	if len(problems) > 0 {
		return a.invalid(one, problems)
	}
	if s.timeout <= s.minDelay {
		// Polls are at least --min-delay apart: the first is the only one.
		a.warn(fmt.Sprintf("--timeout %v is not longer than --min-delay %v, so the wait can poll only once", s.timeout, s.minDelay))
		a.onePollHint = fmt.Sprintf("polls are at least --min-delay %v apart, so --timeout %v left room for one poll only: raise --timeout, or lower --min-delay", s.minDelay, s.timeout)
	}
	metrics, err := openMetrics(s.metricsFile)
	if err != nil {
		return a.invalid(one, err)
	}
	defer metrics.close(a)
	client, err := a.newClient(ctx)
	if err != nil {
		one.err = err
		one.classify(ctx)
		return a.fail(one)
	}
	results, elapsed := a.waitAll(ctx, client, inputs, s, time.Until(deadline))
	metrics.write(a, s.metricsNamespace, results)
	code := a.emit(results, nil, elapsed)
	a.summarize(results, elapsed, code)
	return code
}

// waitInputs returns the requests to wait for, one per image given, in the
// order given (WaitAll polls an image named twice once), and every problem
// with them and with the settings. Without --image and --images-from there
// is one request, made from --repository, --tag, --digest and
// --registry-id, valid or not.
func (a *app) waitInputs(img *imageFlags, fs *flag.FlagSet, given map[string]bool, s waitSettings) ([]*ecr.DescribeImageReplicationStatusInput, problems) {
	problems := s.validate()
	if !a.setForm {
		in := img.input(fs)
		if err := ecrreplication.ValidateInput(in); err != nil {
			problems = append(violations(err, nil), problems...)
		}
		return []*ecr.DescribeImageReplicationStatusInput{in}, problems
	}
	var both []string
	for _, name := range []string{"repository", "tag", "digest"} {
		if given[name] {
			both = append(both, "--"+name)
		}
	}
	if len(both) > 0 {
		problems = append(problems, fmt.Sprintf("--image and --images-from exclude %s: name every image with --image or --images-from, and the registry with --registry-id", strings.Join(both, ", ")))
	}
	var registryID *string
	if given["registry-id"] {
		registryID = aws.String(img.registryID)
		if err := ecrreplication.ValidateRegistryID(img.registryID); err != nil {
			problems = append(problems, violations(err, nil)...)
		}
	}
	args := s.images
	if given["images-from"] {
		fromFile, err := readImageArgs(s.imagesFrom, a.env.stdin)
		if err != nil {
			problems = append(problems, err.Error())
		} else if len(fromFile) == 0 && len(args) == 0 {
			problems = append(problems, fmt.Sprintf("--images-from %s lists no image", quote(s.imagesFrom)))
		}
		args = append(args[:len(args):len(args)], fromFile...)
	}
	var inputs []*ecr.DescribeImageReplicationStatusInput
	for _, arg := range args {
		ref, err := parseImageRef(arg.text)
		if err != nil {
			problems = append(problems, fmt.Sprintf("image %s (%s) %v", quote(arg.text), arg.source, err))
			continue
		}
		in := ref.input(registryID)
		if err := ecrreplication.ValidateInput(in); err != nil {
			problems = append(problems, violations(err, &arg)...)
			continue
		}
		inputs = append(inputs, in)
	}
	return inputs, problems
}

// maxProblems is how many problems of the input are reported one by one;
// the rest are counted.
const maxProblems = 10

// problems is a usage error made of several problems, each on its own
// line: the first maxProblems, and how many more there are.
type problems []string

// Error returns the problems, one per line.
func (p problems) Error() string { return strings.Join(p.lines(), "\n  ") }

// lines returns the lines to print.
func (p problems) lines() []string {
	if len(p) > maxProblems {
		return append(p[:maxProblems:maxProblems], fmt.Sprintf("and %d more problems", len(p)-maxProblems))
	}
	return p
}

// waitAll waits for the images of inputs together, for at most remaining,
// showing progress on stderr, and returns one result per input and the time
// the set took.
func (a *app) waitAll(ctx context.Context, client *ecr.Client, inputs []*ecr.DescribeImageReplicationStatusInput, s waitSettings, remaining time.Duration) ([]result, time.Duration) {
	results := make([]result, len(inputs))
	names := make([]string, len(inputs))
	for i, in := range inputs {
		results[i] = newResult(in)
		names[i] = results[i].name
	}
	burst := int(max(1, min(math.Ceil(s.rateLimit), float64(ecrreplication.DefaultWaitAllBurst))))
	what, limits := fmt.Sprintf("%d images", distinctImages(inputs)), fmt.Sprintf(" (at most %g requests/s, %d in flight)", s.rateLimit, s.concurrency)
	if !a.setForm {
		what, limits = names[0], ""
	}
	var prog *progress
	if !a.g.quiet {
		prog = newProgress(a.stderr, *a.env.terminal, names, !a.setForm)
		prog.note("waiting up to %v for %s to replicate%s", s.timeout.Round(time.Millisecond), what, limits)
	}
	a.debug.logf("waiting for %s: timeout %v, delays %v to %v, expect %q, expect-from-registry %t, since %s, rate limit %g/s (burst %d), concurrency %d, fail-fast %t",
		what, s.timeout, s.minDelay, s.maxDelay, s.expect.String(), s.expectFromRegistry, s.since, s.rateLimit, burst, s.concurrency, s.failFast)
	start := time.Now()
	reports, err := ecrreplication.WaitAll(ctx, client, inputs, max(remaining, time.Nanosecond), func(o *ecrreplication.WaitAllOptions) {
		o.RateLimit, o.Burst, o.MaxConcurrency, o.FailFast = rate.Limit(s.rateLimit), burst, s.concurrency, s.failFast
		o.OnProgress = prog.update
		o.OnImageDone = func(i int, report *ecrreplication.Report, err error) {
			// Show an image's end at once, also one with no new answer
			// (not found, skipped).
			r := results[i]
			r.report, r.err, r.complete = report, err, err == nil
			r.classify(ctx)
			prog.ended(i, finalState(r))
		}
		o.WaiterOptions = append(o.WaiterOptions, func(wo *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			wo.MinDelay, wo.MaxDelay, wo.Destinations = s.minDelay, s.maxDelay, s.expect
			if s.expectFromRegistry {
				wo.Registry = client
			}
			if s.since == ecrreplication.SinceFromPush {
				wo.Images = client
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
		switch {
		case errors.As(err, &all) && len(all.Errors) == len(inputs):
			r.err = all.Errors[i]
		case len(reports) != len(inputs):
			r.err = err
		}
		r.complete = r.err == nil
		r.classify(ctx)
	}
	for i := range results {
		var skipped *ecrreplication.SkippedError
		if r := &results[i]; r.exitCode != exitInterrupted && errors.As(r.err, &skipped) && skipped.Index < len(results) {
			r.err = fmt.Errorf("waiting for %s: stopped because %s could not complete (--fail-fast)", r.name, results[skipped.Index].name)
			r.errCode, r.exitCode = codeCancelled, results[skipped.Index].exitCode
		}
	}
	prog.finish(results)
	return results, elapsed
}

// summarize prints, unless --quiet, how the wait went: the images
// replicated, the time and polls it took, and what the replication times
// count from. A single image that did not complete has its error instead.
func (a *app) summarize(results []result, elapsed time.Duration, code int) {
	if a.g.quiet || !a.setForm && code != exitOK {
		return
	}
	images, complete, polls, destinations, from := 0, 0, 0, 0, map[string]bool{}
	for _, r := range results {
		if r.report.Duplicate { // an image named twice counts once
			continue
		}
		images++
		polls += r.report.Attempts
		if r.err == nil {
			complete++
		}
		for _, d := range r.report.Destinations {
			if _, _, ok := d.ReplicationTime(r.report.Since); ok {
				from[r.report.SinceSource] = true
			}
			if !d.Extra {
				destinations++
			}
		}
	}
	line := fmt.Sprintf("%d of %d images replicated", complete, images)
	switch {
	case !a.setForm:
		line = fmt.Sprintf("%s replicated to %d destinations", results[0].name, destinations)
	case complete == images:
		line = fmt.Sprintf("%d images replicated", complete)
	}
	line += fmt.Sprintf(" in %v (%d polls)", elapsed.Round(100*time.Millisecond), polls)
	if code != exitOK {
		line += fmt.Sprintf("; exit code %d", code)
	}
	switch push, start := from[ecrreplication.SinceFromPush], from[ecrreplication.SinceFromWaitStart]; {
	case push && start:
		line += "; replication times count from the image's push where it could be read, else from the wait's start"
	case push:
		line += "; replication times count from the image's push"
	case start:
		line += "; replication times count from the wait's start"
	}
	a.say("%s", line)
}

// waitLogger receives the waiter's log lines: transient errors ridden out
// and measurement fallbacks (warnings) are shown as progress, every line
// with --debug.
type waitLogger struct {
	a    *app
	prog *progress
}

// Logf implements logging.Logger.
func (l waitLogger) Logf(c logging.Classification, format string, v ...any) {
	msg := unprefixed(fmt.Sprintf(format, v...))
	l.a.debug.logf("waiter: %s", msg)
	if c == logging.Warn {
		l.prog.note("%s", msg)
	}
}

// notFoundText says which of an image and its repository is not found.
func notFoundText(err error) string {
	if errors.Is(err, ecrreplication.ErrRepositoryNotFound) {
		return "REPOSITORY NOT FOUND"
	}
	return "IMAGE NOT FOUND"
}
