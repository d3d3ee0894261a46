package ecrtest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go"
	smithymiddleware "github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

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
			name    string
			opt     func(*ecr.Options)
			code    string
			message string
		}{
			{"unsigned", func(o *ecr.Options) { o.Credentials = aws.AnonymousCredentials{} }, "MissingAuthenticationTokenException",
				"Missing Authentication Token"},
			{"unknown access key", func(o *ecr.Options) { o.Credentials = staticCreds("AKIDUNKNOWN", ecrtest.SecretAccessKey) }, "UnrecognizedClientException",
				"The security token included in the request is invalid."},
			{"wrong secret", func(o *ecr.Options) { o.Credentials = staticCreds(ecrtest.AccessKeyID, "wrong") }, "InvalidSignatureException",
				"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."},
			{"wrong region", func(o *ecr.Options) { o.Region = "eu-west-1" }, "InvalidSignatureException",
				"Credential should be scoped to a valid region, not 'eu-west-1'."},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := srv.Client(noRetry, tt.opt).DescribeImageReplicationStatus(context.Background(), byTag("app", "v1"))
				var g *smithy.GenericAPIError
				if !errors.As(err, &g) || g.Code != tt.code {
					t.Fatalf("err = %v, want %s", err, tt.code)
				}
				if g.Message != tt.message {
					t.Errorf("message = %q, want %q", g.Message, tt.message)
				}
				if got := httpStatus(err); got != http.StatusBadRequest {
					t.Errorf("HTTP status = %d, want 400", got)
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

// The signing time may be 15 minutes off the server's clock, no more; the
// answer names the signing time, the limit and the server's time. The
// clock is the synctest bubble's.
func TestAuthenticationSigningTime(t *testing.T) {
	tests := []struct {
		name    string
		skew    time.Duration
		message string // with the bubble's start, 2000-01-01T00:00:00Z
	}{
		{"14 minutes late", -14 * time.Minute, ""},
		{"14 minutes early", 14 * time.Minute, ""},
		{"an hour late", -time.Hour,
			"Signature expired: 19991231T230000Z is now earlier than 19991231T234500Z (20000101T000000Z - 15 min.)"},
		{"a day early", 24 * time.Hour,
			"Signature not yet current: 20000102T000000Z is still later than 20000101T001500Z (20000101T000000Z + 15 min.)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := ecrtest.NewInMemoryServer(requireAuth)
				defer srv.Close()
				c := srv.Client(noRetry, func(o *ecr.Options) {
					o.APIOptions = append(o.APIOptions, skewSigningClock(tt.skew))
				})
				_, err := c.DescribeRegistry(context.Background(), &ecr.DescribeRegistryInput{})
				if tt.message == "" {
					if err != nil {
						t.Fatalf("DescribeRegistry: %v", err)
					}
					return
				}
				var g *smithy.GenericAPIError
				if !errors.As(err, &g) || g.Code != "InvalidSignatureException" || g.Message != tt.message {
					t.Fatalf("err = %v, want InvalidSignatureException %q", err, tt.message)
				}
				if got := httpStatus(err); got != http.StatusBadRequest {
					t.Errorf("HTTP status = %d, want 400", got)
				}
			})
		})
	}
}

// skewSigningClock makes the client sign as if its clock were off by d: it
// re-signs the request after the SDK's signer, with the SDK's signer.
func skewSigningClock(d time.Duration) func(*smithymiddleware.Stack) error {
	return func(s *smithymiddleware.Stack) error {
		return s.Finalize.Add(smithymiddleware.FinalizeMiddlewareFunc("skewSigningClock",
			func(ctx context.Context, in smithymiddleware.FinalizeInput, next smithymiddleware.FinalizeHandler) (smithymiddleware.FinalizeOutput, smithymiddleware.Metadata, error) {
				req := in.Request.(*smithyhttp.Request)
				req.Header.Del("Authorization")
				req.Header.Del("X-Amz-Date")
				creds := aws.Credentials{AccessKeyID: ecrtest.AccessKeyID, SecretAccessKey: ecrtest.SecretAccessKey}
				hash := v4.GetPayloadHash(ctx)
				if err := v4.NewSigner().SignHTTP(ctx, creds, req.Request, hash, "ecr", "us-east-1", time.Now().Add(d)); err != nil {
					return smithymiddleware.FinalizeOutput{}, smithymiddleware.Metadata{}, err
				}
				return next.HandleFinalize(ctx, in)
			}), smithymiddleware.After)
	}
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }
