package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"strings"
	"text/tabwriter"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	smithy "github.com/aws/smithy-go"

	"github.com/ecrkit/ecrreplication"
)

// Error codes of the JSON output's error.code. They are stable.
const (
	codeReplicationFailed  = "ReplicationFailed"
	codeNoReplicationRule  = "NoReplicationRule"
	codeInvalidInput       = "InvalidInput"
	codeTimeout            = "Timeout"
	codeImageNotFound      = "ImageNotFound"
	codeRepositoryNotFound = "RepositoryNotFound"
	codeInterrupted        = "Interrupted"
	codeError              = "Error"
)

// result is the outcome of a command for one image: what is printed on
// stdout and the exit code.
type result struct {
	// report is the last known replication status; nil if none.
	report *ecrreplication.Report
	// input names the image as asked for, when report is nil.
	repository, registryID, imageTag, imageDigest string
	// err is why the command did not succeed; nil on success.
	err error
	// complete says whether the command's condition holds: every
	// destination COMPLETE (status), or every expected one (wait).
	complete bool
	// errCode is err's stable code; exitCode the process's exit code.
	errCode  string
	exitCode int
	attempts int
	elapsed  time.Duration
}

// jsonResult is the JSON document on stdout. Field names are stable and
// lowerCamel like the AWS API's; every field but error is always present.
type jsonResult struct {
	Repository     string            `json:"repository"`
	RegistryID     string            `json:"registryId"`
	ImageDigest    string            `json:"imageDigest"`
	ImageTag       string            `json:"imageTag"`
	Complete       bool              `json:"complete"`
	Destinations   []jsonDestination `json:"destinations"`
	Error          *jsonError        `json:"error,omitempty"`
	ExitCode       int               `json:"exitCode"`
	Attempts       int               `json:"attempts"`
	ElapsedSeconds float64           `json:"elapsedSeconds"`
}

// jsonDestination is one destination in the JSON output.
type jsonDestination struct {
	Region      string `json:"region"`
	RegistryID  string `json:"registryId"`
	Status      string `json:"status"`
	FailureCode string `json:"failureCode"`
}

// jsonError is the error object of the JSON output.
type jsonError struct {
	Code             string `json:"code"`
	Message          string `json:"message"`
	ServiceErrorCode string `json:"serviceErrorCode,omitempty"`
	RequestID        string `json:"requestId,omitempty"`
}

// classify maps an error to its exit code and stable error code. parent is
// the command's context: once it has ended, every error counts as an
// interruption. A *WaitError is classified by its Cause alone, not by the
// transient errors met on the way.
func classify(parent context.Context, err error) (int, string) {
	if err == nil {
		return exitOK, ""
	}
	if parent.Err() != nil {
		return exitInterrupted, codeInterrupted
	}
	var ce *configError
	if errors.As(err, &ce) {
		return exitUsage, codeInvalidInput
	}
	var we *ecrreplication.WaitError
	if errors.As(err, &we) && we.Cause != nil {
		err = we.Cause
	}
	switch {
	case errors.Is(err, ecrreplication.ErrReplicationFailed):
		return exitFailed, codeReplicationFailed
	case errors.Is(err, ecrreplication.ErrNoReplication):
		return exitFailed, codeNoReplicationRule
	case errors.Is(err, ecrreplication.ErrWaitTimeout):
		return exitTimeout, codeTimeout
	case errors.Is(err, ecrreplication.ErrValidation), errors.Is(err, ecrreplication.ErrInvalidParameter):
		return exitUsage, codeInvalidInput
	case errors.Is(err, ecrreplication.ErrImageNotFound):
		return exitNotFound, codeImageNotFound
	case errors.Is(err, ecrreplication.ErrRepositoryNotFound):
		return exitNotFound, codeRepositoryNotFound
	case errors.Is(err, context.Canceled):
		return exitInterrupted, codeInterrupted
	}
	return exitOther, codeError
}

// finish completes r from its error: exit code and error code.
func (r *result) finish(parent context.Context) {
	r.exitCode, r.errCode = classify(parent, r.err)
}

// json returns the JSON document of r.
func (r *result) json() jsonResult {
	j := jsonResult{
		Repository:     r.repository,
		RegistryID:     r.registryID,
		ImageDigest:    r.imageDigest,
		ImageTag:       r.imageTag,
		Complete:       r.complete,
		Destinations:   []jsonDestination{},
		ExitCode:       r.exitCode,
		Attempts:       r.attempts,
		ElapsedSeconds: math.Round(r.elapsed.Seconds()*1000) / 1000,
	}
	if rep := r.report; rep != nil {
		j.Repository, j.RegistryID, j.ImageDigest, j.ImageTag = rep.Repository, rep.RegistryID, rep.ImageDigest, rep.ImageTag
		for _, d := range rep.Destinations {
			j.Destinations = append(j.Destinations, jsonDestination{
				Region: d.Region, RegistryID: d.RegistryID, Status: string(d.Status), FailureCode: d.FailureCode,
			})
		}
	}
	if r.err != nil {
		je := &jsonError{Code: r.errCode, Message: r.message()}
		var apiErr smithy.APIError
		if errors.As(r.err, &apiErr) {
			je.ServiceErrorCode = apiErr.ErrorCode()
		}
		var re *awshttp.ResponseError
		if errors.As(r.err, &re) {
			je.RequestID = re.ServiceRequestID()
		}
		j.Error = je
	}
	return j
}

