package main

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// fixedDelays makes the poll schedule exact: one poll per second.
var fixedDelays = []string{"--min-delay", "1s", "--max-delay", "1s"}

// waitArgs returns the arguments of a wait for app:v1 with fixed delays.
func waitArgs(extra ...string) []string {
	return append(append([]string{"wait", "--repository", "app", "--tag", "v1"}, fixedDelays...), extra...)
}

// A wait that completes exits 0 with the full JSON document.
func TestWaitComplete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		digest := push(t, srv, "app", "v1") // default plan: COMPLETE on the second poll
		got := runAgainst(t.Context(), srv, waitArgs("--output", "json"))
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		want := set("complete", exitOK, 1, map[string]any{
			"repository":  "app",
			"registryId":  "",
			"imageDigest": digest,
			"imageTag":    "v1",
			"outcome":     "complete",
			"complete":    true,
			"destinations": dests(
				done("us-east-2", otherAccount, 0, 1),
				done("us-west-2", ecrtest.DefaultAccountID, 0, 1),
			),
			"malformedEntries": 0.0,
			"since":            pushStart,
			"exitCode":         0.0,
			"attempts":         2.0,
			"answers":          2.0,
			"elapsedSeconds":   1.0,
		})
		if diff := cmp.Diff(want, decodeJSON(t, got.stdout)); diff != "" {
			t.Errorf("JSON output (-want +got):\n%s", diff)
		}
		if n := srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); n != 2 {
			t.Errorf("%d calls, want 2", n)
		}
	})
}

// Progress is one plain line per change; the table goes to stdout.
func TestWaitTextOutputAndPlainProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{AfterPolls: 3}})
		got := runAgainst(t.Context(), srv, waitArgs())
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		wantOut := "" +
			"✅ app:v1 replicated to 2 destinations in 2.0 s from the push at 00:00:00 UTC\n" +
			"\n" +
			"IMAGE   REGION     REGISTRY      STATUS    REPLICATION TIME  FAILURE CODE\n" +
			"app:v1  us-east-2  210987654321  COMPLETE  1.0–2.0 s         -\n" +
			"app:v1  us-west-2  123456789012  COMPLETE  ≤ 1.0 s           -\n"
		if diff := cmp.Diff(wantOut, got.stdout); diff != "" {
			t.Errorf("stdout (-want +got):\n%s", diff)
		}
		wantErr := "" +
			"[  0.0s] waiting up to 30 min for app:v1 to replicate\n" +
			"[  0.0s] us-east-2 210987654321 IN_PROGRESS\n" +
			"[  0.0s] us-west-2 123456789012 IN_PROGRESS\n" +
			"[  1.0s] us-west-2 123456789012 COMPLETE after ≤ 1.0 s\n" +
			"[  2.0s] us-east-2 210987654321 COMPLETE after 1.0–2.0 s\n"
		if diff := cmp.Diff(wantErr, got.stderr); diff != "" {
			t.Errorf("stderr (-want +got):\n%s", diff)
		}
	})
}

// --quiet silences progress and the success line.
func TestWaitQuiet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1")
		got := runAgainst(t.Context(), srv, waitArgs("--quiet"))
		if got.code != exitOK || got.stderr != "" {
			t.Errorf("exit code %d, stderr %q; want 0 and nothing", got.code, got.stderr)
		}
	})
}

// A FAILED destination ends the wait with exit code 1.
func TestWaitReplicationFailed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		digest := push(t, srv, "app", "v1", ecrtest.DestinationPlan{
			Region: "us-east-2", RegistryID: otherAccount,
			Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "ACCESS_DENIED", AfterPolls: 2},
		}, ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{AfterPolls: 5}})
		got := runAgainst(t.Context(), srv, waitArgs("--output", "json"))
		if got.code != exitFailed {
			t.Fatalf("exit code %d, want 1; stderr:\n%s", got.code, got.stderr)
		}
		doc := imageOf(t, got.stdout)
		wantErr := map[string]any{
			"code":    "ReplicationFailed",
			"message": "waiting for app:v1@" + digest + ": replication failed to us-east-2 210987654321 FAILED: ACCESS_DENIED (2 attempts in 1s)",
			"reason":  "failed to us-east-2 210987654321: ACCESS_DENIED",
		}
		want := map[string]any{
			"outcome":     "failed",
			"repository":  "app",
			"registryId":  "",
			"imageDigest": digest,
			"imageTag":    "v1",
			"complete":    false,
			"destinations": dests(
				dest("us-east-2", otherAccount, "FAILED", "ACCESS_DENIED"),
				dest("us-west-2", ecrtest.DefaultAccountID, "IN_PROGRESS", ""),
			),
			"malformedEntries": 0.0,
			"since":            pushStart,
			"error":            wantErr,
			"exitCode":         1.0,
			"attempts":         2.0,
			"answers":          2.0,
			"elapsedSeconds":   1.0,
		}
		if diff := cmp.Diff(want, doc); diff != "" {
			t.Errorf("JSON output (-want +got):\n%s", diff)
		}
		if !strings.Contains(got.stderr, "hint: a cross-account destination needs a registry permissions policy") {
			t.Errorf("stderr lacks the hint:\n%s", got.stderr)
		}
	})
}

