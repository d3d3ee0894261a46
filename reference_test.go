package ecrreplication_test

import (
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ecrkit/ecrreplication"
)

const testDigest = "sha256:4f1c57e8d4b1b7a4b8a6f1c0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4"

func TestParseImageReference(t *testing.T) {
	tests := []struct {
		in   string
		want ecrreplication.ImageReference
	}{
		{"team/api:v1.4.2", ecrreplication.ImageReference{Repository: "team/api", Tag: "v1.4.2"}},
		{"api@" + testDigest, ecrreplication.ImageReference{Repository: "api", Digest: testDigest}},
		{"team/api:v1@" + testDigest, ecrreplication.ImageReference{Repository: "team/api", Tag: "v1", Digest: testDigest}},
		{"123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v1",
			ecrreplication.ImageReference{RegistryID: "123456789012", Region: "us-east-1", Repository: "team/api", Tag: "v1"}},
		{"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/team/api:v1",
			ecrreplication.ImageReference{RegistryID: "123456789012", Region: "us-gov-west-1", Repository: "team/api", Tag: "v1"}},
		{"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api@" + testDigest,
			ecrreplication.ImageReference{RegistryID: "123456789012", Region: "cn-north-1", Repository: "api", Digest: testDigest}},
		{"123456789012.dkr-ecr.eu-west-1.on.aws/a/b/c:v1@" + testDigest,
			ecrreplication.ImageReference{RegistryID: "123456789012", Region: "eu-west-1", Repository: "a/b/c", Tag: "v1", Digest: testDigest}},
		// Host names are case-insensitive; the region is sent in lower case.
		{"123456789012.DKR.ECR.US-EAST-1.AMAZONAWS.COM/api:v1",
			ecrreplication.ImageReference{RegistryID: "123456789012", Region: "us-east-1", Repository: "api", Tag: "v1"}},
		// A first part without a dot is a repository path, not a host.
		{"my_team/api:V1.2", ecrreplication.ImageReference{Repository: "my_team/api", Tag: "V1.2"}},
	}
	for _, tt := range tests {
		got, err := ecrreplication.ParseImageReference(tt.in)
		if err != nil {
			t.Errorf("ParseImageReference(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseImageReference(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

// Every refused reference is a *ValidationError naming the value and what
// is accepted.
func TestParseImageReferenceRefuses(t *testing.T) {
	const forms = "use REPO:TAG, REPO@sha256:DIGEST, REPO:TAG@sha256:DIGEST, or a full URI such as 123456789012.dkr.ecr.us-east-1.amazonaws.com/REPO:TAG"
	notECR := func(host string) string {
		return `imageReference "` + host + `/x/y:1" names the registry "` + host + `", which is not an Amazon ECR private registry: DescribeImageReplicationStatus needs ACCOUNT.dkr.ecr.REGION.amazonaws.com (or .amazonaws.com.cn, dkr.ecr-fips, dkr-ecr.REGION.on.aws), or REPO:TAG alone`
	}
	tests := []struct {
		in   string
		want []string
	}{
		{"", []string{`imageReference "" is empty: ` + forms}},
		{"team/api", []string{`imageReference "team/api" names no tag or digest: ` + forms}},
		{":v1", []string{`imageReference ":v1" names no repository: ` + forms}},
		{"api:v1 api:v2", []string{`imageReference "api:v1 api:v2" contains white space or a control character: ` + forms + ", one image per value"}},
		{"api:v1\n::error::x", []string{`imageReference "api:v1\n::error::x" contains white space or a control character: ` + forms + ", one image per value"}},
		{"ghcr.io/x/y:1", []string{notECR("ghcr.io")}},
		{"docker.io/x/y:1", []string{notECR("docker.io")}},
		{"localhost/x/y:1", []string{notECR("localhost")}},
		{"public.ecr.aws/x/y:1", []string{`imageReference "public.ecr.aws/x/y:1" names Amazon ECR Public ("public.ecr.aws"), which has no replication: DescribeImageReplicationStatus knows only ECR private registries (ACCOUNT.dkr.ecr.REGION.amazonaws.com)`}},
		{"registry.local:5000/api:v1", []string{`imageReference "registry.local:5000/api:v1" names the registry "registry.local:5000" with a port, which is not an Amazon ECR private registry: ` + forms}},
		{"12345.dkr.ecr.us-east-1.amazonaws.com/api:v1", []string{`imageReference "12345.dkr.ecr.us-east-1.amazonaws.com/api:v1" names the registry "12345.dkr.ecr.us-east-1.amazonaws.com", whose account "12345" is not a 12-digit AWS account ID`}},
		{"123456789012.dkr.ecr.useast1.amazonaws.com/api:v1", []string{`imageReference "123456789012.dkr.ecr.useast1.amazonaws.com/api:v1" names the registry "123456789012.dkr.ecr.useast1.amazonaws.com", whose region "useast1" is not a region name such as us-east-1`}},
		// The parts are checked as ValidateInput checks them, all at once.
		{"Team/API:", []string{
			`repositoryName "Team/API" must be lower case: components of lower-case letters and digits, separated by single '.', '_' or '-', joined by '/' (pattern ` + ecrreplication.RepositoryNamePattern + `)`,
			`imageId.imageTag "" must be 1 to 300 characters long, got 0`,
		}},
		{"api@sha256:abc", []string{`imageId.imageDigest "sha256:abc" must have exactly 64 lowercase hex characters after "sha256:"`}},
	}
	for _, tt := range tests {
		got, err := ecrreplication.ParseImageReference(tt.in)
		if !errors.Is(err, ecrreplication.ErrValidation) {
			t.Errorf("ParseImageReference(%q) = %+v, %v; want an error matching ErrValidation", tt.in, got, err)
			continue
		}
		var ve *ecrreplication.ValidationError
		if !errors.As(err, &ve) {
			t.Fatalf("ParseImageReference(%q): %T, want *ValidationError", tt.in, err)
		}
		var lines []string
		for _, v := range ve.Violations {
			lines = append(lines, v.String())
		}
		if diff := cmp.Diff(tt.want, lines); diff != "" {
			t.Errorf("ParseImageReference(%q) violations (-want +got):\n%s", tt.in, diff)
		}
	}
}

// Input is the request a reference names: its registry only when the
// reference named one.
func TestImageReferenceInput(t *testing.T) {
	ref, err := ecrreplication.ParseImageReference("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v1@" + testDigest)
	if err != nil {
		t.Fatal(err)
	}
	want := &ecr.DescribeImageReplicationStatusInput{
		RegistryId:     ptr("123456789012"),
		RepositoryName: ptr("team/api"),
		ImageId:        &types.ImageIdentifier{ImageTag: ptr("v1"), ImageDigest: ptr(testDigest)},
	}
	if diff := cmp.Diff(want, ref.Input(), cmpopts.IgnoreUnexported(ecr.DescribeImageReplicationStatusInput{}, types.ImageIdentifier{})); diff != "" {
		t.Errorf("Input (-want +got):\n%s", diff)
	}
	short, _ := ecrreplication.ParseImageReference("api:v1")
	if in := short.Input(); in.RegistryId != nil || in.ImageId.ImageDigest != nil || *in.ImageId.ImageTag != "v1" {
		t.Errorf("Input of api:v1 = %+v, want no registry and no digest", in)
	}
}

func ptr(s string) *string { return &s }
