package ecrreplication

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	smithy "github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

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

// ErrRequestNotSent: a request failed before it could be sent: its
// credentials could not be retrieved, its endpoint not resolved, or it could
// not be signed. Retrying does not mend it; the SDK's error is in the chain.
var ErrRequestNotSent = errors.New("ecrreplication: the request could not be sent")

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
