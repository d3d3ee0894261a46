package ecrtest_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// describeAll pages through DescribeImages with the SDK's paginator and
// returns the digests in order and the number of pages.
func describeAll(t *testing.T, c *ecr.Client, in *ecr.DescribeImagesInput) (digests []string, pages int) {
	t.Helper()
	p := ecr.NewDescribeImagesPaginator(c, in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("DescribeImages page %d: %v", pages+1, err)
		}
		pages++
		for _, d := range out.ImageDetails {
			digests = append(digests, aws.ToString(d.ImageDigest))
		}
	}
	return digests, pages
}

func TestDescribeImagesPagesAndFilters(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	var tagged, untagged []string
	for i := range 5 {
		tagged = append(tagged, push(t, srv, "app", "v"+string(rune('0'+i))))
	}
	for range 3 {
		untagged = append(untagged, push(t, srv, "app", ""))
	}
	all := []string{}
	all = append(append(all, tagged...), untagged...)
	c := srv.Client(noRetry)

	tests := []struct {
		name      string
		maxResult *int32
		status    types.TagStatus
		want      []string
		pages     int
	}{
		{"all in one page", nil, "", all, 1},
		{"pages of three", aws.Int32(3), "", all, 3},
		{"pages of one", aws.Int32(1), "", all, 8},
		{"tagged", aws.Int32(2), types.TagStatusTagged, tagged, 3},
		{"untagged", aws.Int32(2), types.TagStatusUntagged, untagged, 2},
		{"any", aws.Int32(4), types.TagStatusAny, all, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), MaxResults: tt.maxResult}
			if tt.status != "" {
				in.Filter = &types.DescribeImagesFilter{TagStatus: tt.status}
			}
			got, pages := describeAll(t, c, in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("digests (-want +got):\n%s", diff)
			}
			if pages != tt.pages {
				t.Errorf("%d pages, want %d", pages, tt.pages)
			}
		})
	}
}

// A nextToken is opaque and bound to its listing: altered, foreign or
// invented tokens are rejected with InvalidParameterException.
func TestDescribeImagesNextTokenRejected(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	for i := range 3 {
		push(t, srv, "app", "v"+string(rune('0'+i)))
		push(t, srv, "other", "v"+string(rune('0'+i)))
	}
	c := srv.Client(noRetry)
	ctx := context.Background()
	first, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), MaxResults: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	token := aws.ToString(first.NextToken)
	if token == "" {
		t.Fatal("no nextToken after the first of three images")
	}
	flip := []byte(token)
	flip[len(flip)/2] ^= 1
	other := ecrtest.NewInMemoryServer()
	defer other.Close()

	tests := []struct {
		name  string
		in    *ecr.DescribeImagesInput
		inSrv *ecr.Client
	}{
		{"altered", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), NextToken: aws.String(string(flip))}, c},
		{"invented", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), NextToken: aws.String("page2")}, c},
		{"empty", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), NextToken: aws.String("")}, c},
		{"other repository", &ecr.DescribeImagesInput{RepositoryName: aws.String("other"), NextToken: aws.String(token)}, c},
		{"other filter", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), NextToken: aws.String(token),
			Filter: &types.DescribeImagesFilter{TagStatus: types.TagStatusTagged}}, c},
		{"other server", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), NextToken: aws.String(token)}, nil},
		{"with imageIds", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), NextToken: aws.String(token),
			ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("v0")}}}, c},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := tt.inSrv
			if client == nil {
				if err := other.CreateRepository("app"); err != nil {
					t.Fatal(err)
				}
				client = other.Client(noRetry)
			}
			_, err := client.DescribeImages(ctx, tt.in)
			var ipe *types.InvalidParameterException
			if !errors.As(err, &ipe) || !strings.Contains(ipe.ErrorMessage(), "Invalid parameter at 'nextToken'") {
				t.Fatalf("err = %v, want InvalidParameterException at 'nextToken'", err)
			}
			if strings.Contains(ipe.ErrorMessage(), token) {
				t.Errorf("message repeats the token: %q", ipe.ErrorMessage())
			}
		})
	}
	// The genuine token still works.
	next, err := c.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), NextToken: aws.String(token), MaxResults: aws.Int32(5)})
	if err != nil || len(next.ImageDetails) != 2 || next.NextToken != nil {
		t.Fatalf("second page = %v, %v; want the other two images and no token", next, err)
	}
}

