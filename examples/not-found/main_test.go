package main

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRunSimulator(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"-repository", "team/api"}, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, &out)
	}
	want := `simulator: pushed team/api:v1 to registry 123456789012, replicating to 0 destinations
team/api:v1: found, 0 replication destinations
team/api:no-such-tag: image not found
  *types.ImageNotFoundException: The image with imageId {imageDigest:'null', imageTag:'no-such-tag'} does not exist within the repository with name 'team/api' in the registry with id '123456789012'
no-such-repo:v1: repository not found
client.DescribeImages team/api:no-such-tag: errors.Is(err, ErrImageNotFound) = true
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}
