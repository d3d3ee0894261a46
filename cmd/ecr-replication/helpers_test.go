package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// otherAccount is the cross-account destination of the test servers.
const otherAccount = "210987654321"

// TestMain makes the tests independent of the AWS configuration of the
// machine: no shared files, no credentials or region from the environment,
// no instance metadata.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "ecr-replication-test")
	if err != nil {
		panic(err)
	}
	for _, name := range []string{
		"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_ECR", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	} {
		os.Unsetenv(name)
	}
	os.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	os.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// newServer returns a server replicating every repository to us-west-2 in
// its own account and to us-east-2 in otherAccount: in memory (for
// testing/synctest bubbles; create it inside the bubble) or on loopback.
func newServer(t *testing.T, inMemory bool, optFns ...func(*ecrtest.Options)) *ecrtest.Server {
	t.Helper()
	var srv *ecrtest.Server
	if inMemory {
		srv = ecrtest.NewInMemoryServer(optFns...)
	} else {
		srv = ecrtest.NewServer(optFns...)
	}
	t.Cleanup(srv.Close)
	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{
			Destinations: []types.ReplicationDestination{
				{Region: aws.String("us-west-2"), RegistryId: aws.String(srv.AccountID())},
				{Region: aws.String("us-east-2"), RegistryId: aws.String(otherAccount)},
			},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return srv
}

// push pushes repo:tag to srv with plans and returns the digest.
func push(t *testing.T, srv *ecrtest.Server, repo, tag string, plans ...ecrtest.DestinationPlan) string {
	t.Helper()
	digest, err := srv.PushImage(repo, tag, plans...)
	if err != nil {
		t.Fatal(err)
	}
	return digest
}

// outcome is what one run of the command produced.
type outcome struct {
	code           int
	stdout, stderr string
}

// runAgainst runs the command in-process against srv with the static test
// credentials, stderr not a terminal, and --endpoint-url and --region
// pointing at srv. Extra environment options come last.
func runAgainst(ctx context.Context, srv *ecrtest.Server, args []string, opts ...func(*environment)) outcome {
	endpoint := srv.URL
	if endpoint == "" {
		endpoint = "http://ecrtest.invalid"
	}
	full := append([]string{"--endpoint-url", endpoint, "--region", srv.Region()}, args...)
	base := func(e *environment) {
		no := false
		e.terminal = &no
		e.httpClient = srv.HTTPClient()
		e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(ecrtest.Credentials())}
	}
	return runWith(ctx, full, append([]func(*environment){base}, opts...)...)
}

// runWith runs the command in-process with args as given.
func runWith(ctx context.Context, args []string, opts ...func(*environment)) outcome {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr, opts...)
	return outcome{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// decodeJSON decodes the one JSON document of stdout into a generic map, so
// that tests see the field names and values exactly as a machine would.
func decodeJSON(t *testing.T, stdout string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader([]byte(stdout)))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON document: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout has more than one JSON document:\n%s", stdout)
	}
	return doc
}

// dest is a destination as decoded from the JSON output.
func dest(region, registryID, status, failureCode string) map[string]any {
	return map[string]any{"region": region, "registryId": registryID, "status": status, "failureCode": failureCode}
}

// dests is a JSON destination list.
func dests(ds ...map[string]any) []any {
	out := make([]any, len(ds))
	for i, d := range ds {
		out[i] = d
	}
	return out
}
