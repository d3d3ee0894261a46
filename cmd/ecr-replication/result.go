package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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
	codeCancelled          = "Cancelled"
	codeError              = "Error"
)

// result is how a command ended for one image.
type result struct {
	// name names the image as asked for, safe to print (imageName).
	name string
	// report is the last known replication status with the attempts and
	// time taken; made from the request alone when nothing was answered.
	// Never nil.
	report *ecrreplication.Report
	// err is why the command did not succeed; nil on success.
	err error
	// complete says whether the command's condition holds: every
	// destination COMPLETE (status), or every expected one (wait).
	complete bool
	// errCode is err's stable code; exitCode the exit code.
	errCode  string
	exitCode int
}

// newResult returns the result of an image not asked about yet: its report
// holds the request alone. A nil request names no image.
func newResult(in *ecr.DescribeImageReplicationStatusInput) result {
	if in == nil {
		in = &ecr.DescribeImageReplicationStatusInput{}
	}
	return result{name: imageName(in), report: ecrreplication.NewReport(in, nil)}
}

// classify sets r's exit code and stable error code from its error. parent
// is the command's context: once it has ended, every error counts as an
// interruption. A *WaitError is classified by its Cause alone, not by the
// transient errors met on the way.
func (r *result) classify(parent context.Context) {
	r.exitCode, r.errCode = exitOK, ""
	err := r.err
	var ce *configError
	var we *ecrreplication.WaitError
	if errors.As(err, &we) && we.Cause != nil {
		err = we.Cause
	}
	switch {
	case err == nil:
		return
	case parent.Err() != nil:
		r.exitCode, r.errCode = exitInterrupted, codeInterrupted
	case errors.As(err, &ce), errors.Is(err, ecrreplication.ErrValidation), errors.Is(err, ecrreplication.ErrInvalidParameter),
		errors.Is(err, ecrreplication.ErrRegistryMismatch):
		r.exitCode, r.errCode = exitUsage, codeInvalidInput
	case errors.Is(err, ecrreplication.ErrReplicationFailed):
		r.exitCode, r.errCode = exitFailed, codeReplicationFailed
	case errors.Is(err, ecrreplication.ErrNoReplication):
		r.exitCode, r.errCode = exitFailed, codeNoReplicationRule
	case errors.Is(err, ecrreplication.ErrWaitTimeout):
		r.exitCode, r.errCode = exitTimeout, codeTimeout
	case errors.Is(err, ecrreplication.ErrImageNotFound):
		r.exitCode, r.errCode = exitNotFound, codeImageNotFound
	case errors.Is(err, ecrreplication.ErrRepositoryNotFound):
		r.exitCode, r.errCode = exitNotFound, codeRepositoryNotFound
	case errors.Is(err, ecrreplication.ErrSkipped):
		// The exit code is the failing image's, once the set has ended.
		r.exitCode, r.errCode = exitOther, codeCancelled
	case errors.Is(err, context.Canceled):
		r.exitCode, r.errCode = exitInterrupted, codeInterrupted
	default:
		r.exitCode, r.errCode = exitOther, codeError
	}
}

// message is r's error for people: one line, or one line per problem of a
// usage error.
func (r *result) message() string { return strings.Join(r.lines(), "\n  ") }

// lines is r's error for people, one line per problem.
func (r *result) lines() []string {
	if r.errCode == codeInterrupted {
		return []string{"interrupted; stopped waiting"}
	}
	return errorLines(r.err)
}

// errorLines is an error's text for people: a validation error in the terms
// of the command line and a list of problems one line each, other errors
// as they say, on one line.
func errorLines(err error) []string {
	var ve *ecrreplication.ValidationError
	var p problems
	switch {
	case errors.As(err, &ve):
		return violations(err, nil)
	case errors.As(err, &p):
		return p.lines()
	}
	return []string{unprefixed(err.Error())}
}

// unprefixed drops the package name that begins the library's errors and
// log lines: the command's lines begin with its own name.
func unprefixed(s string) string { return strings.TrimPrefix(s, "ecrreplication: ") }

