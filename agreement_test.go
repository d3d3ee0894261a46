package ecrreplication_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

// TestValidationAgreesWithServer sends inputs straight to the ecrtest server,
// which enforces ECR's constraints with its own implementation, and checks
// that ValidateInput rejects exactly the inputs the server answers with
// InvalidParameterException, the code ECR sends for a broken constraint
// (ecrtest sends ValidationException for none). Digests are left out: ECR
// checks them against [a-zA-Z0-9-_+.]+:[a-fA-F0-9]+, and ValidateInput
// applies the stricter OCI digest grammar. Tags outside ECR's tag pattern
// are in TestValidationAgreesWithServerOnTagCharacters.
func TestValidationAgreesWithServer(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()

	names := []string{"ab", "a", "", "app", "team/api", "Team/api", "a__b", "a/b/", "/a", "a.b-c_d/e", "a//b", "-a", "a-",
		"é-app", "a\nb", strings.Repeat("a", 256), strings.Repeat("a", 257), strings.Repeat("ab/", 85) + "c"}
	registries := []string{"123456789012", "", "12345678901", "1234567890123", "12345678901x", "１２３４５６７８９０１２"}
	tags := []string{"v1", "", strings.Repeat("t", 300), strings.Repeat("t", 301), "v1.2.3-rc_1", "-", ".",
		"v1\n[INFO] ok", "v1\r\n", "a b", "\tv1", "v1\u00a0", "v1\x1b[31m"}

	var inputs []*ecr.DescribeImageReplicationStatusInput
	for _, n := range names {
		inputs = append(inputs, &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String(n), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}})
	}
	for _, r := range registries {
		inputs = append(inputs, &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), RegistryId: aws.String(r), ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}})
	}
	for _, tag := range tags {
		inputs = append(inputs, &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageTag: aws.String(tag)}})
	}
	inputs = append(inputs,
		&ecr.DescribeImageReplicationStatusInput{ImageId: &types.ImageIdentifier{ImageTag: aws.String("v1")}},
		&ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app")},
		&ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{}},
		&ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("A"), RegistryId: aws.String("1"), ImageId: &types.ImageIdentifier{ImageTag: aws.String("")}},
	)

	checkAgreement(t, srv, inputs)
}

// TestTagCharactersLeftToTheServer pins a deliberate disagreement: the ECR
// model puts no pattern on an image tag for DescribeImageReplicationStatus,
// and no public record shows this operation enforcing one, so ValidateInput
// accepts any tag of 1 to 300 characters of valid UTF-8 without white space
// or control characters; ECR rejects a tag outside [a-zA-Z0-9-_.]+ in
// DescribeImages (datawire/forge#99, alexjurkiewicz/ecr-scan-image#40), and
// ecrtest applies that to this operation too. Such a tag is sent, and the
// server's InvalidParameterException answers ErrInvalidParameter.
func TestTagCharactersLeftToTheServer(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	client := srv.Client()
	for _, tag := range []string{"bad!tag", "v1+build", "é", "v1:2", "a/b", "v1@x"} {
		in := &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageTag: aws.String(tag)}}
		if err := ecrreplication.ValidateInput(in); err != nil {
			t.Errorf("ValidateInput(tag %q) = %v, want nil: the model has no tag pattern", tag, err)
		}
		if code := serverErrorCode(t, srv, in); code != "InvalidParameterException" {
			t.Errorf("tag %q: server answered %q, want InvalidParameterException", tag, code)
		}
		if _, err := ecrreplication.Describe(context.Background(), client, in); !errors.Is(err, ecrreplication.ErrInvalidParameter) {
			t.Errorf("Describe(tag %q) = %v, want ErrInvalidParameter", tag, err)
		}
	}
}

// checkAgreement checks that ValidateInput rejects exactly the inputs the
// server answers with InvalidParameterException, and that the server
// answers no input with ValidationException.
func checkAgreement(t *testing.T, srv *ecrtest.Server, inputs []*ecr.DescribeImageReplicationStatusInput) {
	t.Helper()
	for _, in := range inputs {
		local := ecrreplication.ValidateInput(in)
		code := serverErrorCode(t, srv, in)
		if code == "ValidationException" {
			t.Errorf("input %s: server answered ValidationException, which ECR does not send for a broken constraint", wireJSON(t, in))
		}
		rejected := code == "InvalidParameterException"
		if (local != nil) != rejected {
			t.Errorf("input %s: ValidateInput = %v, server answered %q", wireJSON(t, in), local, code)
		}
	}
}

