package main

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
)

// digest is the digest of the simulator's push of team/api:v2, the same on
// every run.
const digest = "sha256:7ecc62f130b545d9300899a9845056142c8428ba34e68003c62a9ea1cda536b6"

func TestRunSimulator(t *testing.T) {
	const statuses = `  ap-southeast-2 123456789012 FAILED: REPLICATION_FAILED
  eu-west-1 210987654321 IN_PROGRESS
  us-west-2 123456789012 COMPLETE
complete=false pending=1 failed=1
`
	tests := []struct {
		name string
		args []string
		want string
	}{{
		name: "by tag",
		args: []string{"-repository", "team/api", "-tag", "v2"},
		want: "team/api:v2@" + digest + "\n" + statuses,
	}, {
		name: "by digest",
		args: []string{"-repository", "team/api", "-tag", "v2", "-digest", digest},
		want: "team/api@" + digest + "\n" + statuses,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := run(t.Context(), tt.args, &out); err != nil {
				t.Fatalf("run: %v\n%s", err, &out)
			}
			want := "simulator: pushed team/api:v2 to registry 123456789012, replicating to 3 destinations\n" + tt.want
			if diff := cmp.Diff(want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunInvalidDigest(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"-digest", "sha256:abc"}, &out)
	if !errors.Is(err, ecrreplication.ErrValidation) {
		t.Fatalf("run = %v, want ErrValidation", err)
	}
}