func TestDescribeImagesConstraints(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	push(t, srv, "app", "v1")
	c := srv.Client(noRetry)
	ids := func(n int) []types.ImageIdentifier {
		out := make([]types.ImageIdentifier, n)
		for i := range out {
			out[i] = types.ImageIdentifier{ImageTag: aws.String("v1")}
		}
		return out
	}
	tests := []struct {
		name    string
		in      *ecr.DescribeImagesInput
		message string
	}{
		{"malformed tag", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("bad tag!")}}},
			"Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_.]+''"},
		{"malformed digest", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), ImageIds: []types.ImageIdentifier{{ImageDigest: aws.String("latest")}}},
			"Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''"},
		{"registry id", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), RegistryId: aws.String("1234")},
			"Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'"},
		{"no image ids", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), ImageIds: []types.ImageIdentifier{}},
			"Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length greater than or equal to 1'"},
		{"101 image ids", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), ImageIds: ids(101)},
			"Invalid parameter at 'imageIds' failed to satisfy constraint: 'Member must have length less than or equal to 100'"},
		{"maxResults 0", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), MaxResults: aws.Int32(0)},
			"Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value greater than or equal to 1'"},
		{"maxResults 1001", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), MaxResults: aws.Int32(1001)},
			"Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'"},
		{"tag status", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), Filter: &types.DescribeImagesFilter{TagStatus: "SOME"}},
			"Invalid parameter at 'tagStatus' failed to satisfy constraint: 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'"},
		{"maxResults with imageIds", &ecr.DescribeImagesInput{RepositoryName: aws.String("app"), MaxResults: aws.Int32(5), ImageIds: ids(1)},
			"Invalid parameter at 'maxResults' failed to satisfy constraint: 'cannot be used together with imageIds'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.DescribeImages(context.Background(), tt.in)
			var ipe *types.InvalidParameterException
			if !errors.As(err, &ipe) {
				t.Fatalf("err = %v (%T), want InvalidParameterException", err, err)
			}
			if diff := cmp.Diff(tt.message, ipe.ErrorMessage()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

// BatchGetImage answers malformed identifiers with per-image failures.
func TestBatchGetImageFailures(t *testing.T) {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	push(t, srv, "app", "v1")
	out, err := srv.Client(noRetry).BatchGetImage(context.Background(), &ecr.BatchGetImageInput{
		RepositoryName: aws.String("app"),
		ImageIds: []types.ImageIdentifier{
			{ImageTag: aws.String("v1")},
			{ImageTag: aws.String("bad tag!")},
			{ImageDigest: aws.String("invalid_digest")},
			{},
			{ImageTag: aws.String("v2")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	type failure struct{ Tag, Digest, Code, Reason string }
	var got []failure
	for _, f := range out.Failures {
		got = append(got, failure{aws.ToString(f.ImageId.ImageTag), aws.ToString(f.ImageId.ImageDigest), string(f.FailureCode), aws.ToString(f.FailureReason)})
	}
	want := []failure{
		{"bad tag!", "", "InvalidImageTag", "Invalid request parameters: image tag should satisfy the regex '[a-zA-Z0-9-_.]+'"},
		{"", "invalid_digest", "InvalidImageDigest", "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'"},
		{"", "", "MissingDigestAndTag", "Invalid request parameters: both tag and digest cannot be null"},
		{"v2", "", "ImageNotFound", "Requested image not found"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	if len(out.Images) != 1 {
		t.Errorf("%d images, want 1", len(out.Images))
	}
}