// A replication that never ends times out within --timeout with exit code 3.
func TestWaitTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		never := ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}
		digest := push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: never})
		start := time.Now()
		got := runAgainst(t.Context(), srv, waitArgs("--timeout", "5s", "--output", "json"))
		if got.code != exitTimeout {
			t.Fatalf("exit code %d, want 3; stderr:\n%s", got.code, got.stderr)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("the wait took %v, more than --timeout", took)
		}
		doc := imageOf(t, got.stdout)
		want := map[string]any{
			"repository":  "app",
			"registryId":  "",
			"imageDigest": digest,
			"imageTag":    "v1",
			"outcome":     "timeout",
			"complete":    false,
			"destinations": dests(
				dest("us-east-2", otherAccount, "IN_PROGRESS", ""),
				done("us-west-2", ecrtest.DefaultAccountID, 0, 1),
			),
			"malformedEntries": 0.0,
			"since":            pushStart,
			"error": map[string]any{
				"code":    "Timeout",
				"message": "waiting for app:v1@" + digest + ": timed out after 4s (no further poll fits in the 1s left of the 5s limit: polls are at least MinDelay 1s apart), still pending: us-east-2 210987654321 IN_PROGRESS (5 attempts in 4s)",
				"reason":  "timed out after 4.0 s; pending: us-east-2 210987654321",
			},
			"exitCode":       3.0,
			"attempts":       5.0,
			"answers":        5.0,
			"elapsedSeconds": 4.0,
		}
		if diff := cmp.Diff(want, doc); diff != "" {
			t.Errorf("JSON output (-want +got):\n%s", diff)
		}
	})
}

// --expect waits for destinations the service does not list yet.
func TestWaitExpect(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1")
		// eu-west-1 is expected but never replicated to: it stays NOT_LISTED
		// and the wait times out.
		got := runAgainst(t.Context(), srv, waitArgs("--timeout", "3s", "--expect", "us-west-2,eu-west-1", "--expect", "us-east-2:"+otherAccount))
		if got.code != exitTimeout {
			t.Fatalf("exit code %d, want 3; stderr:\n%s", got.code, got.stderr)
		}
		wantOut := "" +
			"❌ app:v1 did not replicate: timed out after 2.0 s; pending: eu-west-1 (not listed)\n" +
			"\n" +
			"IMAGE   REGION     REGISTRY      STATUS      REPLICATION TIME  FAILURE CODE\n" +
			"app:v1  eu-west-1  -             NOT_LISTED  -                 -\n" +
			"app:v1  us-east-2  210987654321  COMPLETE    ≤ 1.0 s           -\n" +
			"app:v1  us-west-2  123456789012  COMPLETE    ≤ 1.0 s           -\n"
		if diff := cmp.Diff(wantOut, got.stdout); diff != "" {
			t.Errorf("stdout (-want +got):\n%s", diff)
		}
		if !strings.Contains(got.stderr, "still pending: eu-west-1 not listed yet") {
			t.Errorf("stderr does not name the missing destination:\n%s", got.stderr)
		}
	})
}

// --expect-from-registry waits for every destination of the registry's rules.
func TestWaitExpectFromRegistry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{HiddenPolls: 2}})
		got := runAgainst(t.Context(), srv, waitArgs("--expect-from-registry", "--quiet"))
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		// us-west-2 is hidden for two polls: without the registry's rules the
		// wait would have ended on the second poll.
		if n := srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); n != 3 {
			t.Errorf("%d polls, want 3", n)
		}
		if n := srv.CallCount(ecrtest.OpDescribeRegistry); n != 1 {
			t.Errorf("%d DescribeRegistry calls, want 1", n)
		}
	})
}

