package ecrtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
)

// Error codes the server sends.
const (
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
// API returns the same types a client would see; nil stays nil.
func (e *apiError) sdkError() error {
	if e == nil {
		return nil
	}
	m := &e.Message
	switch e.Code {
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
		"The repository with name '%s' does not exist in the registry with id '%s'", echo(name), echo(registryID))
}

func errRepositoryExists(registryID, name string) *apiError {
	return newError(http.StatusBadRequest, codeRepositoryExists,
		"The repository with name '%s' already exists in the registry with id '%s'", echo(name), echo(registryID))
}

func errImageNotFound(registryID, repository string, id wireImageID) *apiError {
	return newError(http.StatusBadRequest, codeImageNotFound,
		"The image with imageId %s does not exist within the repository with name '%s' in the registry with id '%s'",
		id.describe(), echo(repository), registryID)
}

// maxEcho is how many characters of a request value an error message
// repeats. ECR's own cap, if any, is not on record; values that pass
// validation are at most 300 characters, except digests.
const maxEcho = 300

// echo prepares a request value for an error message: cut to maxEcho
// characters (with a note of the full length) and with control characters
// shown as \uXXXX, so that a hostile value can neither flood nor forge a
// message.
func echo(s string) string {
	n := utf8.RuneCountInString(s)
	cut := s
	if n > maxEcho {
		count := 0
		for i := range s {
			if count == maxEcho {
				cut = s[:i]
				break
			}
			count++
		}
	}
	if strings.IndexFunc(cut, unicode.IsControl) >= 0 || !utf8.ValidString(cut) {
		var b strings.Builder
		for _, r := range cut {
			if unicode.IsControl(r) || r == utf8.RuneError {
				fmt.Fprintf(&b, "\\u%04x", r)
				continue
			}
			b.WriteRune(r)
		}
		cut = b.String()
	}
	if n > maxEcho {
		return fmt.Sprintf("%s...(%d characters)", cut, n)
	}
	return cut
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

// writeError writes e to w as ECR does: the status, an X-Amzn-ErrorType
// header and a {"__type","message"} JSON body. Every wire error goes through
// this function.
func writeError(w http.ResponseWriter, e *apiError) {
	body, _ := json.Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message,omitempty"`
	}{e.Code, e.Message})
	send(w, e.Status, e.Code, jsonContentType, body)
}

// writeJSON writes a successful (HTTP 200) response.
func writeJSON(w http.ResponseWriter, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeError(w, errServer(defaultServerErrorReason))
		return
	}
	send(w, http.StatusOK, "", jsonContentType, body)
}

// send writes one whole answer: the status, Content-Type, Content-Length,
// X-Amzn-ErrorType when code is not "", and the body. Every answer the
// server sends, injected faults included, goes through it.
func send(w http.ResponseWriter, status int, code, contentType string, body []byte) {
	h := w.Header()
	if code != "" {
		h.Set(headerErrorType, code)
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