// hint says what to do about r's error; "" when there is nothing to add.
// set says that the image is one of a set, named with --image.
func (r *result) hint(cmd *command, set bool) string {
	var we *ecrreplication.WaitError
	errors.As(r.err, &we)
	switch r.errCode {
	case codeReplicationFailed:
		return "a cross-account destination needs a registry permissions policy that allows ecr:ReplicateImage and ecr:CreateRepository from the source account; the failure code says more"
	case codeNoReplicationRule:
		return "add a replication rule for the repository (aws ecr put-replication-configuration), or name the destinations with --expect"
	case codeTimeout:
		switch {
		case we != nil && we.Attempts == 0:
			return "--timeout ran out before the image's first poll: raise --timeout, --rate-limit or --concurrency"
		case we != nil && we.Last.Answers == 0:
			return "the service never answered with a status: check the network, --region and --endpoint-url"
		}
		return "replication is still going on: wait again, or raise --timeout"
	case codeInvalidInput:
		var ce *configError
		switch {
		case errors.Is(r.err, errNoRegion):
			return ""
		case errors.As(r.err, &ce):
			return "check --profile and --region, AWS_PROFILE and the shared config files (~/.aws/config)"
		case errors.Is(r.err, ecrreplication.ErrRegistryMismatch):
			return "--expect-from-registry reads the caller's own registry only: for another --registry-id, name the destinations with --expect"
		}
		return usageHint(cmd)
	case codeImageNotFound, codeRepositoryNotFound:
		if set {
			return "check the repository, tag and digest of each image, and that --registry-id and --region name the source registry (names are case-sensitive)"
		}
		return "check --repository, --tag or --digest, and that --registry-id and --region name the source registry (names are case-sensitive)"
	case codeInterrupted, codeCancelled:
		return ""
	}
	var apiErr smithy.APIError
	var send *smithyhttp.RequestSendError
	var netErr net.Error
	switch {
	case errors.Is(r.err, ecrreplication.ErrRequestNotSent):
		return "no request could be sent: check the credentials (--profile, AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, aws sso login) and --endpoint-url"
	case errors.Is(r.err, ecrreplication.ErrResponseTooLarge):
		return fmt.Sprintf("ECR's answers are a few KiB; one over %d MiB is not from ECR: check --endpoint-url and any proxy", ecrreplication.DefaultMaxResponseSize>>20)
	case errors.As(r.err, &apiErr):
		switch apiErr.ErrorCode() {
		case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch", "MissingAuthenticationTokenException":
			return "the credentials were rejected: check --profile or AWS_PROFILE, refresh them (aws sso login, a new session token), and check the system clock"
		case "AccessDeniedException":
			return "the credentials lack permission: allow ecr:DescribeImageReplicationStatus (and ecr:DescribeRegistry for --expect-from-registry, ecr:DescribeImages for --since push)"
		}
		var ee *explainedError
		if errors.As(r.err, &ee) {
			return "point --endpoint-url, or --region, at the ECR endpoint itself"
		}
	case errors.As(r.err, &send), errors.As(r.err, &netErr):
		return "check the network, --region and --endpoint-url"
	}
	return ""
}

// severity orders exit codes from least to most severe: the exit code of a
// set of images is the most severe of theirs. Usage errors are normally
// found before any request, so that nothing is sent and the set exits 2;
// an image the service rejects as invalid also counts as 2.
var severity = []int{exitOK, exitFailed, exitTimeout, exitNotFound, exitOther, exitUsage, exitInterrupted}

// worse returns the more severe of two exit codes.
func worse(a, b int) int {
	if slices.Index(severity, b) > slices.Index(severity, a) {
		return b
	}
	return a
}

// usageError reports a usage error of the command line and returns
// exitUsage; with --output json it also writes the command's document.
func (a *app) usageError(err error) int { return a.invalid(newResult(nil), err) }

// invalid reports err, a usage or validation error of the image of r found
// before any request, and returns exitUsage.
func (a *app) invalid(r result, err error) int {
	r.err, r.exitCode, r.errCode = err, exitUsage, codeInvalidInput
	if a.cmd == nil {
		a.printError(errorLines(err), usageHint(nil))
		return exitUsage
	}
	return a.fail(r)
}

// fail reports how the command ended for the image of r before it was
// waited for (usage, validation, configuration) and returns its exit code:
// with --output json as the document of the command, a set's or an image's.
func (a *app) fail(r result) int {
	if a.setForm {
		return a.emit(nil, &r, 0)
	}
	return a.emit([]result{r}, nil, 0)
}