// --expect-from-registry without a matching rule exits 1 without polling.
func TestWaitNoReplicationRule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := ecrtest.NewInMemoryServer()
		defer srv.Close()
		push(t, srv, "app", "v1")
		got := runAgainst(t.Context(), srv, waitArgs("--expect-from-registry", "--output", "json"))
		if got.code != exitFailed {
			t.Fatalf("exit code %d, want 1; stderr:\n%s", got.code, got.stderr)
		}
		doc := imageOf(t, got.stdout)
		if diff := cmp.Diff("NoReplicationRule", doc["error"].(map[string]any)["code"]); diff != "" {
			t.Errorf("error.code (-want +got):\n%s", diff)
		}
		if n := srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); n != 0 {
			t.Errorf("%d polls, want none", n)
		}
	})
}

// Throttling is ridden out and shown as progress.
func TestWaitRidesOutThrottling(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1")
		srv.InjectFault(ecrtest.OpDescribeImageReplicationStatus, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 6)
		got := runAgainst(t.Context(), srv, waitArgs())
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		if !strings.Contains(got.stderr, "Rate exceeded; polling goes on") {
			t.Errorf("progress does not show the throttling:\n%s", got.stderr)
		}
	})
}

// A missing image or repository exits 4.
func TestWaitNotFound(t *testing.T) {
	for _, tc := range []struct {
		name, repo, code string
	}{
		{"image", "app", "ImageNotFound"},
		{"repository", "nosuch", "RepositoryNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true)
				push(t, srv, "app", "v1")
				got := runAgainst(t.Context(), srv, []string{"wait", "--repository", tc.repo, "--tag", "v2", "--output", "json"})
				if got.code != exitNotFound {
					t.Fatalf("exit code %d, want 4; stderr:\n%s", got.code, got.stderr)
				}
				e := imageOf(t, got.stdout)["error"].(map[string]any)
				if e["code"] != tc.code || e["serviceErrorCode"] != tc.code+"Exception" || e["requestId"] == "" {
					t.Errorf("error = %v, want code %s", e, tc.code)
				}
				if !strings.Contains(got.stderr, "hint: check the repository, tag and digest") {
					t.Errorf("stderr has no hint:\n%s", got.stderr)
				}
			})
		})
	}
}

// Ctrl-C while waiting stops at once with exit code 130.
func TestWaitInterrupted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}})
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(2500*time.Millisecond, cancel) // Ctrl-C while waiting
		start := time.Now()
		got := runAgainst(ctx, srv, waitArgs("--output", "json"))
		if got.code != exitInterrupted {
			t.Fatalf("exit code %d, want 130; stderr:\n%s", got.code, got.stderr)
		}
		if took := time.Since(start); took != 2500*time.Millisecond {
			t.Errorf("stopped after %v, want at once (2.5s)", took)
		}
		if !strings.Contains(got.stderr, "error: interrupted; stopped waiting") {
			t.Errorf("stderr lacks the message:\n%s", got.stderr)
		}
		if e := imageOf(t, got.stdout)["error"].(map[string]any); e["code"] != "Interrupted" {
			t.Errorf("error = %v, want code Interrupted", e)
		}
	})
}

// A context cancelled before the start exits 130.
func TestCancelledContext(t *testing.T) {
	for _, cmd := range []string{"wait", "status"} {
		t.Run(cmd, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true)
				push(t, srv, "app", "v1")
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				got := runAgainst(ctx, srv, []string{cmd, "--repository", "app", "--tag", "v1"})
				if got.code != exitInterrupted {
					t.Fatalf("exit code %d, want 130; stderr:\n%s", got.code, got.stderr)
				}
			})
		})
	}
}

// --expect-from-registry reads the caller's own registry: with the
// --registry-id of another account it is a usage error, found before any
// poll, whose reason names the flags, not the library's fields.
func TestWaitRegistryMismatch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1")
		got := runAgainst(t.Context(), srv, waitArgs("--expect-from-registry", "--registry-id", otherAccount, "--output", "json"))
		if got.code != exitUsage {
			t.Fatalf("exit code %d, want 2; stderr:\n%s", got.code, got.stderr)
		}
		if e := imageOf(t, got.stdout)["error"].(map[string]any); e["code"] != "InvalidInput" || e["reason"] != registryMismatch {
			t.Errorf("error = %v, want code InvalidInput and the reason in the CLI's words", e)
		}
		if !strings.Contains(got.stderr, "hint: --expect-from-registry reads the caller's own registry only") {
			t.Errorf("stderr lacks the hint:\n%s", got.stderr)
		}
		if n := srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); n != 0 {
			t.Errorf("%d polls, want none", n)
		}
	})
}
