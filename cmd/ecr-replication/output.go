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
	"text/tabwriter"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	smithy "github.com/aws/smithy-go"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// The JSON documents on stdout. Their JSON Schema, which describes every
// field, is schema/output.schema.json (printed by "ecr-replication schema");
// the tests validate every document they produce against it. Field names are
// stable and lowerCamel like the AWS API's; strings are exact.

// schemaJSON is the JSON Schema of the documents of --output json.
//
//go:embed schema/output.schema.json
var schemaJSON []byte

// schemaCommand is "ecr-replication schema".
var schemaCommand = &command{
	name:     "schema",
	synopsis: "schema",
	summary:  "print the JSON Schema of the JSON output (--output json)",
	help: `
Prints the JSON Schema (draft 2020-12) of the documents that status and wait
write with --output json, with a description of every field. It is the
file schema/output.schema.json of the source.

Examples:
  ecr-replication schema > ecr-replication.schema.json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		return func(_ context.Context, a *app, _ *flag.FlagSet) int {
			a.stdout.Write(schemaJSON)
			return exitOK
		}
	},
}

// setDoc is the document of a wait for images named with --image or
// --images-from.
type setDoc struct {
	Images         []imageDoc `json:"images"`
	Complete       bool       `json:"complete"`
	Error          *errorDoc  `json:"error,omitempty"`
	ExitCode       int        `json:"exitCode"`
	ElapsedSeconds float64    `json:"elapsedSeconds"`
}

// imageDoc is the document of one image: the output of status and of wait
// --repository, and an element of setDoc.Images.
type imageDoc struct {
	Repository       string           `json:"repository"`
	RegistryID       string           `json:"registryId"`
	ImageDigest      string           `json:"imageDigest"`
	ImageTag         string           `json:"imageTag"`
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
	Region             string       `json:"region"`
	RegistryID         string       `json:"registryId"`
	Status             string       `json:"status"`
	FailureCode        string       `json:"failureCode"`
	Extra              bool         `json:"extra"`
	MissingSince       *time.Time   `json:"missingSince"`
	ReplicationSeconds *intervalDoc `json:"replicationSeconds"`
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
	ServiceErrorCode string `json:"serviceErrorCode,omitempty"`
	RequestID        string `json:"requestId,omitempty"`
}

// doc returns the document of r.
func (r *result) doc() imageDoc {
	rep := r.report
	d := imageDoc{
		Repository: rep.Repository, RegistryID: rep.RegistryID, ImageDigest: rep.ImageDigest, ImageTag: rep.ImageTag,
		Complete: r.complete, Destinations: make([]destinationDoc, 0, len(rep.Destinations)), MalformedEntries: rep.Malformed,
		Error: r.errorDoc(), ExitCode: r.exitCode, Attempts: rep.Attempts, Answers: rep.Answers, ElapsedSeconds: seconds(rep.Elapsed),
		Duplicate: rep.Duplicate,
	}
	if !rep.Since.IsZero() {
		d.Since = &sinceDoc{Source: rep.SinceSource, Time: utc(rep.Since)}
	}
	for _, dst := range rep.Destinations {
		dd := destinationDoc{Region: dst.Region, RegistryID: dst.RegistryID, Status: string(dst.Status), FailureCode: dst.FailureCode, Extra: dst.Extra}
		if !dst.MissingSince.IsZero() {
			t := utc(dst.MissingSince)
			dd.MissingSince = &t
		}
		if lo, hi, ok := dst.ReplicationTime(rep.Since); ok {
			dd.ReplicationSeconds = &intervalDoc{Min: seconds(lo), Max: seconds(hi)}
		}
		d.Destinations = append(d.Destinations, dd)
	}
	return d
}

// errorDoc returns r's error object; nil on success.
func (r *result) errorDoc() *errorDoc {
	if r.err == nil {
		return nil
	}
	e := &errorDoc{Code: r.errCode, Message: r.message()}
	var re *awshttp.ResponseError
	var apiErr smithy.APIError
	if errors.As(r.err, &re) {
		e.RequestID = re.ServiceRequestID()
		// "UnknownError" is the SDK's placeholder for an answer that named
		// no error code, not the service's.
		if re.HTTPStatusCode() >= 400 && errors.As(r.err, &apiErr) && apiErr.ErrorCode() != "UnknownError" {
			e.ServiceErrorCode = apiErr.ErrorCode()
		}
	}
	return e
}

// seconds is d in seconds, to the millisecond.
func seconds(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }

// utc is t in UTC, to the millisecond, without a monotonic clock reading.
func utc(t time.Time) time.Time { return t.UTC().Round(time.Millisecond) }

// emit prints how the command ended and returns its exit code: on stderr
// the errors of the first maxProblems images that did not complete and a
// count of the rest, each distinct hint once, an interruption once and the
// first answer with malformed entries; on stdout the table or the JSON document,
// which is one image's unless the command waits for a set (a.setForm).
// setErr, when not nil, is an error of the whole set, found before any
// image was waited for.
func (a *app) emit(results []result, setErr *result, elapsed time.Duration) int {
	all := results
	if setErr != nil {
		all = []result{*setErr}
	}
	code, interrupted, malformed, failed := exitOK, false, false, 0
	var hints []string
	for _, r := range all {
		code = worse(code, r.exitCode)
		if n := r.report.Malformed; n > 0 && !malformed {
			a.warn(fmt.Sprintf("the service's last answer for %s had %d entries that name no region; they were left out", r.name, n))
			malformed = true
		}
		switch {
		case r.err == nil || r.errCode == codeCancelled:
			continue
		case r.errCode == codeInterrupted:
			interrupted = true
			continue
		}
		if failed++; failed <= maxProblems {
			a.printError(r.lines(), "")
		}
		h := r.hint(a.cmd, a.setForm)
		if r.errCode == codeTimeout && a.onePollHint != "" {
			h = a.onePollHint
		}
		if h != "" && !slices.Contains(hints, h) {
			hints = append(hints, h)
		}
	}
	if failed > maxProblems {
		a.printError([]string{fmt.Sprintf("and %d more images did not complete (--output json has every error)", failed-maxProblems)}, "")
	}
	for _, h := range hints {
		a.say("hint: %s", h)
	}
	if interrupted {
		a.printError([]string{"interrupted; stopped waiting"}, "")
	}
	switch {
	case a.g.output == "json" && a.setForm:
		a.writeJSON(newSetDoc(results, setErr, code, elapsed))
	case a.g.output == "json":
		a.writeJSON(all[0].doc())
	case a.g.output == "markdown" || a.g.output == "github":
		a.writeRendered(results, setErr, code, elapsed)
	case len(results) > 0 && (a.setForm || results[0].err == nil || len(results[0].report.Destinations) > 0):
		a.writeTable(results)
	}
	return code
}

// newSetDoc returns the document of a wait for a set: one image object per
// result, and setErr, an error of the whole set, when not nil.
func newSetDoc(results []result, setErr *result, code int, elapsed time.Duration) setDoc {
	doc := setDoc{Images: make([]imageDoc, len(results)), Complete: code == exitOK, ExitCode: code, ElapsedSeconds: seconds(elapsed)}
	for i := range results {
		doc.Images[i] = results[i].doc()
	}
	if setErr != nil {
		doc.Error = setErr.errorDoc()
	}
	return doc
}

// writeJSON writes v as one indented JSON document on stdout.
func (a *app) writeJSON(v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil { // cannot happen: the documents hold only strings, numbers, bools and times
		panic(err)
	}
	a.stdout.Write(append(b, '\n'))
}

// writeTable writes the last statuses as a table on stdout, one row per
// destination, with an IMAGE column for a set and a REPLICATION TIME column
// for a wait; "-" means no value. An image of a set with no destination has
// one row, whose status is its JSON error code (such as ImageNotFound).
// Every value is made safe for the terminal and cut to maxCell characters.
func (a *app) writeTable(results []result) {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	timed := !results[0].report.Since.IsZero()
	row := func(image string, cells ...string) {
		if a.setForm {
			cells = append([]string{image}, cells...)
		}
		if !timed {
			cells = cells[:len(cells)-1]
		}
		for i, c := range cells {
			if c == "" {
				c = "-"
			}
			cells[i] = safetext.Line(c, maxCell)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	row("IMAGE", "REGION", "REGISTRY", "STATUS", "FAILURE CODE", "REPLICATION TIME")
	for _, r := range results {
		rep := r.report
		if len(rep.Destinations) == 0 {
			row(r.name, "", "", r.errCode, "", "")
		}
		for _, d := range rep.Destinations {
			row(r.name, d.Region, d.RegistryID, statusText(d), d.FailureCode, replicationTime(d, rep.Since))
		}
	}
	tw.Flush()
}

// maxCell is the most characters of a value the table shows.
const maxCell = 128

// statusText is a destination's status for people: NOT_LISTED when the
// service does not list it (yet, or any more), and marked when the wait
// does not expect it.
func statusText(d ecrreplication.Destination) string {
	s := string(d.Status)
	if s == "" {
		s = "NOT_LISTED"
	}
	if d.Extra {
		s += " (not expected)"
	}
	return s
}

// replicationTime formats how long replication to d took, counted from
// since: "12–15 s", or "≤ 15 s" when only the upper bound is known (COMPLETE
// at the first poll, or at a poll sent at since), to the tenth of a second
// below 10 s; "" when d has not been seen COMPLETE.
func replicationTime(d ecrreplication.Destination, since time.Time) string {
	lo, hi, ok := d.ReplicationTime(since)
	if !ok {
		return ""
	}
	unit := time.Second
	if hi < 10*time.Second {
		unit = 100 * time.Millisecond
	}
	format := func(d time.Duration) string {
		if unit == time.Second {
			return fmt.Sprint(int64(d / unit))
		}
		return fmt.Sprintf("%.1f", float64(d/unit)/10)
	}
	up := (hi + unit - 1) / unit * unit
	if lo/unit == 0 {
		return "≤ " + format(up) + " s"
	}
	return format(lo/unit*unit) + "–" + format(up) + " s"
}

// printError prints an error, "error: " and its lines, and an optional
// hint on stderr, each line made safe for the terminal.
func (a *app) printError(lines []string, hint string) {
	for i, line := range lines {
		if i == 0 {
			line = "error: " + line
		}
		a.say("%s", line)
	}
	if hint != "" {
		a.say("hint: %s", hint)
	}
}

// warn prints a warning on stderr, unless --quiet.
func (a *app) warn(msg string) {
	if !a.g.quiet {
		a.say("warning: %s", msg)
	}
}

// say writes one line on stderr, after the program's name, with every
// control character escaped and cut to maxLine characters
// (ecrreplication.SafeText), so that no value in it can add a line, move
// the cursor or change colours.
func (a *app) say(format string, v ...any) {
	fmt.Fprintf(a.stderr, "%s: %s\n", programName, safetext.Line(fmt.Sprintf(format, v...), maxLine))
}

// maxLine is the most characters say prints of a line.
const maxLine = 4096
