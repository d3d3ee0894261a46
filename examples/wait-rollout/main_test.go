package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ecrkit/ecrreplication"
)

// Each scenario runs in a synctest bubble: run creates its in-memory
// simulator inside it, so the waiter's delays and the plans' After durations
// pass in virtual time and the test does not sleep.
func TestRunScenarios(t *testing.T) {
	tests := []struct {
		scenario string
		wantErr  error
		want     []string
	}{{
		scenario: "complete",
		want: []string{
			"waiting up to 5s for app:v1 to replicate\n",
			"  status: eu-west-1 210987654321 not listed yet, us-west-2 123456789012 IN_PROGRESS\n",
			"  status: eu-west-1 210987654321 COMPLETE, us-west-2 123456789012 COMPLETE\n",
			"rolling out to eu-west-1: 210987654321.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:",
			"rolling out to us-west-2: 123456789012.dkr.ecr.us-west-2.amazonaws.com/app@sha256:",
		},
	}, {
		scenario: "failed",
		wantErr:  ecrreplication.ErrReplicationFailed,
		want:     []string{"not rolling out: replication failed to eu-west-1 210987654321 FAILED: REPLICATION_FAILED\n"},
	}, {
		scenario: "timeout",
		wantErr:  ecrreplication.ErrWaitTimeout,
		want:     []string{"not rolling out: still pending: eu-west-1 210987654321 IN_PROGRESS\n"},
	}, {
		scenario: "none",
		wantErr:  ecrreplication.ErrNoReplication,
		want:     []string{"gave up after 0 polls", "not rolling out: no replication rule covers app\n"},
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
				if tt.wantErr != nil {
					var we *ecrreplication.WaitError
					if !errors.As(err, &we) {
						t.Errorf("run = %T, want a *ecrreplication.WaitError", err)
					}
				}
				if elapsed := time.Since(start); elapsed > 5*time.Second {
					t.Errorf("took %v of virtual time, want at most the 5s maximum wait", elapsed)
				}
				for _, want := range tt.want {
					if !strings.Contains(out.String(), want) {
						t.Errorf("output lacks %q:\n%s", want, &out)
					}
				}
			})
		})
	}
}

func TestRunUnknownScenario(t *testing.T) {
	if err := run(t.Context(), []string{"-simulate", "bogus"}, new(bytes.Buffer)); err == nil {
		t.Fatal("run accepted an unknown scenario")
	}
}
