package main

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
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

// waitSettings are the wait command's flags but the image flags.
type waitSettings struct {
	timeout, minDelay, maxDelay   time.Duration
	expect                        []ecrreplication.Destination
	expectFromRegistry, failFast  bool
	since, metricsFile, metricsNS string
	sources                       []imageArg
	rateLimit                     float64
	concurrency                   int
}

// register defines the wait flags on fs.
func (s *waitSettings) register(fs *flag.FlagSet) {
	source := func(flag string) func(string) error {
		return func(v string) error { s.sources = append(s.sources, imageArg{v, flag}); return nil }
	}
	fs.Func("image", "wait for the image `REF`: REPO:TAG, REPO@DIGEST, REPO:TAG@DIGEST or ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG (repeatable)", source("--image"))
	fs.Func("images-from", "wait for the images of `FILE`, one per line as for --image (# comments, 64 KiB a line, 10,000 images in all); - reads stdin (repeatable)", source("--images-from"))
	fs.DurationVar(&s.timeout, "timeout", 30*time.Minute, "give up after this `duration`, everything included (exit code 3)")
	fs.DurationVar(&s.minDelay, "min-delay", ecrreplication.DefaultMinDelay, "shortest `delay` between polls")
	fs.DurationVar(&s.maxDelay, "max-delay", ecrreplication.DefaultMaxDelay, fmt.Sprintf("longest `delay` between polls; delays grow by %gx per poll", backoff.Growth))
	fs.Func("expect", "wait for the destinations `REGION[:ACCOUNT],...`, also before they are listed (repeatable)", s.addExpected)
	fs.BoolVar(&s.expectFromRegistry, "expect-from-registry", false, "wait for every destination of the registry's replication rules for the repository")
	fs.StringVar(&s.since, "since", ecrreplication.SinceFromPush, "count replication times from the image's `push` (needs ecr:DescribeImages, else a warning and the wait's start) or from the wait-start")
	fs.StringVar(&s.metricsFile, "metrics-file", "", "append each replication time to `FILE` as CloudWatch Embedded Metric Format lines")
	fs.StringVar(&s.metricsNS, "metrics-namespace", "ECRReplication", "CloudWatch `namespace` of the --metrics-file metrics")
	fs.Float64Var(&s.rateLimit, "rate-limit", float64(ecrreplication.DefaultWaitAllRateLimit), "send at most `N` requests per second in all")
	fs.IntVar(&s.concurrency, "concurrency", ecrreplication.DefaultWaitAllConcurrency, "have at most `N` requests in flight")
	fs.BoolVar(&s.failFast, "fail-fast", false, "stop waiting for every image once one cannot replicate")
}

// addExpected adds the destinations of one --expect, REGION[:ACCOUNT],...
func (s *waitSettings) addExpected(v string) error {
	for item := range strings.SplitSeq(v, ",") {
		region, account, hasAccount := strings.Cut(strings.TrimSpace(item), ":")
		if !strings.Contains(strings.Trim(region, "-"), "-") || !isRegionName(region) {
			return fmt.Errorf("%s is not REGION[:ACCOUNT] with a region name such as us-west-2", quote(strings.TrimSpace(item)))
		} else if hasAccount && ecrreplication.ValidateRegistryID(account) != nil {
			return fmt.Errorf("%s: the account must be a 12-digit account ID", quote(strings.TrimSpace(item)))
		}
		s.expect = append(s.expect, ecrreplication.Destination{Region: region, RegistryID: account})
	}
	return nil
}

// validate checks the settings but the images.
func (s *waitSettings) validate() (p problems) {
	check := func(bad bool, format string, v ...any) {
		if bad {
			p = append(p, fmt.Sprintf(format, v...))
		}
	}
	check(s.timeout <= 0, "--timeout %v must be greater than zero", s.timeout)
	check(s.minDelay <= 0, "--min-delay %v must be greater than zero", s.minDelay)
	check(s.maxDelay < s.minDelay, "--max-delay %v must not be less than --min-delay %v", s.maxDelay, s.minDelay)
	check(len(s.expect) > 0 && s.expectFromRegistry, "--expect and --expect-from-registry exclude each other: name the destinations, or let the registry's rules name them")
	check(s.since != ecrreplication.SinceFromWaitStart && s.since != ecrreplication.SinceFromPush, "--since %s is not push or wait-start", quote(s.since))
	check(len(s.metricsNS) < 1 || len(s.metricsNS) > 255 || safetext.Line(s.metricsNS, 0) != s.metricsNS, "--metrics-namespace %s must be 1 to 255 printable characters", quote(s.metricsNS))
	check(!(s.rateLimit > 0) || math.IsInf(s.rateLimit, 0), "--rate-limit %v must be a number of requests per second greater than zero", s.rateLimit)
	check(s.concurrency < 1, "--concurrency %d must be at least 1", s.concurrency)
	check(len(slices.DeleteFunc(slices.Clone(s.sources), func(src imageArg) bool { return src != imageArg{"-", "--images-from"} })) > 1, "--images-from - is given twice: stdin can be read once")
	return p
}

