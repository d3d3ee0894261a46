package main

import (
	"errors"
	"fmt"
	"net"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// maxLine is the most characters say prints of a line.
const maxLine = 4096

// registryMismatch is the reason and the hint of ErrRegistryMismatch.
const registryMismatch = "--expect-from-registry reads the caller's own registry only: for another --registry-id, name the destinations with --expect"

// say writes one line on stderr after the program's name, made safe and
// cut: no value can add a line or move the cursor.
func (a *app) say(format string, v ...any) {
	fmt.Fprintf(a.stderr, "%s: %s\n", programName, safetext.Line(fmt.Sprintf(format, v...), maxLine))
}

// printError prints an error on stderr: "error: " and its lines.
func (a *app) printError(lines []string) {
	for i, line := range lines {
		if i == 0 {
			line = "error: " + line
		}
		a.say("%s", line)
	}
}

// warn prints a warning on stderr, unless --quiet.
func (a *app) warn(msg string) {
	if !a.g.quiet {
		a.say("warning: %s", msg)
	}
}

// hint says what to do about err, of outcome o and code; "" for nothing.
func (a *app) hint(err error, code string, o outcome) string {
	var we *ecrreplication.WaitError
	var ee *explainedError
	var apiErr smithy.APIError
	errors.As(err, &we)
	switch {
	case code == codeReplicationFailed:
		return "a cross-account destination needs a registry permissions policy that allows ecr:ReplicateImage and ecr:CreateRepository from the source account; the failure code says more"
	case code == codeNoReplicationRule:
		return "add a replication rule for the repository (aws ecr put-replication-configuration), or name the destinations with --expect"
	case code == codeTimeout && a.onePollHint != "":
		return a.onePollHint
	case code == codeTimeout && we != nil && we.Attempts == 0:
		return "--timeout ran out before the image's first poll: raise --timeout, --rate-limit or --concurrency"
	case code == codeTimeout && we != nil && we.Last != nil && we.Last.Answers == 0:
		return "the service never answered with a status: check the network, --region and --endpoint-url"
	case code == codeTimeout && we != nil:
		return "replication is still going on: wait again, or raise --timeout"
	case errors.As(err, &ee) && ee.hint != "":
		return ee.hint
	case errors.Is(err, errNoRegion):
		return ""
	case errors.As(err, new(*configError)):
		return "check --profile and --region, AWS_PROFILE and the shared config files (~/.aws/config)"
	case errors.Is(err, ecrreplication.ErrRegistryMismatch):
		return registryMismatch
	case o == invalid && a.cmd == nil:
		return "see '" + programName + " --help'"
	case o == invalid:
		return "see '" + programName + " " + a.cmd.name + " --help'"
	case o == notFound:
		return "check the repository, tag and digest, and that --registry-id and --region name the source registry (names are case-sensitive)"
	case o != otherError:
		return ""
	case errors.Is(err, ecrreplication.ErrRequestNotSent):
		return "no request could be sent: check the credentials (--profile, AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, aws sso login) and --endpoint-url"
	case errors.Is(err, ecrreplication.ErrResponseTooLarge):
		return fmt.Sprintf("ECR's answers are a few KiB; one over %d MiB is not from ECR: check --endpoint-url and any proxy", ecrreplication.DefaultMaxResponseSize>>20)
	case errors.As(err, &apiErr):
		switch apiErr.ErrorCode() {
		case "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId", "SignatureDoesNotMatch", "MissingAuthenticationTokenException":
			return "the credentials were rejected: check --profile or AWS_PROFILE, refresh them (aws sso login, a new session token), and check the system clock"
		case "AccessDeniedException":
			return "the credentials lack permission: allow ecr:DescribeImageReplicationStatus (and ecr:DescribeRegistry for --expect-from-registry)"
		}
	case errors.As(err, new(*smithyhttp.RequestSendError)), errors.As(err, new(net.Error)):
		return "check the network, --region and --endpoint-url"
	}
	return ""
}

// plain is err's text for people, without "ecrreplication: " nor the SDK's
// "operation error ..., https response error StatusCode: ..., RequestID: ...,
// api error" (the request ID is in --debug and error.requestId).
func plain(err error) string {
	msg := err.Error()
	walkErrors(err, func(e error) {
		if oe, ok := e.(*smithy.OperationError); ok {
			msg = strings.Replace(msg, oe.Error(), answerText(oe.Err), 1)
		}
	})
	return strings.ReplaceAll(msg, "ecrreplication: ", "")
}

// answerText says what the service answered, or why there was no answer.
func answerText(err error) string {
	var ee *explainedError
	var apiErr smithy.APIError
	var re *awshttp.ResponseError
	switch {
	case errors.As(err, &ee):
		return ee.msg
	case errors.As(err, &apiErr) && apiErr.ErrorCode() != "UnknownError":
		return apiErr.ErrorCode() + ": " + apiErr.ErrorMessage()
	case errors.As(err, &re):
		return fmt.Sprintf("HTTP %d: %s", re.HTTPStatusCode(), strings.TrimPrefix(re.Err.Error(), "api error "))
	}
	return err.Error()
}

// walkErrors calls fn for err and every error it wraps.
func walkErrors(err error, fn func(error)) {
	for err != nil {
		fn(err)
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walkErrors(e, fn)
			}
			return
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return
		}
	}
}
