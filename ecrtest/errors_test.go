package ecrtest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

func TestErrorsThroughClient(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	push(t, srv, "app", "v0")
	c := srv.Client(noRetry)
	ctx := context.Background()

	tests := []struct {
		name    string
		in      *ecr.DescribeImageReplicationStatusInput
		target  any
		message string
	}{
		{
			name:    "repository not found",
			in:      byTag("nope", "v1"),
			target:  new(*types.RepositoryNotFoundException),
			message: "The repository with name 'nope' does not exist in the registry with id '123456789012'",
		},
		{
			name:    "image not found by tag",
			in:      byTag("app", "v1"),
			target:  new(*types.ImageNotFoundException),
			message: "The image with imageId {imageDigest:'null', imageTag:'v1'} does not exist within the repository with name 'app' in the registry with id '123456789012'",
		},
		{
			name:    "image not found by digest",
			in:      byDigest("app", "sha256:0123"),
			target:  new(*types.ImageNotFoundException),
			message: "The image with imageId {imageDigest:'sha256:0123', imageTag:'null'} does not exist within the repository with name 'app' in the registry with id '123456789012'",
		},
		{
			name:    "invalid repository name",
			in:      byTag("App", "v1"),
			target:  new(*types.InvalidParameterException),
			message: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''",
		},
		{
			name:    "short repository name",
			in:      byTag("a", "v1"),
			target:  new(*types.InvalidParameterException),
			message: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'",
		},
		{
			name: "two violations: the first is reported",
			in: &ecr.DescribeImageReplicationStatusInput{
				RepositoryName: aws.String("A"),
				ImageId:        &types.ImageIdentifier{ImageTag: aws.String(strings.Repeat("t", 301))},
			},
			target:  new(*types.InvalidParameterException),
			message: "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'",
		},
		{
			name:    "long tag",
			in:      byTag("app", strings.Repeat("t", 301)),
			target:  new(*types.InvalidParameterException),
			message: "Invalid parameter at 'imageTag' failed to satisfy constraint: 'must have length less than or equal to 300'",
		},
		{
			name:    "malformed tag",
			in:      byTag("app", "bad tag!"),
			target:  new(*types.InvalidParameterException),
			message: "Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_.]+''",
		},
		{
			name:    "malformed digest",
			in:      byDigest("app", "sha256:xyz"),
			target:  new(*types.InvalidParameterException),
			message: "Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''",
		},
		{
			name: "invalid registry id",
			in: &ecr.DescribeImageReplicationStatusInput{
				RepositoryName: aws.String("app"),
				ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v0")},
				RegistryId:     aws.String("12345"),
			},
			target:  new(*types.InvalidParameterException),
			message: "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'",
		},
		{
			name:    "image id without tag or digest",
			in:      &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{}},
			target:  new(*types.InvalidParameterException),
			message: "Invalid parameter at 'imageId' failed to satisfy constraint: 'Either imageTag or imageDigest must be specified'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DescribeImageReplicationStatus(ctx, tt.in)
			if !errors.As(err, tt.target) {
				t.Fatalf("err = %v (%T), want %T", err, err, tt.target)
			}
			var api smithy.APIError
			if !errors.As(err, &api) {
				t.Fatalf("err = %v is not a smithy.APIError", err)
			}
			if diff := cmp.Diff(tt.message, api.ErrorMessage()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReplicationConfigurationErrors(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	c := srv.Client(noRetry)
	rule := func(ds ...types.ReplicationDestination) types.ReplicationRule {
		return types.ReplicationRule{Destinations: ds}
	}
	var many []types.ReplicationDestination
	for i := range 26 {
		many = append(many, dest("us-west-2", fmt.Sprintf("%012d", i+1)))
	}
	tests := []struct {
		name   string
		cfg    types.ReplicationConfiguration
		target any
		substr string
	}{
		{"same as source", types.ReplicationConfiguration{Rules: []types.ReplicationRule{rule(dest("us-east-1", acct))}},
			new(*types.InvalidParameterException), "cannot be the same as the source"},
		{"too many rules", types.ReplicationConfiguration{Rules: []types.ReplicationRule{
			rule(dest("us-west-2", acct)), rule(dest("us-west-2", acct)), rule(dest("us-west-2", acct)), rule(dest("us-west-2", acct)),
			rule(dest("us-west-2", acct)), rule(dest("us-west-2", acct)), rule(dest("us-west-2", acct)), rule(dest("us-west-2", acct)),
			rule(dest("us-west-2", acct)), rule(dest("us-west-2", acct)), rule(dest("us-west-2", acct))}},
			new(*types.InvalidParameterException), "Invalid parameter at 'rules' failed to satisfy constraint: 'Member must have length less than or equal to 10'"},
		{"too many destinations", types.ReplicationConfiguration{Rules: []types.ReplicationRule{rule(many...)}},
			new(*types.InvalidParameterException), "26 unique destinations"},
		{"bad region", types.ReplicationConfiguration{Rules: []types.ReplicationRule{rule(dest("US_WEST", acct))}},
			new(*types.InvalidParameterException), "Invalid parameter at 'region' failed to satisfy constraint: 'must satisfy regular expression '[0-9a-z-]{2,25}''"},
		{"bad registry and filter", types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
			Destinations:      []types.ReplicationDestination{dest("us-west-2", "1")},
			RepositoryFilters: []types.RepositoryFilter{{Filter: aws.String("x"), FilterType: "SUFFIX_MATCH"}},
		}}}, new(*types.InvalidParameterException), "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"go", "wire"} {
				var err error
				if path == "go" {
					err = srv.PutReplicationConfiguration(tt.cfg)
				} else {
					cfg := tt.cfg
					_, err = c.PutReplicationConfiguration(context.Background(), &ecr.PutReplicationConfigurationInput{ReplicationConfiguration: &cfg})
				}
				if !errors.As(err, tt.target) {
					t.Fatalf("%s: err = %v (%T), want %T", path, err, err, tt.target)
				}
				if !strings.Contains(err.Error(), tt.substr) {
					t.Errorf("%s: err = %v, want it to contain %q", path, err, tt.substr)
				}
			}
		})
	}
	// Nothing was stored.
	reg, err := c.DescribeRegistry(context.Background(), &ecr.DescribeRegistryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(reg.ReplicationConfiguration.Rules); n != 0 {
		t.Errorf("rules = %d after rejected configurations, want 0", n)
	}
}