// waitCommand is "ecr-replication wait".
var waitCommand = &command{
	name:     "wait",
	synopsis: "wait (--repository NAME (--tag TAG | --digest DIGEST) | --image REF ... | --images-from FILE ...) [flags]",
	summary:  "wait until images have replicated to every destination",
	help: `
Polls DescribeImageReplicationStatus until each image is COMPLETE in every
expected destination (--expect, --expect-from-registry, else those listed) or
FAILED in one; errors that pass are ridden out until --timeout, which bounds
the whole command. An image URI's account and region are the request's: a
--registry-id or --region that differs, or URIs of two regions or accounts,
are usage errors. Progress goes to stderr, the document to stdout
('ecr-replication schema').

Examples:
  ecr-replication wait --repository my-app --tag v1.4.2 --expect us-west-2,eu-west-1
  ecr-replication wait --images-from images.txt --fail-fast --output json > result.json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var img imageFlags
		var s waitSettings
		img.register(fs)
		s.register(fs)
		return func(ctx context.Context, a *app, fs *flag.FlagSet) int { return a.wait(ctx, &img, givenFlags(fs), s) }
	},
	document: true,
}

// wait runs the wait command: every input is checked before the first
// request, and nothing runs past --timeout.
func (a *app) wait(ctx context.Context, img *imageFlags, given map[string]bool, s waitSettings) int {
	start, readCtx, problems := time.Now(), ctx, s.validate()
	if s.timeout > 0 {
		var cancel context.CancelFunc
		readCtx, cancel = context.WithDeadline(ctx, start.Add(s.timeout))
		defer cancel()
	}
	var inputs []*ecr.DescribeImageReplicationStatusInput
	if len(s.sources) == 0 {
		in, p := img.input(given)
		inputs, problems = append(inputs, in), append(p, problems...)
	} else {
		var both []string
		for _, name := range []string{"repository", "tag", "digest"} {
			if given[name] {
				both = append(both, "--"+name)
			}
		}
		if len(both) > 0 {
			problems = append(problems, "--image and --images-from exclude "+strings.Join(both, ", ")+": name every image with --image or --images-from")
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
			return a.emit(ctx, nil, &explainedError{fmt.Sprintf("--timeout %v ran out while reading --images-from", s.timeout),
				"--images-from - reads stdin until it is closed: close it after the last image", ecrreplication.ErrWaitTimeout}, time.Since(start))
		case err != nil:
			problems = append(problems, err.Error())
		case len(args) == 0:
			problems = append(problems, "--images-from lists no image")
		}
		var uriRegion string
		var more []string
		inputs, uriRegion, more = imageInputs(args, registryID, a.g.region)
		problems, a.g.region = append(problems, more...), cmp.Or(a.g.region, uriRegion)
	}
	if len(problems) > 0 {
		return a.usageError(problems)
	}
	if s.timeout <= s.minDelay { // polls are at least --min-delay apart: one poll only
		a.warn(fmt.Sprintf("--timeout %v is not longer than --min-delay %v, so the wait can poll only once", s.timeout, s.minDelay))
		a.onePollHint = fmt.Sprintf("polls are at least --min-delay %v apart, so --timeout %v left room for one poll only: raise --timeout, or lower --min-delay", s.minDelay, s.timeout)
	}
	metrics, err := openAppend("--metrics-file", s.metricsFile)
	if err != nil {
		return a.usageError(err)
	}
	client, err := a.newClient(ctx)
	if err != nil {
		metrics.Close()
		return a.emit(ctx, nil, err, time.Since(start))
	}
	results, elapsed := a.waitAll(ctx, client, inputs, s, time.Until(start.Add(s.timeout)))
	if err := writeMetrics(metrics, s.metricsNS, results); err != nil {
		a.say("warning: --metrics-file: %v", err)
	}
	return a.emit(ctx, results, nil, elapsed)
}

// waitAll waits for the images of inputs together for at most remaining,
// showing progress, and returns their results and the time the set took.
func (a *app) waitAll(ctx context.Context, client *ecr.Client, inputs []*ecr.DescribeImageReplicationStatusInput, s waitSettings, remaining time.Duration) ([]result, time.Duration) {
	results := make([]result, len(inputs))
	for i, in := range inputs {
		results[i] = newResult(in)
	}
	single, what := len(inputs) == 1, plural(len(inputs), "image")
	limits := fmt.Sprintf(" (at most %g requests/s, %d in flight)", s.rateLimit, s.concurrency)
	if single {
		what, limits = results[0].name, ""
	}
	var prog *progress
	if !a.g.quiet {
		prog = &progress{w: a.stderr, start: time.Now(), shown: map[string]string{}}
		prog.note("waiting up to %s for %s to replicate%s", human(s.timeout), what, limits)
	}
	burst := int(max(1, min(math.Ceil(s.rateLimit), float64(ecrreplication.DefaultWaitAllBurst))))
	a.debug.logf("waiting for %s: timeout %v, delays %v to %v, expect %v, expect-from-registry %t, since %s, rate limit %g/s (burst %d), concurrency %d, fail-fast %t",
		what, s.timeout, s.minDelay, s.maxDelay, s.expect, s.expectFromRegistry, s.since, s.rateLimit, burst, s.concurrency, s.failFast)
	// The waiter's warnings (transient errors ridden out) are progress, every
	// line of it is --debug.
	logger := logging.LoggerFunc(func(c logging.Classification, format string, v ...any) {
		msg := strings.TrimPrefix(fmt.Sprintf(format, v...), "ecrreplication: ")
		if a.debug.logf("waiter: %s", msg); c == logging.Warn {
			prog.note("%s", msg)
		}
	})
	pushed, start := &pushTimes{client: client}, time.Now()
	reports, err := ecrreplication.WaitAll(ctx, client, inputs, max(remaining, time.Nanosecond), func(o *ecrreplication.WaitAllOptions) {
		o.RateLimit, o.Burst, o.MaxConcurrency, o.FailFast = rate.Limit(s.rateLimit), burst, s.concurrency, s.failFast
		o.OnProgress = func(reports []*ecrreplication.Report) {
			for i, rep := range reports {
				if r := &results[i]; rep != nil && !r.done {
					r.report, r.firstAnswer = rep, cmp.Or(r.firstAnswer, time.Now())
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
			wo.MinDelay, wo.MaxDelay, wo.Destinations, wo.Logger = s.minDelay, s.maxDelay, s.expect, logger
			if s.expectFromRegistry {
				wo.Registry = client
			}
			if s.since == ecrreplication.SinceFromPush {
				wo.Images = pushed
			}
		})
	})
	elapsed := time.Since(start)
	a.debug.logf("wait ended: %v", err)
	var all *ecrreplication.WaitAllError
	for i := range results {
		if i < len(reports) && reports[i] != nil {
			results[i].report = reports[i]
		}
		switch results[i].err = nil; {
		case errors.As(err, &all) && len(all.Errors) == len(inputs):
			results[i].err = all.Errors[i]
		case len(reports) != len(inputs):
			results[i].err = err
		}
	}
	for i := range results {
		settle(ctx, results, i)
	}
	prog.update(progressRows(results, single))
	n := 0
	for _, r := range results {
		if r.report.Answers > 0 && r.report.SinceSource == ecrreplication.SinceFromWaitStart && !r.report.Duplicate {
			n++
		}
	}
	if pushed.mu.Lock(); n > 0 && pushed.why != "" {
		a.warn(fmt.Sprintf("the replication times of %s count from the start of the wait: the push time could not be read (%s); allow ecr:DescribeImages, or pass --since wait-start", plural(n, "image"), pushed.why))
	}
	pushed.mu.Unlock()
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

// pushTimes reads the push times for the wait (WaiterOptions.Images) and
// keeps why the first could not be read: a denied ecr:DescribeImages is
// told once, not once per image.
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
	p.why = cmp.Or(p.why, why)
	p.mu.Unlock()
	return out, err
}

// openAppend opens the file at path of a flag for appending, creating it;
// nil for "".
func openAppend(flag, path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return f, nil
}

// writeMetrics appends to f, and closes it, a CloudWatch Embedded Metric
// Format record per destination whose replication time is known, stamped
// when the wait saw it COMPLETE. The metric is the upper bound, so that an
// alarm never misses a slow replication; both bounds are in the record.
func writeMetrics(f *os.File, namespace string, results []result) error {
	if f == nil {
		return nil
	}
	w := bufio.NewWriter(f)
	directive := []any{map[string]any{
		"Namespace":  namespace,
		"Dimensions": [][]string{{"DestinationRegion", "DestinationRegistry"}},
		"Metrics":    []any{map[string]string{"Name": "ReplicationTime", "Unit": "Seconds"}},
	}}
	for _, r := range results {
		rep := r.report
		for _, d := range rep.Destinations {
			lo, hi, ok := d.ReplicationTime(rep.Since)
			if !ok || rep.Duplicate {
				continue
			}
			record := map[string]any{
				"_aws":              map[string]any{"Timestamp": d.FirstSeenComplete.UnixMilli(), "CloudWatchMetrics": directive},
				"DestinationRegion": d.Region, "DestinationRegistry": d.RegistryID,
				"ReplicationTime": seconds(hi), "ReplicationTimeMin": seconds(lo), "ReplicationTimeMax": seconds(hi),
				"Since": rep.SinceSource, "SinceTime": utc(rep.Since).Format("2006-01-02T15:04:05.000Z07:00"),
				"Repository": rep.Repository, "ImageDigest": rep.ImageDigest, "Outcome": r.outcome,
			}
			// "" would be no value: the caller's registry, no tag.
			for k, v := range map[string]string{"RegistryId": rep.RegistryID, "ImageTag": rep.ImageTag} {
				if v != "" {
					record[k] = v
				}
			}
			b, _ := json.Marshal(record)
			w.Write(append(b, '\n'))
		}
	}
	return cmp.Or(w.Flush(), f.Close())
}
