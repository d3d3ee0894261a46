package demo

import (
	"bytes"
	"flag"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

func TestMaxWait(t *testing.T) {
	tests := []struct {
		args []string
		want time.Duration
	}{
		{nil, 5 * time.Second},
		{[]string{"-aws"}, 15 * time.Minute},
		{[]string{"-max-wait", "3s"}, 3 * time.Second},
		{[]string{"-aws", "-max-wait", "1h"}, time.Hour},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		f := NewWaitFlags(fs, 5*time.Second)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		if got := f.MaxWait(); got != tt.want {
			t.Errorf("%q: MaxWait() = %v, want %v", tt.args, got, tt.want)
		}
	}
}

// The simulator replicates to exactly the plans' destinations, a plan
// without RegistryID meaning the server's own account, and holds the image
// the flags name.
func TestClientSimulator(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	f := NewFlags(fs)
	if err := fs.Parse([]string{"-repository", "team/api", "-tag", "v2"}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	client, done, err := f.Client(t.Context(), &out,
		ecrtest.DestinationPlan{Region: "us-west-2"},
		ecrtest.DestinationPlan{Region: "eu-west-1", RegistryID: "210987654321"})
	if err != nil {
		t.Fatal(err)
	}
	defer done()
	if want := "simulator: pushed team/api:v2 to registry 123456789012, replicating to 2 destinations\n"; out.String() != want {
		t.Errorf("Client wrote %q, want %q", &out, want)
	}

	reg, err := client.DescribeRegistry(t.Context(), &ecr.DescribeRegistryInput{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range reg.ReplicationConfiguration.Rules {
		for _, d := range r.Destinations {
			got = append(got, aws.ToString(d.Region)+" "+aws.ToString(d.RegistryId))
		}
	}
	if diff := cmp.Diff([]string{"us-west-2 123456789012", "eu-west-1 210987654321"}, got); diff != "" {
		t.Errorf("replication destinations (-want +got):\n%s", diff)
	}
	statuses, err := client.DescribeImageReplicationStatus(t.Context(), f.Input())
	if err != nil {
		t.Fatalf("the image the flags name: %v", err)
	}
	if n := len(statuses.ReplicationStatuses); n != 2 {
		t.Errorf("%d replication statuses, want 2", n)
	}
}