// rawCall posts body to the server with target as X-Amz-Target.
func rawCall(t *testing.T, srv *ecrtest.Server, target, body string) (*http.Response, map[string]string) {
	t.Helper()
	url := srv.URL
	if url == "" {
		url = "http://ecrtest.invalid"
	}
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := srv.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if resp.StatusCode != http.StatusOK {
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("error body %q is not a JSON object of strings: %v", b, err)
		}
	}
	return resp, m
}

const prefix = "AmazonEC2ContainerRegistry_V20150921."

func TestWireErrors(t *testing.T) {
	modes(t, func(t *testing.T, newServer func(...func(*ecrtest.Options)) *ecrtest.Server) {
		srv := newServer()
		defer srv.Close()
		tests := []struct {
			name, target, body string
			status             int
			code, message      string
		}{
			{"operation ecrtest lacks", prefix + "ListImages", `{}`, 400, "UnknownOperationException", "ecrtest does not implement the ECR operation ListImages"},
			{"not an ECR operation", prefix + "ListThings", `{}`, 400, "UnknownOperationException", ""},
			{"missing target", "", `{}`, 400, "UnknownOperationException", ""},
			{"malformed JSON", prefix + "DescribeImageReplicationStatus", `{"repositoryName":`, 400, "SerializationException",
				"Malformed request body: unexpected end of JSON input"},
			{"bad JSON byte", prefix + "DescribeImageReplicationStatus", `{"repositoryName" 1}`, 400, "SerializationException",
				"Malformed request body: invalid character '1' after object key at byte 19"},
			{"wrong member type", prefix + "DescribeImageReplicationStatus", `{"repositoryName":5}`, 400, "SerializationException",
				"Unexpected value type at 'repositoryName': got number, want string"},
			{"wrong nested type", prefix + "DescribeImageReplicationStatus", `{"repositoryName":"app","imageId":{"imageTag":[]}}`, 400, "SerializationException",
				"Unexpected value type at 'imageId.imageTag': got array, want string"},
			{"body not an object", prefix + "DescribeImageReplicationStatus", `["app"]`, 400, "SerializationException",
				"Unexpected value type for the request body: got array, want object"},
			{"member names are case-sensitive", prefix + "DescribeImageReplicationStatus", `{"RepositoryName":"app","imageId":{"imageTag":"v0"}}`, 400, "InvalidParameterException",
				"Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must not be null'"},
			{"missing required members", prefix + "DescribeImageReplicationStatus", `{}`, 400, "InvalidParameterException",
				"Invalid parameter at 'repositoryName' failed to satisfy constraint: 'Member must not be null'"},
			{"missing imageId", prefix + "DescribeImageReplicationStatus", `{"repositoryName":"app"}`, 400, "InvalidParameterException",
				"Invalid parameter at 'imageId' failed to satisfy constraint: 'Member must not be null'"},
			{"missing configuration", prefix + "PutReplicationConfiguration", `{}`, 400, "InvalidParameterException",
				"Invalid parameter at 'replicationConfiguration' failed to satisfy constraint: 'Member must not be null'"},
			{"missing manifest", prefix + "PutImage", `{"repositoryName":"app"}`, 400, "InvalidParameterException",
				"Invalid parameter at 'imageManifest' failed to satisfy constraint: 'Member must not be null'"},
			{"put image unknown repository", prefix + "PutImage", `{"repositoryName":"app","imageManifest":"{}"}`, 400, "RepositoryNotFoundException",
				"The repository with name 'app' does not exist in the registry with id '123456789012'"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				resp, body := rawCall(t, srv, tt.target, tt.body)
				if resp.StatusCode != tt.status {
					t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
				}
				if got := resp.Header.Get("X-Amzn-ErrorType"); got != tt.code {
					t.Errorf("X-Amzn-ErrorType = %q, want %q", got, tt.code)
				}
				if resp.Header.Get("X-Amzn-Requestid") == "" {
					t.Error("no X-Amzn-Requestid header")
				}
				if body["__type"] != tt.code {
					t.Errorf("__type = %q, want %q", body["__type"], tt.code)
				}
				if body["message"] != tt.message {
					t.Errorf("message = %q, want %q", body["message"], tt.message)
				}
			})
		}
		// A successful call also carries a request ID.
		resp, _ := rawCall(t, srv, prefix+"DescribeRegistry", `{}`)
		if resp.StatusCode != 200 || resp.Header.Get("X-Amzn-Requestid") == "" {
			t.Errorf("DescribeRegistry: status %d, request id %q", resp.StatusCode, resp.Header.Get("X-Amzn-Requestid"))
		}
	})
}

func TestUnknownOperationThroughClient(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	_, err := srv.Client(noRetry).ListImages(context.Background(), &ecr.ListImagesInput{RepositoryName: aws.String("app")})
	var generic *smithy.GenericAPIError
	if !errors.As(err, &generic) || generic.Code != "UnknownOperationException" {
		t.Fatalf("err = %v, want GenericAPIError UnknownOperationException", err)
	}
	if got := srv.CallCount("ListImages"); got != 1 {
		t.Errorf("CallCount(ListImages) = %d, want 1", got)
	}
}

func TestGoAPIErrors(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	if err := srv.CreateRepository("app"); err != nil {
		t.Fatal(err)
	}
	var exists *types.RepositoryAlreadyExistsException
	if err := srv.CreateRepository("app"); !errors.As(err, &exists) {
		t.Errorf("CreateRepository twice = %v", err)
	}
	var ipe *types.InvalidParameterException
	if err := srv.CreateRepository("A"); !errors.As(err, &ipe) {
		t.Errorf("CreateRepository(A) = %v", err)
	}
	if err := srv.CreateRepositoryIn("12", "app"); !errors.As(err, &ipe) {
		t.Errorf("CreateRepositoryIn(12) = %v", err)
	}
}
