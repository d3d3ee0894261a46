package ecrtest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

func requireAuth(o *ecrtest.Options) { o.RequireAuth = true }

func staticCreds(key, secret string) aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, nil
	})
}

func TestAuthentication(t *testing.T) {
	modes(t, func(t *testing.T, newServer func(...func(*ecrtest.Options)) *ecrtest.Server) {
		srv := newServer(requireAuth)
		defer srv.Close()
		push(t, srv, "app", "v1")

		if _, err := srv.Client(noRetry).DescribeImageReplicationStatus(context.Background(), byTag("app", "v1")); err != nil {
			t.Fatalf("signed request rejected: %v", err)
		}
		tests := []struct {
			name string
			opt  func(*ecr.Options)
			code string
		}{
			{"unsigned", func(o *ecr.Options) { o.Credentials = aws.AnonymousCredentials{} }, "MissingAuthenticationTokenException"},
			{"unknown access key", func(o *ecr.Options) { o.Credentials = staticCreds("AKIDUNKNOWN", ecrtest.SecretAccessKey) }, "UnrecognizedClientException"},
			{"wrong secret", func(o *ecr.Options) { o.Credentials = staticCreds(ecrtest.AccessKeyID, "wrong") }, "InvalidSignatureException"},
			{"wrong region", func(o *ecr.Options) { o.Region = "eu-west-1" }, "InvalidSignatureException"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := srv.Client(noRetry, tt.opt).DescribeImageReplicationStatus(context.Background(), byTag("app", "v1"))
				var g *smithy.GenericAPIError
				if !errors.As(err, &g) || g.Code != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				if got := httpStatus(err); got != http.StatusForbidden {
					t.Errorf("HTTP status = %d, want 403", got)
				}
			})
		}
		if got, want := srv.CallCount(opStatus), 1+len(tests); got != want {
			t.Errorf("CallCount = %d, want %d (rejected calls are logged)", got, want)
		}
	})
}

func TestAuthenticationTamperedBody(t *testing.T) {
	srv := ecrtest.NewServer(requireAuth)
	defer srv.Close()
	send := func(signed, sent string, mutate func(*http.Request)) *http.Response {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(signed))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", prefix+"DescribeRegistry")
		sum := sha256.Sum256([]byte(signed))
		creds := aws.Credentials{AccessKeyID: ecrtest.AccessKeyID, SecretAccessKey: ecrtest.SecretAccessKey}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "ecr", srv.Region(), time.Now()); err != nil {
			t.Fatal(err)
		}
		req.Body, req.ContentLength = http.NoBody, 0
		if sent != "" {
			req.Body = readCloser{strings.NewReader(sent)}
			req.ContentLength = int64(len(sent))
		}
		if mutate != nil {
			mutate(req)
		}
		resp, err := srv.HTTPClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	if resp := send("{}", "{}", nil); resp.StatusCode != 200 {
		t.Errorf("correctly signed: status %d", resp.StatusCode)
	}
	if resp := send("{}", "[]", nil); resp.Header.Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
		t.Errorf("tampered body: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
	if resp := send("{}", "{}", func(r *http.Request) { r.Header.Set("X-Amz-Target", prefix+"PutImage") }); resp.Header.Get("X-Amzn-ErrorType") != "InvalidSignatureException" {
		t.Errorf("tampered header: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
	if resp := send("{}", "{}", func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 garbage") }); resp.Header.Get("X-Amzn-ErrorType") != "IncompleteSignatureException" {
		t.Errorf("malformed Authorization: %d %s", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"))
	}
	if resp := send("{}", "{}", func(r *http.Request) { r.Header.Set("User-Agent", "changed/1.0") }); resp.StatusCode != 200 {
		t.Errorf("unsigned header changed: status %d, want 200", resp.StatusCode)
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
