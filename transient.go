package ecrreplication

import (
	"errors"
	"io"

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
// dropped connections and responses it could not read. Anything else (not
// found, invalid input, access denied, missing credentials) is final.
func isTransient(err error) bool {
	if errors.Is(err, ErrThrottled) || errors.Is(err, ErrServer) || errors.Is(err, io.ErrUnexpectedEOF) {
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
