package ecrreplication

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// Every error of the package: the sentinels (compare with errors.Is), the
// typed errors that carry the details (reach them with errors.As), which
// errors a wait rides out, and how values appear in messages.

// Sentinel errors for the error types that DescribeImageReplicationStatus
// documents; the SDK's own error stays in the chain, for errors.As.
var (
	// ErrImageNotFound: the image does not exist in the repository
	// (ImageNotFoundException).
	ErrImageNotFound = errors.New("ecrreplication: image not found")
	// ErrRepositoryNotFound: the repository does not exist in the registry
	// (RepositoryNotFoundException).
	ErrRepositoryNotFound = errors.New("ecrreplication: repository not found")
	// ErrInvalidParameter: the service rejected a parameter
	// (InvalidParameterException), as ECR does for a broken input
	// constraint ("Invalid parameter at 'repositoryName' failed to satisfy
	// constraint: ..."). Describe and the waiter check the documented
	// constraints first (ErrValidation); ECR's own rules for tags
	// ([a-zA-Z0-9-_.]+) and digests are left to it and answer this.
	ErrInvalidParameter = errors.New("ecrreplication: invalid parameter")
	// ErrValidation: the input broke a documented constraint, found by
	// ValidateInput (a *ValidationError) before anything is sent, or by the
	// service as ValidationException, which the API reference lists but no
	// public record shows ECR sending (it sends ErrInvalidParameter).
	ErrValidation = errors.New("ecrreplication: validation failed")
	// ErrServer: the service failed on its side (ServerException).
	ErrServer = errors.New("ecrreplication: server error")
	// ErrThrottled: the request rate was too high (ThrottlingException,
	// TooManyRequestsException, LimitExceededException and the other
	// throttling codes the SDK's retryer knows).
	ErrThrottled = errors.New("ecrreplication: throttled")
)

// Why a wait ended without success.
var (
	// ErrReplicationFailed: at least one destination that must complete
	// reported FAILED.
	ErrReplicationFailed = errors.New("ecrreplication: replication failed")
	// ErrWaitTimeout: the maximum wait time ran out before every destination
	// was COMPLETE.
	ErrWaitTimeout = errors.New("ecrreplication: timed out waiting for replication")
	// ErrNoReplication: the registry's replication configuration has no rule
	// that matches the repository, so the image will never be replicated.
	ErrNoReplication = errors.New("ecrreplication: no replication rule matches the repository")
	// ErrRegistryMismatch: the waiter's Registry describes another registry
	// than the image's, so its replication rules say nothing of the image.
	ErrRegistryMismatch = errors.New("ecrreplication: the registry described is not the image's")
	// ErrSkipped: WaitAll with FailFast stopped waiting for this image
	// because another image could not complete (see SkippedError).
	ErrSkipped = errors.New("ecrreplication: skipped after another image failed")
)

// Errors of any call.
var (
	// ErrRequestNotSent: a request failed before it could be sent (no
	// credentials, no endpoint, not signed). Retrying does not mend it.
	ErrRequestNotSent = errors.New("ecrreplication: the request could not be sent")
	// ErrResponseTooLarge: an answer's body was over the cap of
	// WithMaxResponseSize. The waiter rides it out as a transient error.
	ErrResponseTooLarge = errors.New("ecrreplication: response body too large")
)

// sentinels are the sentinels of the service's error codes; the SDK's
// throttling codes answer ErrThrottled (sentinelFor).
var sentinels = map[string]error{
	"ImageNotFoundException":      ErrImageNotFound,
	"RepositoryNotFoundException": ErrRepositoryNotFound,
	"InvalidParameterException":   ErrInvalidParameter,
	"ValidationException":         ErrValidation,
	"ServerException":             ErrServer,
}

// sentinelFor returns the sentinel for a service error code, or nil.
func sentinelFor(code string) error {
	if _, ok := retry.DefaultThrottleErrorCodes[code]; ok {
		return ErrThrottled
	}
	return sentinels[code]
}

