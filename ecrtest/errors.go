package ecrtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
)

// Error codes the server sends.
const (
	codeValidation           = "ValidationException"
	codeInvalidParameter     = "InvalidParameterException"
	codeRepositoryNotFound   = "RepositoryNotFoundException"
	codeRepositoryExists     = "RepositoryAlreadyExistsException"
	codeImageNotFound        = "ImageNotFoundException"
	codeImageAlreadyExists   = "ImageAlreadyExistsException"
	codeServer               = "ServerException"
	codeThrottling           = "ThrottlingException"
	codeUnknownOperation     = "UnknownOperationException"
	codeSerialization        = "SerializationException"
	codeMissingAuthToken     = "MissingAuthenticationTokenException"
	codeUnrecognizedClient   = "UnrecognizedClientException"
	codeInvalidSignature     = "InvalidSignatureException"
	codeIncompleteSignature  = "IncompleteSignatureException"
	codeServiceUnavailable   = "ServiceUnavailableException"
	jsonContentType          = "application/x-amz-json-1.1"
	headerRequestID          = "X-Amzn-Requestid"
	headerErrorType          = "X-Amzn-ErrorType"
	defaultServerErrorReason = "We encountered an internal error. Please try again."
)

// apiError is an error as ECR puts it on the wire.
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// sdkError converts e to the SDK's error type for its code, so that the Go
// API returns the same types a client would see.
func (e *apiError) sdkError() error {
	m := &e.Message
	switch e.Code {
	case codeValidation:
		return &types.ValidationException{Message: m}
	case codeInvalidParameter:
		return &types.InvalidParameterException{Message: m}
	case codeRepositoryNotFound:
		return &types.RepositoryNotFoundException{Message: m}
	case codeRepositoryExists:
		return &types.RepositoryAlreadyExistsException{Message: m}
	case codeImageNotFound:
		return &types.ImageNotFoundException{Message: m}
	case codeImageAlreadyExists:
		return &types.ImageAlreadyExistsException{Message: m}
	case codeServer:
		return &types.ServerException{Message: m}
	}
	return &smithy.GenericAPIError{Code: e.Code, Message: e.Message}
}

func newError(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func errRepositoryNotFound(registryID, name string) *apiError {
	return newError(http.StatusBadRequest, codeRepositoryNotFound,
		"The repository with name '%s' does not exist in the registry with id '%s'", name, registryID)
}

func errRepositoryExists(registryID, name string) *apiError {
	return newError(http.StatusBadRequest, codeRepositoryExists,
		"The repository with name '%s' already exists in the registry with id '%s'", name, registryID)
}

func errImageNotFound(registryID, repository string, id wireImageID) *apiError {
	return newError(http.StatusBadRequest, codeImageNotFound,
		"The image with imageId %s does not exist within the repository with name '%s' in the registry with id '%s'",
		id.describe(), repository, registryID)
}

func errInvalidParameter(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, codeInvalidParameter, format, args...)
}

func errServer(msg string) *apiError {
	return newError(http.StatusInternalServerError, codeServer, "%s", msg)
}

func errSerialization(msg string) *apiError {
	return newError(http.StatusBadRequest, codeSerialization, "%s", msg)
}

// errValidation builds a ValidationException from constraint violations, in
// the service's style.
func errValidation(violations []string) *apiError {
	n := len(violations)
	noun := "errors"
	if n == 1 {
		noun = "error"
	}
	return newError(http.StatusBadRequest, codeValidation, "%d validation %s detected: %s",
		n, noun, strings.Join(violations, "; "))
}

// writeError writes e to w as ECR does: the status, an X-Amzn-ErrorType
// header and a {"__type","message"} JSON body. Every wire error goes through
// this function.
func writeError(w http.ResponseWriter, e *apiError) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{e.Code, e.Message})
	h := w.Header()
	h.Set(headerErrorType, e.Code)
	h.Set("Content-Type", jsonContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(e.Status)
	_, _ = w.Write(body)
}

// writeJSON writes a successful (HTTP 200) response.
func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, errServer(defaultServerErrorReason))
		return
	}
	h := w.Header()
	h.Set("Content-Type", jsonContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