// message is the human-readable text of r.err, without the package's
// "ecrreplication: " prefixes.
func (r *result) message() string {
	if r.errCode == codeInterrupted {
		return "interrupted; stopped waiting"
	}
	var msg string
	var ve *ecrreplication.ValidationError
	if errors.As(r.err, &ve) {
		msg = validationMessage(r.err)
	} else {
		msg = r.err.Error()
	}
	return strings.ReplaceAll(msg, "ecrreplication: ", "")
}

// hint says what to do about r.err.
func (r *result) hint(cmd *command) string {
	switch r.errCode {
	case codeReplicationFailed:
		return "a cross-account destination needs a registry permissions policy that allows ecr:ReplicateImage and ecr:CreateRepository from the source account; the failure code says more"
	case codeNoReplicationRule:
		return "add a replication rule for the repository (aws ecr put-replication-configuration), or name the destinations with --expect"
	case codeTimeout:
		var we *ecrreplication.WaitError
		if errors.As(r.err, &we) && we.LastErr != nil && (we.Last == nil || len(we.Last.Destinations) == 0) {
			return "the service never answered: check the network, --region and --endpoint-url"
		}
		return "replication is still going on: wait again, or raise --timeout"
	case codeInvalidInput:
		var ce *configError
		if errors.As(r.err, &ce) {
			if errors.Is(r.err, errNoRegion) {
				return ""
			}
			return "check --profile and --region, AWS_PROFILE and the shared config files (~/.aws/config)"
		}
		return usageHint(cmd)
	case codeImageNotFound:
		return "check --tag or --digest, and that --repository, --registry-id and --region name the source registry"
	case codeRepositoryNotFound:
		return "check --repository, --registry-id and --region (repository names are case-sensitive)"
	case codeInterrupted, codeCancelled:
		return ""
	}
	var apiErr smithy.APIError
	if errors.As(r.err, &apiErr) {
		switch apiErr.ErrorCode() {
		case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch":
			return "the credentials were rejected: check --profile or AWS_PROFILE, refresh them (aws sso login, a new session token), and check the system clock"
		case "AccessDeniedException":
			return "the credentials lack permission: allow ecr:DescribeImageReplicationStatus (and ecr:DescribeRegistry for --expect-from-registry)"
		}
		return ""
	}
	if strings.Contains(r.err.Error(), "credentials") {
		return "no usable AWS credentials: use --profile, set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or run aws sso login"
	}
	var netErr net.Error
	if errors.As(r.err, &netErr) {
		return "check the network, --region and --endpoint-url"
	}
	return ""
}

// emit prints r: the error and its hint on stderr, then the table or the JSON
// document on stdout. It returns the exit code.
func (a *app) emit(r result) int {
	if r.err != nil {
		a.printError(errors.New(r.message()), r.hint(a.cmd))
	}
	if a.g.output == "json" {
		a.writeJSON(r)
		return r.exitCode
	}
	if r.report != nil && (r.err == nil || len(r.report.Destinations) > 0) {
		writeTable(a, r.report)
	}
	return r.exitCode
}

// writeJSON writes r as one JSON document on stdout.
func (a *app) writeJSON(r result) {
	a.writeJSONValue(r.json())
}

// writeJSONValue writes v as one indented JSON document on stdout.
func (a *app) writeJSONValue(v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil { // cannot happen: the documents have only strings, numbers and bools
		panic(err)
	}
	a.stdout.Write(append(b, '\n'))
}

// writeTable writes the report as a table on stdout: region, registry,
// status and failure code, "-" for none.
func writeTable(a *app, rep *ecrreplication.Report) {
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REGION\tREGISTRY\tSTATUS\tFAILURE CODE")
	for _, d := range rep.Destinations {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Region, orDash(d.RegistryID), statusText(d), orDash(d.FailureCode))
	}
	tw.Flush()
}

// statusText is a destination's status for people: NOT_LISTED when the
// service does not list an expected destination yet.
func statusText(d ecrreplication.Destination) string {
	if d.Status == "" {
		return "NOT_LISTED"
	}
	return string(d.Status)
}

// orDash returns s, or "-" for "".
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
