package main

import (
	"bytes"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
)

// Each scenario runs in a synctest bubble: run creates its in-memory
// simulator inside it, so the waiter's delays and the plans' After durations
// pass in virtual time, the output is exact and the test does not sleep.
func TestRunScenarios(t *testing.T) {
	const (
		pushed  = "simulator: pushed app:v1 to registry 123456789012, replicating to 2 destinations\nwaiting up to 5s for app:v1 to replicate\n"
		digest  = "sha256:39af75ca8f357d6b74ae1f22e74daeb143d3f83deb47ba5270602e4072e0d759"
		pending = `  poll 1: ["eu-west-1 210987654321 IN_PROGRESS" "us-west-2 123456789012 IN_PROGRESS"]
  poll 2: ["eu-west-1 210987654321 IN_PROGRESS" "us-west-2 123456789012 IN_PROGRESS"]
`
	)
	tests := []struct {
		scenario string
		wantErr  error
		elapsed  time.Duration
		want     string
	}{{
		scenario: "complete",
		elapsed:  3 * time.Second,
		want: pushed + `  poll 1: ["eu-west-1 210987654321 not listed yet" "us-west-2 123456789012 IN_PROGRESS"]
  poll 2: ["eu-west-1 210987654321 IN_PROGRESS" "us-west-2 123456789012 IN_PROGRESS"]
  poll 3: ["eu-west-1 210987654321 IN_PROGRESS" "us-west-2 123456789012 COMPLETE"]
  poll 4: ["eu-west-1 210987654321 COMPLETE" "us-west-2 123456789012 COMPLETE"]
rolling out to eu-west-1: 210987654321.dkr.ecr.eu-west-1.amazonaws.com/app@` + digest + `
rolling out to us-west-2: 123456789012.dkr.ecr.us-west-2.amazonaws.com/app@` + digest + "\n",
	}, {
		scenario: "failed",
		wantErr:  ecrreplication.ErrReplicationFailed,
		elapsed:  2 * time.Second,
		want: pushed + pending + `  poll 3: ["eu-west-1 210987654321 FAILED: REPLICATION_FAILED" "us-west-2 123456789012 COMPLETE"]
not rolling out: replication failed to ["eu-west-1 210987654321 FAILED: REPLICATION_FAILED"]
gave up after 3 polls in 2s
`,
	}, {
		scenario: "timeout",
		wantErr:  ecrreplication.ErrWaitTimeout,
		elapsed:  4 * time.Second, // a fifth second leaves no room for a poll
		want: pushed + pending + `  poll 3: ["eu-west-1 210987654321 IN_PROGRESS" "us-west-2 123456789012 COMPLETE"]
  poll 4: ["eu-west-1 210987654321 IN_PROGRESS" "us-west-2 123456789012 COMPLETE"]
  poll 5: ["eu-west-1 210987654321 IN_PROGRESS" "us-west-2 123456789012 COMPLETE"]
not rolling out: still pending: ["eu-west-1 210987654321 IN_PROGRESS"]
gave up after 5 polls in 4s
`,
	}, {
		scenario: "none",
		wantErr:  ecrreplication.ErrNoReplication,
		want: `simulator: pushed app:v1 to registry 123456789012, replicating to 0 destinations
waiting up to 5s for app:v1 to replicate
not rolling out: no replication rule covers app
gave up after 0 polls in 0s
`,
	}}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				var out bytes.Buffer
				start := time.Now()
				err := run(t.Context(), []string{"-simulate", tt.scenario}, &out)
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("run = %v, want %v\n%s", err, tt.wantErr, &out)
				}
				var we *ecrreplication.WaitError
				if tt.wantErr != nil && !errors.As(err, &we) {
					t.Errorf("run = %T, want a *ecrreplication.WaitError", err)
				}
				if elapsed := time.Since(start); elapsed != tt.elapsed {
					t.Errorf("run took %v of virtual time, want %v", elapsed, tt.elapsed)
				}
				if diff := cmp.Diff(tt.want, out.String()); diff != "" {
					t.Errorf("output (-want +got):\n%s", diff)
				}
			})
		})
	}
}

func TestRunUnknownScenario(t *testing.T) {
	var out bytes.Buffer
	err := run(t.Context(), []string{"-simulate", "bogus"}, &out)
	if err == nil || out.Len() != 0 {
		t.Fatalf("run = %v with output %q, want an error before the simulator starts", err, &out)
	}
}