// wireJSON is the awsJson1_1 body for in.
func wireJSON(t *testing.T, in *ecr.DescribeImageReplicationStatusInput) string {
	t.Helper()
	body := map[string]any{}
	if in.RepositoryName != nil {
		body["repositoryName"] = *in.RepositoryName
	}
	if in.RegistryId != nil {
		body["registryId"] = *in.RegistryId
	}
	if in.ImageId != nil {
		id := map[string]string{}
		if in.ImageId.ImageTag != nil {
			id["imageTag"] = *in.ImageId.ImageTag
		}
		if in.ImageId.ImageDigest != nil {
			id["imageDigest"] = *in.ImageId.ImageDigest
		}
		body["imageId"] = id
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// serverErrorCode posts in to the server as the SDK would and returns the
// error code of the answer ("" for success).
func serverErrorCode(t *testing.T, srv *ecrtest.Server, in *ecr.DescribeImageReplicationStatusInput) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(wireJSON(t, in)))
	req.Header.Set("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.DescribeImageReplicationStatus")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	return rec.Header().Get("X-Amzn-ErrorType")
}

// Issue 15, point 4: no tag can contain white space or a control character
// (nor invalid UTF-8): ValidateInput refuses them with a *ValidationError
// naming imageId.imageTag and the quoted value, and Describe sends nothing.
func TestTagBlankOrControlRefused(t *testing.T) {
	tests := []struct {
		tag, constraint string
	}{
		{"v1\n[INFO] ok", "must not contain white space or control characters, found U+000A at character 3"},
		{"v1\r\n", "must not contain white space or control characters, found U+000D at character 3"},
		{"a b", "must not contain white space or control characters, found U+0020 at character 2"},
		{"\tv1", "must not contain white space or control characters, found U+0009 at character 1"},
		{"v1\x00", "must not contain white space or control characters, found U+0000 at character 3"},
		{"v1\x7f", "must not contain white space or control characters, found U+007F at character 3"},
		{"v1\x1b[31mred", "must not contain white space or control characters, found U+001B at character 3"},
		{"é\u0085x", "must not contain white space or control characters, found U+0085 at character 2"},
		{"v1\u00a0", "must not contain white space or control characters, found U+00A0 at character 3"},
		{"v1\u2028x", "must not contain white space or control characters, found U+2028 at character 3"},
		{"日本\u3000語", "must not contain white space or control characters, found U+3000 at character 3"},
	}
	for _, tt := range tests {
		in := &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String("app"), ImageId: &types.ImageIdentifier{ImageTag: aws.String(tt.tag)}}
		err := ecrreplication.ValidateInput(in)
		var ve *ecrreplication.ValidationError
		if !errors.As(err, &ve) || !errors.Is(err, ecrreplication.ErrValidation) {
			t.Errorf("ValidateInput(tag %q) = %v, want a *ValidationError", tt.tag, err)
			continue
		}
		want := []ecrreplication.Violation{{Field: ecrreplication.FieldImageTag, Value: tt.tag, Constraint: tt.constraint}}
		if diff := cmp.Diff(want, ve.Violations); diff != "" {
			t.Errorf("tag %q: violations (-want +got):\n%s", tt.tag, diff)
		}
		if msg := err.Error(); strings.ContainsFunc(msg, func(r rune) bool { return r < ' ' || r == 0x7f || r == 0x85 || r == 0x2028 }) || !strings.Contains(msg, fmt.Sprintf("%q", tt.tag)) {
			t.Errorf("tag %q: message %q is not one line with the quoted value", tt.tag, msg)
		}
		counter := &countingClient{}
		if _, err := ecrreplication.Describe(context.Background(), counter, in); !errors.Is(err, ecrreplication.ErrValidation) || counter.calls != 0 {
			t.Errorf("Describe(tag %q) = %v after %d calls, want ErrValidation and nothing sent", tt.tag, err, counter.calls)
		}
	}
}

// countingClient counts its calls and answers none.
type countingClient struct{ calls int }

func (c *countingClient) DescribeImageReplicationStatus(context.Context, *ecr.DescribeImageReplicationStatusInput, ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error) {
	c.calls++
	return nil, errors.New("sent")
}
