package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"golang.org/x/time/rate"

	"github.com/ecrkit/ecrreplication"
)

// codeCancelled is the JSON error.code of an image whose wait --fail-fast
// stopped because another image failed.
const codeCancelled = "Cancelled"

// setSettings are the wait command's flags for a set of images.
type setSettings struct {
	images      imageArgs
	imagesFrom  string
	rateLimit   float64
	concurrency int
	failFast    bool
}

// setOnlyFlags are the flags that apply only to a set of images.
var setOnlyFlags = []string{"rate-limit", "concurrency", "fail-fast"}

// register defines the set flags on fs.
func (s *setSettings) register(fs *flag.FlagSet) {
	fs.Var(&s.images, "image", "wait for the image `REPO:TAG`, REPO@DIGEST or REPO:TAG@DIGEST (repeatable, one image per flag; excludes --repository, --tag and --digest)")
	fs.StringVar(&s.imagesFrom, "images-from", "", "wait for the images listed in `FILE`, one per line as for --image; blank lines and # comments are ignored; - reads stdin")
	fs.Float64Var(&s.rateLimit, "rate-limit", float64(ecrreplication.DefaultWaitAllRateLimit), "send at most `N` requests per second for the whole set of images; throttling halves the rate for a while")
	fs.IntVar(&s.concurrency, "concurrency", ecrreplication.DefaultWaitAllConcurrency, "have at most `N` requests in flight for the whole set of images")
	fs.BoolVar(&s.failFast, "fail-fast", false, "stop waiting for every image as soon as one cannot complete (failed, not found, ...)")
}

// validate checks the settings other than the images.
func (s *setSettings) validate() []string {
	var problems []string
	if !(s.rateLimit > 0) || math.IsInf(s.rateLimit, 0) {
		problems = append(problems, fmt.Sprintf("--rate-limit %v must be a number of requests per second greater than zero", s.rateLimit))
	}
	if s.concurrency < 1 {
		problems = append(problems, fmt.Sprintf("--concurrency %d must be at least 1", s.concurrency))
	}
	return problems
}

// burst is the most requests the set sends at once: the rate limit rounded
// up, at least 1 and at most the package's default burst.
func (s *setSettings) burst() int {
	return int(max(1, min(math.Ceil(s.rateLimit), float64(ecrreplication.DefaultWaitAllBurst))))
}

// severity orders exit codes from least to most severe: the exit code of a
// set of images is the most severe of theirs. Usage errors are normally
// found before any request, so that nothing is sent and the set exits 2;
// an image the service rejects as invalid also counts as 2.
var severity = []int{exitOK, exitFailed, exitTimeout, exitNotFound, exitOther, exitUsage, exitInterrupted}