// MapError makes errors.Is(err, ErrX) answer for the service error in err's
// chain, matched by its error code (a *smithy.GenericAPIError maps too). The
// result keeps err's chain and text (made safe to print on one line), so
// errors.As still reaches *types.ImageNotFoundException and the rest. nil,
// errors without a known code and errors already mapped come back as they
// are.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	var m *mappedError
	if errors.As(err, &m) {
		return err
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	sentinel := sentinelFor(apiErr.ErrorCode())
	if sentinel == nil {
		return err
	}
	return &mappedError{err: err, sentinel: sentinel}
}

// mappedError answers errors.Is for one sentinel and is otherwise transparent,
// in the manner of syscall.Errno.Is.
type mappedError struct {
	err      error
	sentinel error
}

// Error is the service error's text, safe to print on one line: the
// service's messages can echo what the caller sent.
func (e *mappedError) Error() string { return safetext.Line(e.err.Error(), 0) }

func (e *mappedError) Unwrap() error { return e.err }

func (e *mappedError) Is(target error) bool { return target == e.sentinel }

// Violation is one broken constraint of one field.
type Violation struct {
	// Field is the wire name of the field: repositoryName, registryId, imageId,
	// imageId.imageTag or imageId.imageDigest.
	Field string
	// Value is the offending value ("" for a missing one).
	Value string
	// Constraint says, for a human, what the value must be.
	Constraint string
}

// String formats the violation with the value quoted and cut to 64 characters.
func (v Violation) String() string {
	return fmt.Sprintf("%s %s %s", v.Field, quote(v.Value), v.Constraint)
}

// ValidationError reports every documented constraint an input breaks,
// found before anything is sent. It matches ErrValidation with errors.Is.
// (A constraint the service finds comes back as ErrInvalidParameter.)
type ValidationError struct {
	Violations []Violation
}

// Error lists every violation, values quoted and cut to 64 characters.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("ecrreplication: invalid input: ")
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.String())
	}
	return b.String()
}

// Is reports whether target is ErrValidation.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// maxQuoted is how many characters of a value an error message shows.
const maxQuoted = 64

// quote renders s with %q, cut to maxQuoted characters, so that hostile input
// can neither flood nor forge log lines.
func quote(s string) string {
	n := utf8.RuneCountInString(s)
	if n <= maxQuoted {
		return fmt.Sprintf("%q", s)
	}
	cut, count := s, 0
	for i := range s {
		if count == maxQuoted {
			cut = s[:i]
			break
		}
		count++
	}
	return fmt.Sprintf("%q... (%d characters)", cut, n)
}

// SkippedError is the Cause of the *WaitError of an image that WaitAll's
// FailFast stopped waiting for. It matches ErrSkipped, and only ErrSkipped:
// the failure belongs to the other image, whose error is in Err.
type SkippedError struct {
	// Index is the other image's index in WaitAll's input.
	Index int
	// Err is the other image's error.
	Err error
}

// Error says which image's failure stopped the wait.
func (e *SkippedError) Error() string {
	if e == nil {
		return "ecrreplication: skipped"
	}
	return fmt.Sprintf("skipped after image %d could not complete", e.Index+1)
}

// Is reports whether target is ErrSkipped.
func (e *SkippedError) Is(target error) bool { return target == ErrSkipped }

// WaitError is the error of a wait that did not end in success. Both the
// reason (Cause) and the error of the last poll (LastErr) answer errors.Is
// and errors.As.
type WaitError struct {
	// Cause is why the wait ended: ErrReplicationFailed, ErrWaitTimeout,
	// ErrNoReplication, ErrRegistryMismatch, a *SkippedError, the caller's
	// context error, or a service or connection error that retrying cannot
	// mend (such as one matching ErrImageNotFound).
	Cause error
	// LastErr is the error of the last poll, if that poll failed; nil when
	// it was answered.
	LastErr error
	// Last is the final report: the last answer's destinations with the
	// wait's expectations, attempts and time taken. Destinations that are
	// expected but not listed have an empty Status.
	Last *Report
	// Attempts counts the DescribeImageReplicationStatus calls made.
	Attempts int
	// Elapsed is how long the wait took.
	Elapsed time.Duration

	// limit is the wait's maxWaitDur and minDelay its MinDelay, when the
	// waiter made the error; noRoom says that it ended before its limit
	// because no further poll fitted.
	limit, minDelay time.Duration
	noRoom          bool
}

