package ecrreplication

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	smithy "github.com/aws/smithy-go"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// Sentinel errors for the error types that DescribeImageReplicationStatus
// documents. Compare with errors.Is; the SDK's own error value stays in the
// chain and is reachable with errors.As.
var (
	// ErrImageNotFound: the image does not exist in the repository
	// (ImageNotFoundException).
	ErrImageNotFound = errors.New("ecrreplication: image not found")
	// ErrRepositoryNotFound: the repository does not exist in the registry
	// (RepositoryNotFoundException).
	ErrRepositoryNotFound = errors.New("ecrreplication: repository not found")
	// ErrInvalidParameter: the service rejected a parameter
	// (InvalidParameterException). This is what ECR answers when a request
	// breaks one of its input constraints ("Invalid parameter at
	// 'repositoryName' failed to satisfy constraint: ..."), such as a
	// repository name, registry ID, tag or digest that does not match ECR's
	// pattern, as well as for requests it finds invalid in other ways.
	// Describe and the waiter check the documented constraints locally first
	// (ErrValidation); ECR also rejects tags outside [a-zA-Z0-9-_.]+ and
	// digests outside [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+, which reach the service
	// and come back as ErrInvalidParameter.
	ErrInvalidParameter = errors.New("ecrreplication: invalid parameter")
	// ErrValidation: the input broke a documented constraint. It is found
	// locally by ValidateInput (a *ValidationError) before any request is
	// sent, or, in principle, by the service as ValidationException, which
	// the API reference lists but which no public record shows ECR sending
	// for a broken constraint: ECR answers those with
	// InvalidParameterException (ErrInvalidParameter).
	ErrValidation = errors.New("ecrreplication: validation failed")
	// ErrServer: the service failed on its side (ServerException).
	ErrServer = errors.New("ecrreplication: server error")
	// ErrThrottled: the request rate was too high (ThrottlingException,
	// TooManyRequestsException, LimitExceededException and the other
	// throttling codes the SDK's retryer knows).
	ErrThrottled = errors.New("ecrreplication: throttled")
)

// sentinelFor returns the sentinel for a service error code, or nil.
func sentinelFor(code string) error {
	switch code {
	case "ImageNotFoundException":
		return ErrImageNotFound
	case "RepositoryNotFoundException":
		return ErrRepositoryNotFound
	case "InvalidParameterException":
		return ErrInvalidParameter
	case "ValidationException":
		return ErrValidation
	case "ServerException":
		return ErrServer
	}
	if _, ok := retry.DefaultThrottleErrorCodes[code]; ok {
		return ErrThrottled
	}
	return nil
}

// MapError makes errors.Is(err, ErrX) answer for the service error in err's
// chain, matched by its error code (so a *smithy.GenericAPIError with a known
// code maps too). The result keeps err's chain and text (made safe to print
// on one line): errors.As still reaches *smithy.OperationError,
// *types.ImageNotFoundException and the rest.
// nil stays nil, errors without a known code are returned unchanged, and an
// error that is already mapped is not wrapped again.
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

// Error is the service error's text, made safe to print on one line
// (SafeText): the service's messages can echo what the caller sent.
func (e *mappedError) Error() string { return safetext.Line(e.err.Error(), 0) }

func (e *mappedError) Unwrap() error { return e.err }

func (e *mappedError) Is(target error) bool { return target == e.sentinel }