// worse returns the more severe of two exit codes.
func worse(a, b int) int {
	rank := func(code int) int {
		for i, c := range severity {
			if c == code {
				return i
			}
		}
		return len(severity) // unknown: most severe
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// jsonSet is the JSON document of a wait for images named with --image or
// --images-from.
type jsonSet struct {
	Images         []jsonResult `json:"images"`
	Complete       bool         `json:"complete"`
	Error          *jsonError   `json:"error,omitempty"`
	ExitCode       int          `json:"exitCode"`
	ElapsedSeconds float64      `json:"elapsedSeconds"`
}

// setFailure reports an error of the whole set, found before any request
// (usage, validation, configuration) or while starting the wait, and
// returns its exit code. With --output json it writes the set's document
// with no image.
func (a *app) setFailure(ctx context.Context, err error, exitCode int, errCode string) int {
	r := result{err: err, exitCode: exitCode, errCode: errCode}
	if errCode == "" {
		r.finish(ctx)
	}
	a.printError(errors.New(r.message()), r.hint(a.cmd))
	if a.g.output == "json" {
		a.writeSetJSON(jsonSet{Images: []jsonResult{}, Error: r.json().Error, ExitCode: r.exitCode})
	}
	return r.exitCode
}

// writeSetJSON writes the set's document on stdout.
func (a *app) writeSetJSON(doc jsonSet) {
	a.writeJSONValue(doc)
}

// setInputs reads, parses and checks the images of the set and the
// settings. It returns the requests, deduplicated in the order given, and
// every problem found.
func (a *app) setInputs(img *imageFlags, given map[string]bool, s waitSettings, set setSettings) ([]*ecr.DescribeImageReplicationStatusInput, []string) {
	var problems []string
	var both []string
	for _, name := range []string{"repository", "tag", "digest"} {
		if given[name] {
			both = append(both, "--"+name)
		}
	}
	if len(both) > 0 {
		problems = append(problems, fmt.Sprintf("--image and --images-from exclude %s: name every image with --image or --images-from, and the registry with --registry-id", strings.Join(both, ", ")))
	}
	if err := s.validate(); err != nil {
		problems = append(problems, err.Error())
	}
	problems = append(problems, set.validate()...)
	var registryID *string
	if given["registry-id"] {
		registryID = aws.String(img.registryID)
		if err := ecrreplication.ValidateRegistryID(img.registryID); err != nil {
			problems = append(problems, validationMessage(err))
		}
	}
	args := set.images
	if given["images-from"] {
		stdin := a.env.stdin
		fromFile, err := readImageArgs(set.imagesFrom, stdin)
		if err != nil {
			problems = append(problems, err.Error())
		} else if len(fromFile) == 0 && len(args) == 0 {
			problems = append(problems, fmt.Sprintf("--images-from %s lists no image", quote(set.imagesFrom)))
		}
		args = append(args[:len(args):len(args)], fromFile...)
	}
	var inputs []*ecr.DescribeImageReplicationStatusInput
	seen := map[string]bool{}
	for _, arg := range args {
		ref, err := parseImageRef(arg.text)
		if err != nil {
			problems = append(problems, fmt.Sprintf("image %s (%s) %v", quote(arg.text), arg.source, err))
			continue
		}
		in := ref.input(registryID)
		if err := ecrreplication.ValidateInput(in); err != nil {
			problems = append(problems, imageViolations(arg, err)...)
			continue
		}
		if k := imageKey(in); !seen[k] {
			seen[k] = true
			inputs = append(inputs, in)
		}
	}
	return inputs, problems
}

// waitSet runs the wait command for the images of --image and
// --images-from with ecrreplication.WaitAll. Every input is checked before
// the first request.
func (a *app) waitSet(ctx context.Context, img *imageFlags, given map[string]bool, s waitSettings, set setSettings) int {
	a.setForm = true
	inputs, problems := a.setInputs(img, given, s, set)
	if len(problems) > 0 {
		return a.setFailure(ctx, errors.New(strings.Join(problems, "\n  ")), exitUsage, codeInvalidInput)
	}
	client, err := a.newClient(ctx)
	if err != nil {
		return a.setFailure(ctx, err, 0, "")
	}

	names := make([]string, len(inputs))
	for i, in := range inputs {
		names[i] = imageName(in)
	}
	var prog *setProgress
	if !a.g.quiet {
		prog = newSetProgress(a.stderr, *a.env.terminal, names)
		if !prog.tty {
			prog.note("waiting up to %v for %d images to replicate (at most %g requests/s, %d in flight)", s.timeout, len(inputs), set.rateLimit, set.concurrency)
		}
	}
	polls := newPollCounter(inputs)
	a.debug.logf("waiting for %d images: timeout %v, delays %v to %v, expect %q, expect-from-registry %t, rate limit %g/s (burst %d), concurrency %d, fail-fast %t",
		len(inputs), s.timeout, s.minDelay, s.maxDelay, s.expect.String(), s.expectFromRegistry, set.rateLimit, set.burst(), set.concurrency, set.failFast)
	start := time.Now()
	reports, err := ecrreplication.WaitAll(ctx, countingClient{client: client, polls: polls, prog: prog, debug: a.debug}, inputs, s.timeout, func(o *ecrreplication.WaitAllOptions) {
		o.RateLimit, o.Burst = rate.Limit(set.rateLimit), set.burst()
		o.MaxConcurrency = set.concurrency
		o.FailFast = set.failFast
		o.OnProgress = func(reps []*ecrreplication.Report) {
			polls.observe(reps)
			prog.update(reps)
		}
		o.WaiterOptions = append(o.WaiterOptions, func(wo *ecrreplication.ImageReplicationCompleteWaiterOptions) {
			wo.MinDelay, wo.MaxDelay = s.minDelay, s.maxDelay
			wo.Destinations = s.expect
			if s.expectFromRegistry {
				wo.Registry = client
			}
			wo.Logger = waitLogger{a: a, prog: prog}
		})
	})
	elapsed := time.Since(start)
	if err != nil {
		a.debug.logf("wait ended: %v", err)
	}
	errs, ok := imageErrors(inputs, reports, err)
	if !ok {
		prog.finish(nil)
		return a.setFailure(ctx, err, 0, "")
	}

	results := make([]result, len(inputs))
	worst, cancelled := exitOK, false
	for i, in := range inputs {
		r := newResult(in)
		r.report, r.err, r.complete = reports[i], errs[i], errs[i] == nil
		r.attempts, r.elapsed = polls.attempts(i), polls.answered(i)
		var we *ecrreplication.WaitError
		if errors.As(r.err, &we) {
			r.report, r.attempts, r.elapsed = we.Last, we.Attempts, we.Elapsed
		}
		r.finish(ctx)
		if set.failFast && ctx.Err() == nil && we != nil && errors.Is(we.Cause, ecrreplication.ErrSkipped) {
			r.err = fmt.Errorf("waiting for %s: stopped because another image could not complete (--fail-fast)", names[i])
			r.errCode, cancelled = codeCancelled, true
		} else {
			worst = worse(worst, r.exitCode)
		}
		results[i] = r
	}
	if cancelled {
		for i := range results {
			if results[i].errCode == codeCancelled {
				results[i].exitCode = worst
			}
		}
	}
	prog.finish(results)
	a.reportSet(ctx, results, worst, elapsed, prog != nil)
	if a.g.output == "json" {
		doc := jsonSet{Images: make([]jsonResult, len(results)), Complete: worst == exitOK, ExitCode: worst, ElapsedSeconds: math.Round(elapsed.Seconds()*1000) / 1000}
		for i := range results {
			doc.Images[i] = results[i].json()
		}
		a.writeSetJSON(doc)
	} else {
		writeSetTable(a, names, results)
	}
	return worst
}

// reportSet prints on stderr the error of every image that did not
// complete, each distinct hint once, and, unless quiet, a summary line. On
// an interruption it prints one message for the set.
func (a *app) reportSet(ctx context.Context, results []result, worst int, elapsed time.Duration, summary bool) {
	var hints []string
	seen := map[string]bool{}
	complete, polls := 0, 0
	for i := range results {
		r := &results[i]
		polls += r.attempts
		switch {
		case r.err == nil:
			complete++
			continue
		case r.errCode == codeInterrupted || r.errCode == codeCancelled:
			continue
		}
		a.printError(errors.New(r.message()), "")
		if h := setHint(r, a.cmd); h != "" && !seen[h] {
			seen[h] = true
			hints = append(hints, h)
		}
	}
	for _, h := range hints {
		fmt.Fprintf(a.stderr, "%s: hint: %s\n", programName, h)
	}
	if worst == exitInterrupted && ctx.Err() != nil {
		a.printError(errors.New("interrupted; stopped waiting"), "")
	}
	if !summary {
		return
	}
	took := elapsed.Round(100 * time.Millisecond)
	if complete == len(results) {
		fmt.Fprintf(a.stderr, "%s: %d images replicated in %v (%d polls)\n", programName, complete, took, polls)
		return
	}
	fmt.Fprintf(a.stderr, "%s: %d of %d images replicated in %v (%d polls); exit code %d\n", programName, complete, len(results), took, polls, worst)
}

// setHint is r.hint in the terms of --image: a set's images name their
// repository, tag and digest in one value.
func setHint(r *result, cmd *command) string {
	switch r.errCode {
	case codeImageNotFound:
		return "check the tag or digest of each image, and that --registry-id and --region name the source registry"
	case codeRepositoryNotFound:
		return "check the repository of each image, --registry-id and --region (repository names are case-sensitive)"
	}
	return r.hint(cmd)
}

// writeSetTable writes the set's last statuses as one table on stdout, one
// row per destination of each image. An image the service listed no
// destination for has one row, with its JSON error code as the status.
func writeSetTable(a *app, names []string, results []result) {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "IMAGE\tREGION\tREGISTRY\tSTATUS\tFAILURE CODE")
	for i, r := range results {
		if r.report == nil || len(r.report.Destinations) == 0 {
			fmt.Fprintf(tw, "%s\t-\t-\t%s\t-\n", names[i], orDash(r.errCode))
			continue
		}
		for _, d := range r.report.Destinations {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", names[i], d.Region, orDash(d.RegistryID), statusText(d), orDash(d.FailureCode))
		}
	}
	tw.Flush()
}

// imageErrors splits the error of WaitAll into one error per image (nil for
// an image that completed), from its *ecrreplication.WaitAllError. ok is
// false for an error of the whole set.
func imageErrors(inputs []*ecr.DescribeImageReplicationStatusInput, reports []*ecrreplication.Report, err error) (errs []error, ok bool) {
	if len(reports) != len(inputs) {
		return nil, false
	}
	if err == nil {
		return make([]error, len(inputs)), true
	}
	var all *ecrreplication.WaitAllError
	if !errors.As(err, &all) || len(all.Errors) != len(inputs) {
		return nil, false
	}
	return all.Errors, true
}

// countingClient counts the polls of each image of a set for pollCounter,
// and shows at once on the progress an image or repository not found,
// which ends that image's wait.
type countingClient struct {
	client ecrreplication.DescribeImageReplicationStatusAPIClient
	polls  *pollCounter
	prog   *setProgress
	debug  *debugLog
}

// DescribeImageReplicationStatus counts the call and makes it.
func (c countingClient) DescribeImageReplicationStatus(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, optFns ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error) {
	i, n := c.polls.count(in)
	if i >= 0 {
		c.debug.logf("poll %d of %s", n, imageName(c.polls.inputs[i]))
	}
	out, err := c.client.DescribeImageReplicationStatus(ctx, in, optFns...)
	if err != nil && i >= 0 {
		if code, _ := classify(context.Background(), err); code == exitNotFound {
			c.prog.stopped(i, notFoundText(err))
		}
	}
	return out, err
}

// notFoundText is the progress of an image whose image or repository is
// not found.
func notFoundText(err error) string {
	if errors.Is(err, ecrreplication.ErrRepositoryNotFound) {
		return "REPOSITORY NOT FOUND"
	}
	return "IMAGE NOT FOUND"
}

// pollCounter tells, for each image of a set, how many polls it took and
// when its last answer came. WaitAll reports neither for images that
// complete, so the calls are matched to images: by the request as given
// and, once an image's tag is resolved, by the digest the waiter then polls
// with. Each image sends one request value until its tag is resolved and
// then another, so each new request value is matched to the next image
// that may send it.
type pollCounter struct {
	inputs []*ecr.DescribeImageReplicationStatusInput
	start  time.Time

	mu        sync.Mutex
	byKey     map[string][]int // images that may send a request, by imageKey
	matched   map[string]int   // how many requests of each key were matched
	byRequest map[*ecr.DescribeImageReplicationStatusInput]int
	calls     []int
	last      []*ecrreplication.Report
	lastAt    []time.Duration
	byDigest  []bool // the image's digest request is keyed
}

// newPollCounter returns a counter for the set of inputs.
func newPollCounter(inputs []*ecr.DescribeImageReplicationStatusInput) *pollCounter {
	c := &pollCounter{
		inputs: inputs, start: time.Now(),
		byKey: map[string][]int{}, matched: map[string]int{}, byRequest: map[*ecr.DescribeImageReplicationStatusInput]int{},
		calls: make([]int, len(inputs)), last: make([]*ecrreplication.Report, len(inputs)), lastAt: make([]time.Duration, len(inputs)),
		byDigest: make([]bool, len(inputs)),
	}
	for i, in := range inputs {
		k := imageKey(in)
		c.byKey[k] = append(c.byKey[k], i)
	}
	return c
}

// count counts a call and returns its image's index (-1 if unknown) and
// its number of calls so far.
func (c *pollCounter) count(in *ecr.DescribeImageReplicationStatusInput) (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.byRequest[in]
	if !ok {
		if in == nil || in.ImageId == nil {
			return -1, 0
		}
		k := imageKey(in)
		n := c.matched[k]
		if n >= len(c.byKey[k]) {
			return -1, 0
		}
		i = c.byKey[k][n]
		c.matched[k] = n + 1
		c.byRequest[in] = i
	}
	c.calls[i]++
	return i, c.calls[i]
}

// observe records the reports of the set: when each image's last answer
// came, and the digest an image asked for by tag is polled with next.
func (c *pollCounter) observe(reports []*ecrreplication.Report) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, rep := range reports {
		if rep == nil || rep == c.last[i] {
			continue
		}
		c.last[i], c.lastAt[i] = rep, time.Since(c.start)
		in := c.inputs[i]
		if !c.byDigest[i] && in.ImageId.ImageDigest == nil && rep.ImageDigest != "" {
			c.byDigest[i] = true
			byDigest := &ecr.DescribeImageReplicationStatusInput{
				RepositoryName: in.RepositoryName, RegistryId: in.RegistryId,
				ImageId: &types.ImageIdentifier{ImageDigest: aws.String(rep.ImageDigest)},
			}
			k := imageKey(byDigest)
			c.byKey[k] = append(c.byKey[k], i)
		}
	}
}

// attempts returns the number of polls of image i.
func (c *pollCounter) attempts(i int) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[i]
}

// answered returns when image i's last answer came.
func (c *pollCounter) answered(i int) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastAt[i]
}