// Error names the image, why the wait ended (the failed or pending
// destinations, or that no poll succeeded), the attempts and time spent, and
// the last poll's error. It is one line with no control characters,
// whatever the service or the caller sent.
func (e *WaitError) Error() string {
	if e == nil {
		return "ecrreplication: wait failed"
	}
	var b strings.Builder
	b.WriteString("ecrreplication: waiting for ")
	b.WriteString(e.Last.Name())
	b.WriteString(": ")
	answered := e.Last != nil && e.Last.Answers > 0
	switch {
	case e.Cause == nil:
		b.WriteString("failed")
	case errors.Is(e.Cause, ErrReplicationFailed):
		b.WriteString("replication failed to ")
		writeDestinations(&b, e.Last.Failed())
	case errors.Is(e.Cause, ErrWaitTimeout):
		fmt.Fprintf(&b, "timed out after %v", e.Elapsed.Round(time.Millisecond))
		e.writeNoRoom(&b)
		switch {
		case e.Attempts == 0:
			b.WriteString(" before the first poll")
		case !answered:
			b.WriteString(": no poll succeeded")
		}
		switch pending := e.Last.Pending(); {
		case len(pending) > 0:
			b.WriteString(", still pending: ")
			writeDestinations(&b, pending)
		case answered:
			b.WriteString(", the service listed no destination")
		}
	case e.Attempts == 0 && errors.Is(e.Cause, ErrSkipped):
		b.WriteString("not polled: ")
		b.WriteString(safetext.Line(e.Cause.Error(), 0))
	default:
		b.WriteString(safetext.Line(strings.TrimPrefix(e.Cause.Error(), "ecrreplication: "), 0))
	}
	attempts := "attempts"
	if e.Attempts == 1 {
		attempts = "attempt"
	}
	fmt.Fprintf(&b, " (%d %s in %v)", e.Attempts, attempts, e.Elapsed.Round(time.Millisecond))
	if e.LastErr != nil && !errors.Is(e.Cause, e.LastErr) {
		b.WriteString("; last error: ")
		b.WriteString(safetext.Line(e.LastErr.Error(), 0))
	}
	return b.String()
}

// writeNoRoom says, for a wait that ended before its limit, why no further
// poll fitted: polls are at least MinDelay apart.
func (e *WaitError) writeNoRoom(b *strings.Builder) {
	if !e.noRoom {
		return
	}
	limit := e.limit.Round(time.Millisecond)
	if e.Attempts == 1 && e.limit <= e.minDelay {
		fmt.Fprintf(b, " (no second poll fits in the %v limit: polls are at least MinDelay %v apart)", limit, e.minDelay)
		return
	}
	left := max(e.limit-e.Elapsed, 0).Round(time.Millisecond)
	fmt.Fprintf(b, " (no further poll fits in the %v left of the %v limit: polls are at least MinDelay %v apart)", left, limit, e.minDelay)
}

// Unwrap returns Cause and LastErr, those that are set.
func (e *WaitError) Unwrap() []error {
	if e == nil {
		return nil
	}
	return nonNil([]error{e.Cause, e.LastErr})
}

// nonNil returns the errors of errs that are not nil.
func nonNil(errs []error) []error {
	return slices.DeleteFunc(slices.Clone(errs), func(err error) bool { return err == nil })
}

// WaitAllError is the error of a WaitAll in which some images did not
// complete, or whose input was invalid. It unwraps to their errors, so
// errors.Is and errors.As look at each.
type WaitAllError struct {
	// Errors has one entry per input, in input order: nil for an image that
	// completed (or, for invalid input, that was valid), its *WaitError (or
	// *ValidationError) otherwise.
	Errors []error
}

// Error counts the images that did not complete and shows the first errors,
// on one line.
func (e *WaitAllError) Error() string {
	if e == nil {
		return "ecrreplication: WaitAll failed"
	}
	const most = 3
	var b strings.Builder
	failed := 0
	for i, err := range e.Errors {
		if err == nil {
			continue
		}
		failed++
		if failed > most {
			continue
		}
		if failed == 1 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "image %d: %s", i+1, safetext.Line(strings.TrimPrefix(err.Error(), "ecrreplication: "), 0))
	}
	if failed > most {
		fmt.Fprintf(&b, "; and %d more", failed-most)
	}
	return fmt.Sprintf("ecrreplication: %d of %d images did not complete%s", failed, len(e.Errors), b.String())
}

