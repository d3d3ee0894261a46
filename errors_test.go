package ecrreplication_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	smithy "github.com/aws/smithy-go"

	"github.com/ecrkit/ecrreplication"
)

var sentinels = []error{
	ecrreplication.ErrImageNotFound,
	ecrreplication.ErrRepositoryNotFound,
	ecrreplication.ErrInvalidParameter,
	ecrreplication.ErrValidation,
	ecrreplication.ErrServer,
	ecrreplication.ErrThrottled,
}

// checkOnly asserts that err matches want and no other sentinel.
func checkOnly(t *testing.T, err, want error) {
	t.Helper()
	for _, s := range sentinels {
		if got := errors.Is(err, s); got != (s == want) {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", err, s, got, s == want)
		}
	}
}

// serviceErrors are the documented errors plus throttling, with the SDK type
// each deserialises to.
var serviceErrors = []struct {
	code     string
	status   int
	sentinel error
	sdkType  func(error) bool
}{
	{"ImageNotFoundException", 400, ecrreplication.ErrImageNotFound, isType[*types.ImageNotFoundException]},
	{"RepositoryNotFoundException", 400, ecrreplication.ErrRepositoryNotFound, isType[*types.RepositoryNotFoundException]},
	{"InvalidParameterException", 400, ecrreplication.ErrInvalidParameter, isType[*types.InvalidParameterException]},
	{"ValidationException", 400, ecrreplication.ErrValidation, isType[*types.ValidationException]},
	{"ServerException", 500, ecrreplication.ErrServer, isType[*types.ServerException]},
	{"ThrottlingException", 400, ecrreplication.ErrThrottled, isType[*smithy.GenericAPIError]},
	{"TooManyRequestsException", 429, ecrreplication.ErrThrottled, isType[*smithy.GenericAPIError]},
	{"LimitExceededException", 400, ecrreplication.ErrThrottled, isType[*types.LimitExceededException]},
}

func isType[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

// TestDescribeServiceErrors drives the real SDK client against a wire-level
// fake for every documented error in every form the code may arrive in.
func TestDescribeServiceErrors(t *testing.T) {
	for _, se := range serviceErrors {
		for _, form := range []errorForm{formHeader, formHeaderSuffix, formType, formTypePrefixed} {
			t.Run(fmt.Sprintf("%s/%v", se.code, form), func(t *testing.T) {
				message := "message for " + se.code
				_, client := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
					writeError(w, se.status, se.code, message, form)
				})
				_, err := ecrreplication.Describe(context.Background(), client, validInput())
				checkOnly(t, err, se.sentinel)
				if !se.sdkType(err) {
					t.Errorf("errors.As(%v) does not reach the SDK's type for %s", err, se.code)
				}
				var opErr *smithy.OperationError
				if !errors.As(err, &opErr) || opErr.OperationName != "DescribeImageReplicationStatus" {
					t.Errorf("errors.As(%v, *smithy.OperationError) = false or wrong operation", err)
				}
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != se.code || apiErr.ErrorMessage() != message {
					t.Errorf("APIError in chain = %v, want code %q and message %q", apiErr, se.code, message)
				}
			})
		}
	}
}

func TestDescribeOtherErrorsUnmapped(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"access denied", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, 400, "AccessDeniedException", "no", formType)
		}},
		{"503 html", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(503)
			fmt.Fprint(w, "<html>Service Unavailable</html>")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, client := newWireServer(t, tt.handler)
			_, err := ecrreplication.Describe(context.Background(), client, validInput())
			if err == nil {
				t.Fatal("Describe succeeded, want an error")
			}
			checkOnly(t, err, nil)
		})
	}
}

func TestMapError(t *testing.T) {
	if err := ecrreplication.MapError(nil); err != nil {
		t.Errorf("MapError(nil) = %v, want nil", err)
	}
	plain := errors.New("plain")
	if got := ecrreplication.MapError(plain); got != plain {
		t.Errorf("MapError(plain) = %v, want the same error back", got)
	}
	generic := &smithy.GenericAPIError{Code: "Other", Message: "x"}
	if got := ecrreplication.MapError(generic); got != error(generic) {
		t.Errorf("MapError(unknown code) = %v, want the same error back", got)
	}

	orig := &smithy.OperationError{ServiceID: "ECR", OperationName: "DescribeImageReplicationStatus",
		Err: &smithy.GenericAPIError{Code: "RepositoryNotFoundException", Message: "The repository with name 'app' does not exist"}}
	mapped := ecrreplication.MapError(orig)
	checkOnly(t, mapped, ecrreplication.ErrRepositoryNotFound)
	if mapped.Error() != orig.Error() {
		t.Errorf("Error() = %q, want the original %q", mapped.Error(), orig.Error())
	}
	var opErr *smithy.OperationError
	if !errors.As(mapped, &opErr) || opErr != orig {
		t.Errorf("errors.As(*smithy.OperationError) does not reach the original")
	}
	if again := ecrreplication.MapError(mapped); again != mapped {
		t.Errorf("MapError(mapped) wrapped again: %#v", again)
	}
	wrapped := fmt.Errorf("deploy: %w", mapped)
	if again := ecrreplication.MapError(wrapped); again != wrapped {
		t.Errorf("MapError(wrapped mapped) wrapped again: %#v", again)
	}
}

func TestWithErrorMappingOnAnyOperation(t *testing.T) {
	ws, _ := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 400, "RepositoryNotFoundException", "The repository with name 'app' does not exist in the registry with id '123456789012'", formType)
	})
	client := ecr.New(ecr.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(ws.srv.URL),
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 1,
	}, ecrreplication.WithErrorMapping, ecrreplication.WithErrorMapping) // twice is harmless
	_, err := client.DescribeRepositories(context.Background(), &ecr.DescribeRepositoriesInput{RepositoryNames: []string{"app"}},
		ecrreplication.WithErrorMapping) // and per call too
	checkOnly(t, err, ecrreplication.ErrRepositoryNotFound)
	if !isType[*types.RepositoryNotFoundException](err) {
		t.Errorf("errors.As(%v, *types.RepositoryNotFoundException) = false", err)
	}
}

func TestWithValidationSendsNothing(t *testing.T) {
	ws, _ := newWireServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{})
	})
	client := ecr.New(ecr.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(ws.srv.URL),
		Credentials:  aws.AnonymousCredentials{},
	}, ecrreplication.WithValidation)
	in := validInput()
	in.RepositoryName = aws.String("Bad_Name")
	_, err := client.DescribeImageReplicationStatus(context.Background(), in)
	var ve *ecrreplication.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, ecrreplication.ErrValidation) {
		t.Fatalf("err = %v, want a *ValidationError", err)
	}
	if n := ws.calls.Load(); n != 0 {
		t.Errorf("server saw %d requests, want 0", n)
	}
	// A valid input and other operations pass through.
	if _, err := client.DescribeImageReplicationStatus(context.Background(), validInput()); err != nil {
		t.Errorf("valid input: %v", err)
	}
	if _, err := client.DescribeRegistry(context.Background(), &ecr.DescribeRegistryInput{}); err != nil {
		t.Errorf("DescribeRegistry: %v", err)
	}
	if n := ws.calls.Load(); n != 2 {
		t.Errorf("server saw %d requests, want 2", n)
	}
}
