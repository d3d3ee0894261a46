package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// otherAccount is the cross-account destination of the test servers.
const otherAccount = "210987654321"

// testEndpoint is the --endpoint-url of the in-memory servers: loopback, so
// that no plain-HTTP warning is printed.
const testEndpoint = "http://localhost"

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
	testDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testDir is the temporary directory of the test run.
var testDir string

// builtBinary returns the path of the command built from this package, once
// per test run; tests of the real process (signals, stdin) run it.
func builtBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	path, err := buildOnce()
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// buildOnce builds the command into testDir.
var buildOnce = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(testDir, "ecr-replication")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

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

// ran is what one run of the command produced.
type ran struct {
	code           int
	stdout, stderr string
}

// runAgainst runs the command in-process against srv with the static test
// credentials, and --endpoint-url and --region
// pointing at srv. Extra environment options come last.
func runAgainst(ctx context.Context, srv *ecrtest.Server, args []string, opts ...func(*environment)) ran {
	endpoint := srv.URL
	if endpoint == "" {
		endpoint = testEndpoint
	}
	return runVia(ctx, srv.HTTPClient(), append([]string{"--endpoint-url", endpoint, "--region", srv.Region()}, args...), opts...)
}

// runVia runs the command in-process with args as given, every request sent
// through client, and the static test credentials.
func runVia(ctx context.Context, client aws.HTTPClient, args []string, opts ...func(*environment)) ran {
	base := func(e *environment) {
		e.httpClient = client
		e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(ecrtest.Credentials())}
	}
	return runWith(ctx, args, append([]func(*environment){base}, opts...)...)
}

// runWith runs the command in-process with args as given.
func runWith(ctx context.Context, args []string, opts ...func(*environment)) ran {
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr, opts...)
	return ran{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// outputSchema is the compiled JSON Schema of the documents.
var outputSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	return compileSchema(schemaJSON)
})

// compileSchema compiles a JSON Schema, with format assertions.
func compileSchema(text []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(text))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("schema.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("schema.json")
}

// validateOutput checks a JSON document against the output's JSON Schema.
func validateOutput(text string) error {
	sch, err := outputSchema()
	if err != nil {
		return fmt.Errorf("the schema does not compile: %v", err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return err
	}
	return sch.Validate(v)
}

// decodeJSON checks that stdout is one JSON document valid under the
// output's JSON Schema and decodes it into a generic map, so that tests see
// the field names and values exactly as a machine would.
func decodeJSON(t *testing.T, stdout string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(stdout))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON document: %v\n%s", err, stdout)
	}
	if dec.More() {
		t.Fatalf("stdout has more than one JSON document:\n%s", stdout)
	}
	if err := validateOutput(stdout); err != nil {
		t.Fatalf("stdout breaks the output's JSON Schema: %v\n%s", err, stdout)
	}
	return doc
}

// imageOf returns the only image of the document on stdout.
func imageOf(t *testing.T, stdout string) map[string]any {
	t.Helper()
	images, _ := decodeJSON(t, stdout)["images"].([]any)
	if len(images) != 1 {
		t.Fatalf("the document has %d images, want 1:\n%s", len(images), stdout)
	}
	return images[0].(map[string]any)
}

// set is the document of images whose set ended with outcome and exit
// code, elapsed seconds after its start.
func set(outcome string, exitCode int, elapsed float64, images ...map[string]any) map[string]any {
	list := make([]any, len(images))
	for i, img := range images {
		list[i] = img
	}
	return map[string]any{"images": list, "outcome": outcome, "complete": outcome == "complete", "exitCode": float64(exitCode), "elapsedSeconds": elapsed}
}

// dest is a destination as decoded from the JSON output, not seen COMPLETE.
func dest(region, registryID, status, failureCode string) map[string]any {
	return map[string]any{"region": region, "registryId": registryID, "status": status, "failureCode": failureCode,
		"extra": false, "missingSince": nil, "replicationSeconds": nil, "completeAtFirstPoll": false}
}

// done is a COMPLETE destination whose replication took min to max seconds.
func done(region, registryID string, minSeconds, maxSeconds float64) map[string]any {
	d := dest(region, registryID, "COMPLETE", "")
	d["replicationSeconds"] = map[string]any{"min": minSeconds, "max": maxSeconds}
	return d
}

// dests is a JSON destination list.
func dests(ds ...map[string]any) []any {
	out := make([]any, len(ds))
	for i, d := range ds {
		out[i] = d
	}
	return out
}

// waitStart is the "since" of a wait that started at the beginning of a
// synctest bubble and counts from its start.
var waitStart = map[string]any{"source": "wait-start", "time": "2000-01-01T00:00:00Z"}

// pushStart is the "since" of a wait that counts from a push at the
// beginning of a synctest bubble (--since push, the default).
var pushStart = map[string]any{"source": "push", "time": "2000-01-01T00:00:00Z"}

// scripted is an in-memory http.RoundTripper whose answers a test writes:
// the n-th request (from 1) gets answer(n, req). No sockets, so it runs in a
// synctest bubble.
type scripted struct {
	mu     sync.Mutex
	n      int
	answer func(n int, req *http.Request) (*http.Response, error)
}

// RoundTrip implements http.RoundTripper.
func (s *scripted) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.n++
	n := s.n
	s.mu.Unlock()
	defer func() {
		if req.Body != nil {
			req.Body.Close()
		}
	}()
	return s.answer(n, req)
}

// calls returns how many requests s received.
func (s *scripted) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// client returns an HTTP client that sends every request to s and, like
// the SDK's own, does not follow redirects.
func (s *scripted) client() *http.Client {
	return &http.Client{Transport: s, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// reply is an HTTP answer with body, in the awsJson1_1 protocol's manner.
func reply(req *http.Request, status int, body io.Reader, header ...string) *http.Response {
	h := http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"scripted"}}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	return &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Header: h,
		Body: io.NopCloser(body), ContentLength: -1, Request: req}
}

// statusBody is a DescribeImageReplicationStatus answer for app:v1 with the
// given replicationStatuses (a JSON array).
func statusBody(statuses string) string {
	return `{"repositoryName":"app","imageId":{"imageDigest":"sha256:` + strings.Repeat("a", 64) + `","imageTag":"v1"},"replicationStatuses":` + statuses + `}`
}

// completeStatuses is a replicationStatuses array with us-west-2 COMPLETE.
const completeStatuses = `[{"region":"us-west-2","registryId":"123456789012","status":"COMPLETE"}]`
