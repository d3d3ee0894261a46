package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	smithy "github.com/aws/smithy-go"

	"github.com/ecrkit/ecrreplication"
)

// schemaJSON is the JSON Schema of the document (--output json).
//
//go:embed schema/output.schema.json
var schemaJSON []byte

// schemaCommand is "ecr-replication schema".
var schemaCommand = &command{
	name:     "schema",
	synopsis: "schema",
	summary:  "print the JSON Schema of the document of --output json",
	help: `
Prints the JSON Schema (draft 2020-12) of the document of --output json.

Examples:
  ecr-replication schema > ecr-replication.schema.json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		return func(_ context.Context, a *app, _ *flag.FlagSet) int { a.stdout.Write(schemaJSON); return exitOK }
	},
}

// document is the one document of status, wait and demo: a set of images.
type document struct {
	Images         []imageDoc `json:"images"`
	Outcome        outcome    `json:"outcome"`
	Complete       bool       `json:"complete"`
	Error          *errorDoc  `json:"error,omitempty"`
	ExitCode       int        `json:"exitCode"`
	ElapsedSeconds float64    `json:"elapsedSeconds"`
}

// imageDoc is one image of a document.
type imageDoc struct {
	Repository       string           `json:"repository"`
	RegistryID       string           `json:"registryId"`
	ImageDigest      string           `json:"imageDigest"`
	ImageTag         string           `json:"imageTag"`
	Outcome          outcome          `json:"outcome"`
	Complete         bool             `json:"complete"`
	Destinations     []destinationDoc `json:"destinations"`
	MalformedEntries int              `json:"malformedEntries"`
	Since            *sinceDoc        `json:"since"`
	Error            *errorDoc        `json:"error,omitempty"`
	ExitCode         int              `json:"exitCode"`
	Attempts         int              `json:"attempts"`
	Answers          int              `json:"answers"`
	ElapsedSeconds   float64          `json:"elapsedSeconds"`
	Duplicate        bool             `json:"duplicate,omitempty"`
}

// destinationDoc is one destination of an image.
type destinationDoc struct {
	Region              string       `json:"region"`
	RegistryID          string       `json:"registryId"`
	Status              string       `json:"status"`
	FailureCode         string       `json:"failureCode"`
	Extra               bool         `json:"extra"`
	MissingSince        *time.Time   `json:"missingSince"`
	ReplicationSeconds  *intervalDoc `json:"replicationSeconds"`
	CompleteAtFirstPoll bool         `json:"completeAtFirstPoll"`
}

// sinceDoc is the reference instant of the replication times.
type sinceDoc struct {
	Source string    `json:"source"`
	Time   time.Time `json:"time"`
}

// intervalDoc is a replication time, in seconds.
type intervalDoc struct {
	Min float64 `json:"min"`
	Max float64 `json:"max"`
}

// errorDoc is why the command did not succeed.
type errorDoc struct {
	Code             string `json:"code"`
	Message          string `json:"message"`
	Reason           string `json:"reason"`
	ServiceErrorCode string `json:"serviceErrorCode,omitempty"`
	RequestID        string `json:"requestId,omitempty"`
}

// result is how the command ended for one image: its last report (never
// nil) and live error; settle sets the rest but firstAnswer and done.
type result struct {
	name         string
	report       *ecrreplication.Report
	err          error
	outcome      outcome
	code, reason string
	exit         int
	firstAnswer  time.Time
	done         bool
}

// newResult returns the result of an image not asked about yet.
func newResult(in *ecr.DescribeImageReplicationStatusInput) result {
	r := ecrreplication.NewReport(in, nil)
	return result{name: nameOf(imageDoc{Repository: r.Repository, ImageTag: r.ImageTag, ImageDigest: r.ImageDigest}), report: r}
}

// settle sets r's outcome, codes and reason from its error; for status,
// a status read has the outcome its destinations tell.
func (r *result) settle(parent context.Context, status bool) {
	r.outcome, r.code = classify(parent, r.err)
	r.exit = r.outcome.info().exitCode
	switch {
	case status && r.err == nil && !r.report.Complete():
		r.outcome = inProgress
		if len(r.report.Failed()) > 0 {
			r.outcome = failed
		}
	case r.outcome == otherError || r.outcome == invalid:
		r.reason = plain(r.err)
		var we *ecrreplication.WaitError
		if errors.As(r.err, &we) && we.Cause != nil {
			r.reason = plain(we.Cause)
		}
		if errors.Is(r.err, ecrreplication.ErrRegistryMismatch) {
			r.reason = registryMismatch
		}
	}
}

// message is r's error for people in full, as stderr and error.message say.
func (r *result) message() string {
	if r.outcome == interrupted {
		return "interrupted; stopped waiting"
	}
	return strings.Join(errorLines(r.err), "\n  ")
}

// doc returns r's image in the document.
func (r *result) doc() imageDoc {
	rep := r.report
	d := imageDoc{
		Repository: rep.Repository, RegistryID: rep.RegistryID, ImageDigest: rep.ImageDigest, ImageTag: rep.ImageTag,
		Outcome: r.outcome, Complete: r.outcome == complete, Destinations: make([]destinationDoc, 0, len(rep.Destinations)),
		MalformedEntries: rep.Malformed, ExitCode: r.exit, Attempts: rep.Attempts, Answers: rep.Answers,
		ElapsedSeconds: seconds(rep.Elapsed), Duplicate: rep.Duplicate,
	}
	if !rep.Since.IsZero() {
		d.Since = &sinceDoc{Source: rep.SinceSource, Time: utc(rep.Since)}
	}
	for _, dst := range rep.Destinations {
		dd := destinationDoc{Region: dst.Region, RegistryID: dst.RegistryID, Status: string(dst.Status), FailureCode: dst.FailureCode, Extra: dst.Extra,
			CompleteAtFirstPoll: dst.LastSeenPending.IsZero() && !dst.FirstSeenComplete.IsZero() && !r.firstAnswer.IsZero() && !dst.FirstSeenComplete.After(r.firstAnswer)}
		if !dst.MissingSince.IsZero() {
			t := utc(dst.MissingSince)
			dd.MissingSince = &t
		}
		if lo, hi, ok := dst.ReplicationTime(rep.Since); ok {
			dd.ReplicationSeconds = &intervalDoc{Min: seconds(lo), Max: seconds(hi)}
		}
		d.Destinations = append(d.Destinations, dd)
	}
	if r.err != nil {
		d.Error = newErrorDoc(r.err, r.code, r.message(), r.reason)
		if d.Error.Reason == "" {
			d.Error.Reason = reasonOf(d)
		}
	}
	return d
}

// newErrorDoc is the error object of err.
func newErrorDoc(err error, code, message, reason string) *errorDoc {
	e := &errorDoc{Code: code, Message: message, Reason: reason}
	var re *awshttp.ResponseError
	var apiErr smithy.APIError
	if errors.As(err, &re) {
		e.RequestID = re.ServiceRequestID()
		// "UnknownError" is the SDK's placeholder, not the service's code.
		if re.HTTPStatusCode() >= 400 && errors.As(err, &apiErr) && apiErr.ErrorCode() != "UnknownError" {
			e.ServiceErrorCode = apiErr.ErrorCode()
		}
	}
	return e
}

// newDocument is the document of results, or of setErr, an error of the
// whole command before any image was waited for.
func newDocument(ctx context.Context, results []result, setErr error, elapsed time.Duration) document {
	d := document{Images: make([]imageDoc, len(results)), Outcome: complete, ElapsedSeconds: seconds(elapsed)}
	for i := range results {
		d.Images[i] = results[i].doc()
		if img := d.Images[i]; img.Outcome.info().severity > d.Outcome.info().severity {
			d.Outcome, d.ExitCode = img.Outcome, img.ExitCode
		}
	}
	if setErr != nil {
		o, code := classify(ctx, setErr)
		msg := strings.Join(errorLines(setErr), "\n  ")
		d.Outcome, d.ExitCode, d.Error = o, o.info().exitCode, newErrorDoc(setErr, code, msg, oneLine(msg))
	}
	d.Complete = d.Outcome == complete
	return d
}

// seconds is d in seconds, to the millisecond.
func seconds(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }

// millis is a number of seconds, to the millisecond, as a duration.
func millis(s float64) time.Duration { return time.Duration(math.Round(s*1000)) * time.Millisecond }

// utc is t in UTC, to the millisecond, without a monotonic clock reading.
func utc(t time.Time) time.Time { return t.UTC().Round(time.Millisecond) }

// maxProblems is how many problems are reported one by one.
const maxProblems = 10

// problems is a usage error of several problems, one per line.
type problems []string

// Error returns the problems, one per line.
func (p problems) Error() string { return strings.Join(p.lines(), "\n  ") }

// lines returns the first maxProblems problems and how many more there are.
func (p problems) lines() []string {
	if len(p) > maxProblems {
		return append(p[:maxProblems:maxProblems], fmt.Sprintf("and %d more problems", len(p)-maxProblems))
	}
	return p
}

// errorLines is an error's text for people: problems and violations one per
// line, else one line.
func errorLines(err error) []string {
	var p problems
	if errors.As(err, &p) {
		return p.lines()
	}
	if errors.Is(err, ecrreplication.ErrValidation) && !errors.As(err, new(*ecrreplication.WaitError)) {
		return violations(err, nil)
	}
	return []string{plain(err)}
}

// usageError reports a usage error, and its document.
func (a *app) usageError(err error) int {
	if !errors.As(err, new(problems)) {
		err = problems{err.Error()}
	}
	return a.emit(context.Background(), nil, err, 0)
}

// emit writes how the command ended and returns its exit code: on stderr
// the first maxProblems errors and each hint once, on stdout the document.
func (a *app) emit(ctx context.Context, results []result, setErr error, elapsed time.Duration) int {
	d := newDocument(ctx, results, setErr, elapsed)
	var hints []string
	addHint := func(h string) {
		if h != "" && !slices.Contains(hints, h) {
			hints = append(hints, h)
		}
	}
	if setErr != nil {
		a.printError(errorLines(setErr))
		addHint(a.hint(setErr, d.Error.Code, d.Outcome))
	}
	shown, malformed := 0, false
	for _, r := range results {
		if n := r.report.Malformed; n > 0 && !malformed {
			a.warn(fmt.Sprintf("the service's last answer for %s had %d entries that name no region; they were left out", r.name, n))
			malformed = true
		}
		if r.err == nil || r.outcome == skipped || r.outcome == interrupted || r.report.Duplicate {
			continue
		}
		if shown++; shown <= maxProblems {
			a.printError([]string{r.message()})
		}
		addHint(a.hint(r.err, r.code, r.outcome))
	}
	if shown > maxProblems {
		a.printError([]string{fmt.Sprintf("and %d more images did not replicate (--output json has every error)", shown-maxProblems)})
	}
	for _, h := range hints {
		a.say("hint: %s", h)
	}
	if d.Outcome == interrupted && setErr == nil {
		a.printError([]string{"interrupted; stopped waiting"})
	}
	switch {
	case a.cmd == nil || !a.cmd.document:
	case a.g.output == "json":
		a.writeJSON(d)
	case a.g.output == "markdown":
		writeMarkdown(a.stdout, d)
	case a.g.output == "github":
		writeAnnotations(a.stdout, d)
	case len(d.Images) > 0:
		writeText(a.stdout, d)
	}
	return d.ExitCode
}

// writeJSON writes v as one indented JSON document on stdout.
func (a *app) writeJSON(v any) {
	b, _ := json.MarshalIndent(v, "", "  ") // strings, numbers, bools and times
	a.stdout.Write(append(b, '\n'))
}
