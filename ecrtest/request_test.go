package ecrtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// post sends body to the server with the given Content-Type and returns the
// status, the X-Amzn-ErrorType header and the body.
func post(t *testing.T, srv *ecrtest.Server, contentType, op string, body io.Reader) (int, string, string) {
	t.Helper()
	url := srv.URL
	if url == "" {
		url = "http://ecrtest.invalid"
	}
	req, err := http.NewRequest(http.MethodPost, url+"/", body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("X-Amz-Target", prefix+op)
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), string(b)
}

// Only application/x-amz-json-1.1 is served; anything else gets the answer
// Kinesis gives (disneystreaming/smithy4s#167).
func TestContentType(t *testing.T) {
	modes(t, func(t *testing.T, newServer func(...func(*ecrtest.Options)) *ecrtest.Server) {
		srv := newServer()
		defer srv.Close()
		for _, tt := range []struct {
			contentType string
			status      int
			errorType   string
		}{
			{"application/x-amz-json-1.1", 200, ""},
			{"application/x-amz-json-1.1; charset=utf-8", 200, ""},
			{"application/json", 400, "UnknownOperationException"},
			{"application/x-amz-json-1.0", 400, "UnknownOperationException"},
			{"application/octet-stream", 400, "UnknownOperationException"},
			{"", 400, "UnknownOperationException"},
		} {
			t.Run(tt.contentType, func(t *testing.T) {
				status, errorType, body := post(t, srv, tt.contentType, "DescribeRegistry", strings.NewReader("{}"))
				if status != tt.status || errorType != tt.errorType {
					t.Fatalf("answer %d %q, want %d %q", status, errorType, tt.status, tt.errorType)
				}
				if status != 200 && body != "<UnknownOperationException/>\n" {
					t.Errorf("body = %q", body)
				}
			})
		}
	})
}

// A body over 8 MiB is refused as too large, with or without a declared
// length, and is not decoded.
func TestBodyTooLarge(t *testing.T) {
	modes(t, func(t *testing.T, newServer func(...func(*ecrtest.Options)) *ecrtest.Server) {
		srv := newServer()
		defer srv.Close()
		big := `{"repositoryName":"app","imageId":{"imageTag":"` + strings.Repeat("t", 8<<20) + `"}}`
		for name, body := range map[string]io.Reader{
			"declared length": strings.NewReader(big),
			"chunked":         io.MultiReader(strings.NewReader(big)), // no length known
		} {
			t.Run(name, func(t *testing.T) {
				status, errorType, msg := post(t, srv, "application/x-amz-json-1.1", "DescribeImageReplicationStatus", body)
				if status != http.StatusRequestEntityTooLarge || errorType != "SerializationException" {
					t.Fatalf("answer %d %q, want 413 SerializationException", status, errorType)
				}
				if !strings.Contains(msg, "larger than 8388608 bytes") {
					t.Errorf("body = %.200q", msg)
				}
			})
		}
		// Exactly at the limit is read and decoded.
		atLimit := `{"x":"` + strings.Repeat("t", 8<<20-8) + `"}`
		if status, errorType, _ := post(t, srv, "application/x-amz-json-1.1", "DescribeRegistry", strings.NewReader(atLimit)); status != 200 {
			t.Errorf("body of exactly 8 MiB: %d %s, want 200", status, errorType)
		}
	})
}

// Error messages repeat at most 300 characters of a request value, with no
// control characters.
func TestEchoedValuesCapped(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	push(t, srv, "app", "v1")
	c := srv.Client(noRetry)
	digest := "sha256:" + strings.Repeat("ab", 1<<20) // 2 MiB, valid pattern
	_, err := c.DescribeImageReplicationStatus(context.Background(), byDigest("app", digest))
	var nf *types.ImageNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("err = %v, want ImageNotFoundException", err)
	}
	msg := nf.ErrorMessage()
	if n := utf8.RuneCountInString(msg); n > 600 {
		t.Errorf("message is %d characters long: %.120q...", n, msg)
	}
	if want := "...(2097159 characters)"; !strings.Contains(msg, want) {
		t.Errorf("message %.400q lacks %q", msg, want)
	}

	// An Authorization header with control characters is repeated with
	// them escaped, and cut.
	authSrv := ecrtest.NewInMemoryServer(requireAuth)
	defer authSrv.Close()
	req, _ := http.NewRequest(http.MethodPost, "http://ecrtest.invalid/", strings.NewReader("{}"))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", prefix+"DescribeRegistry")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 \x1b[31mforged"+strings.Repeat("x", 1000))
	resp, err := authSrv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	msg = body["message"]
	if want := `Authorization=AWS4-HMAC-SHA256 \u001b[31mforgedxxx`; !strings.Contains(msg, want) {
		t.Errorf("message = %.200q, want it to contain %q", msg, want)
	}
	if strings.ContainsFunc(msg, unicode.IsControl) {
		t.Errorf("message has a control character: %q", msg)
	}
	if !strings.HasSuffix(msg, "...(1028 characters)") {
		t.Errorf("message = %.400q, want the header cut", msg)
	}
}

// A 2 MiB tag is rejected by its length without being repeated.
func TestHugeTagNotEchoed(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	_, err := srv.Client(noRetry).DescribeImageReplicationStatus(context.Background(), &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("app"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String(strings.Repeat("t", 2<<20))},
	})
	var ipe *types.InvalidParameterException
	if !errors.As(err, &ipe) {
		t.Fatalf("err = %v, want InvalidParameterException", err)
	}
	if diff := cmp.Diff("Invalid parameter at 'imageTag' failed to satisfy constraint: 'must have length less than or equal to 300'", ipe.ErrorMessage()); diff != "" {
		t.Error(diff)
	}
}