// Unwrap returns the errors of the images that did not complete.
func (e *WaitAllError) Unwrap() []error {
	if e == nil {
		return nil
	}
	return nonNil(e.Errors)
}

// transientRetryables are the SDK's own checks for errors worth retrying:
// dropped connections, 5xx status codes, throttling and timeout codes.
var transientRetryables = retry.IsErrorRetryables(retry.DefaultRetryables)

// isTransient reports whether a polling error is passing trouble that the
// waiter should ride out: throttling, ServerException, 5xx and 429 responses,
// refused, reset and dropped connections, polls that hit the attempt timeout,
// and answers it could not read (including one over the size cap). Anything
// else is final: not found, invalid input, access denied, rejected
// credentials, a request that could not be signed, a redirect, and the
// connection errors that no retry mends (isPermanent).
func isTransient(err error) bool {
	if isPermanent(err) {
		return false
	}
	var at *attemptTimeoutError
	if errors.As(err, &at) {
		return true
	}
	if errors.Is(err, ErrThrottled) || errors.Is(err, ErrServer) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, ErrResponseTooLarge) {
		return true
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return true
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && (re.HTTPStatusCode() >= 500 || re.HTTPStatusCode() == 429) {
		return true
	}
	return transientRetryables.IsErrorRetryable(err) == aws.TrueTernary
}

// isPermanent reports whether err is a failure to reach the service that no
// retry mends: a certificate the client does not trust or that does not
// match the host, a host name that does not exist, a server that does not
// speak TLS on an https URL, or a request that could not even be made
// (credentials, endpoint).
func isPermanent(err error) bool {
	var (
		unsent     *unsentError
		verify     *tls.CertificateVerificationError
		authority  x509.UnknownAuthorityError
		hostname   x509.HostnameError
		invalid    x509.CertificateInvalidError
		record     tls.RecordHeaderError
		dns        *net.DNSError
		systemRoot x509.SystemRootsError
	)
	switch {
	case errors.As(err, &unsent), errors.As(err, &verify), errors.As(err, &authority),
		errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &record),
		errors.As(err, &systemRoot), errors.Is(err, http.ErrSchemeMismatch):
		return true
	case errors.As(err, &dns):
		return dns.IsNotFound
	}
	return false
}

// reachedService reports whether a poll's error came with an answer from
// the service (any HTTP response, even an error), as opposed to a failure
// to reach it. The SDK wraps a request that could not be sent in a response
// error with status code 0.
func reachedService(err error) bool {
	var send *smithyhttp.RequestSendError
	if errors.As(err, &send) {
		return false
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return true
	}
	var re *smithyhttp.ResponseError
	return errors.As(err, &re) && re.HTTPStatusCode() > 0
}

// unsentError is the error of a request that failed before it could be sent.
// It matches ErrRequestNotSent.
type unsentError struct{ err error }

// Error says that the request was not sent, and why.
func (e *unsentError) Error() string {
	return "the request could not be sent (credentials, endpoint or signing): " + e.err.Error()
}

// Unwrap returns the underlying error.
func (e *unsentError) Unwrap() error { return e.err }

// Is reports whether target is ErrRequestNotSent.
func (e *unsentError) Is(target error) bool { return target == ErrRequestNotSent }

// attemptTimeoutError is the error of a poll that got no answer within the
// waiter's AttemptTimeout.
type attemptTimeoutError struct {
	timeout time.Duration
	err     error
}

// Error says that no answer came in time, and what the client said.
func (e *attemptTimeoutError) Error() string {
	return "no answer within the attempt timeout of " + e.timeout.String() + ": " + e.err.Error()
}

// Unwrap returns the client's error.
func (e *attemptTimeoutError) Unwrap() error { return e.err }

// word shows a value the service or a caller gave (a region, a registry ID,
// a status, a failure code, a digest) in a message: as it is when it is short
// and made only of printable ASCII other than space, quotes and backslash;
// quoted and cut otherwise, so that an unusual value stands out and cannot
// forge or flood a message.
func word(s string) string {
	if s == "" || len(s) > maxQuoted {
		return quote(s)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '"' || c == '\'' || c == '\\' || c == '`' {
			return quote(s)
		}
	}
	return s
}
