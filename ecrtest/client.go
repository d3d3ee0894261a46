package ecrtest

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
)

// inMemoryEndpoint is the base endpoint of clients of in-memory servers; it
// is never resolved.
const inMemoryEndpoint = "http://ecrtest.invalid"

// Credentials returns the static test credentials (AccessKeyID,
// SecretAccessKey) that the server accepts when it requires authentication.
func Credentials() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, Source: "ecrtest"}, nil
	})
}

// Client returns an *ecr.Client for the server: region s.Region(), the static
// test credentials, s.HTTPClient() and BaseEndpoint s.URL (loopback) or
// "http://ecrtest.invalid" (in memory). optFns are applied last and may
// override any of these, e.g. to set RetryMaxAttempts.
func (s *Server) Client(optFns ...func(*ecr.Options)) *ecr.Client {
	endpoint := s.URL
	if endpoint == "" {
		endpoint = inMemoryEndpoint
	}
	return ecr.New(ecr.Options{
		Region:       s.opts.Region,
		Credentials:  Credentials(),
		BaseEndpoint: aws.String(endpoint),
		HTTPClient:   s.httpClient,
	}, optFns...)
}
