package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

// setArgs returns the arguments of a wait for the images with fixed delays.
func setArgs(images []string, extra ...string) []string {
	args := []string{"wait"}
	for _, img := range images {
		args = append(args, "--image", img)
	}
	return append(append(args, fixedDelays...), extra...)
}

// imageObject is an image's object in the set's JSON document, whose wait
// started at the start of the bubble and was answered every time.
func imageObject(repo, tag, digest string, complete bool, exitCode, attempts int, elapsed float64, ds []any) map[string]any {
	o := map[int]string{exitOK: "complete", exitFailed: "failed", exitTimeout: "timeout", exitNotFound: "not-found"}[exitCode]
	return map[string]any{
		"repository": repo, "registryId": "", "imageDigest": digest, "imageTag": tag, "outcome": o,
		"complete": complete, "destinations": ds, "malformedEntries": 0.0, "since": pushStart,
		"exitCode": float64(exitCode), "attempts": float64(attempts), "answers": float64(attempts), "elapsedSeconds": elapsed,
	}
}

// failedOn makes us-east-2 fail with ACCESS_DENIED on the second poll while
// us-west-2 stays IN_PROGRESS until the fifth.
var failedOn = []ecrtest.DestinationPlan{
	{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "ACCESS_DENIED", AfterPolls: 2}},
	{Region: "us-west-2", Plan: ecrtest.Plan{AfterPolls: 5}},
}

// A mixed set (two complete, one FAILED, one not found) exits with the worst
// code, 4, and one JSON document with an object per image in input order.
func TestWaitSetMixedJSON(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		apiDigest := push(t, srv, "team/api", "v1") // COMPLETE on the second poll
		webDigest := push(t, srv, "web", "v1", failedOn...)
		workerDigest := push(t, srv, "worker", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{AfterPolls: 4}})
		got := runAgainst(t.Context(), srv, setArgs([]string{"team/api:v1", "web:v1", "team/api:missing", "worker@" + workerDigest}, "--output", "json"))
		if got.code != exitNotFound {
			t.Fatalf("exit code %d, want 4; stderr:\n%s", got.code, got.stderr)
		}
		doc := decodeJSON(t, got.stdout)
		images, _ := doc["images"].([]any)
		if len(images) != 4 {
			t.Fatalf("%d images in the document, want 4:\n%s", len(images), got.stdout)
		}
		// The not-found error carries the service's text and request ID,
		// checked apart.
		notFound, _ := images[2].(map[string]any)["error"].(map[string]any)
		msg, _ := notFound["message"].(string)
		if !strings.HasPrefix(msg, "waiting for team/api:missing: ") || !strings.Contains(msg, "ImageNotFoundException") {
			t.Errorf("not-found message = %q", msg)
		}
		if id, _ := notFound["requestId"].(string); id == "" {
			t.Error("not-found error has no requestId")
		}

		web := imageObject("web", "v1", webDigest, false, exitFailed, 2, 1.0, dests(
			dest("us-east-2", otherAccount, "FAILED", "ACCESS_DENIED"),
			dest("us-west-2", ecrtest.DefaultAccountID, "IN_PROGRESS", ""),
		))
		web["error"] = map[string]any{
			"code":    "ReplicationFailed",
			"message": "waiting for web:v1@" + webDigest + ": replication failed to us-east-2 210987654321 FAILED: ACCESS_DENIED (2 attempts in 1s)",
			"reason":  "failed to us-east-2 210987654321: ACCESS_DENIED",
		}
		// Never answered: its times would have counted from the wait's start.
		missing := imageObject("team/api", "missing", "", false, exitNotFound, 1, 0.0, []any{})
		missing["answers"], missing["since"] = 0.0, waitStart
		missing["error"] = map[string]any{
			"code":             "ImageNotFound",
			"message":          msg,
			"reason":           "image not found",
			"serviceErrorCode": "ImageNotFoundException",
			"requestId":        notFound["requestId"],
		}
		want := set("not-found", exitNotFound, 3,
			imageObject("team/api", "v1", apiDigest, true, exitOK, 2, 1.0, dests(
				done("us-east-2", otherAccount, 0, 1),
				done("us-west-2", ecrtest.DefaultAccountID, 0, 1),
			)),
			web,
			missing,
			imageObject("worker", "", workerDigest, true, exitOK, 4, 3.0, dests(
				done("us-east-2", otherAccount, 2, 3),
				done("us-west-2", ecrtest.DefaultAccountID, 0, 1),
			)),
		)
		if diff := cmp.Diff(want, doc); diff != "" {
			t.Errorf("JSON output (-want +got):\n%s", diff)
		}
		// team/api:missing is asked once; the others until they end.
		if n := srv.CallCount(ecrtest.OpDescribeImageReplicationStatus); n != 2+2+1+4 {
			t.Errorf("%d polls, want 9", n)
		}
	})
}

// Progress is one line per change of an image's state;
// stdout has the verdict, a line per image that did not replicate and the
// table, problems first; stderr the errors, each hint once.
func TestWaitSetTextAndPlainProgress(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "team/api", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{AfterPolls: 3}})
		webDigest := push(t, srv, "web", "v1", failedOn...)
		got := runAgainst(t.Context(), srv, setArgs([]string{"team/api:v1", "web:v1", "nosuch:v1"}))
		if got.code != exitNotFound {
			t.Fatalf("exit code %d, want 4; stderr:\n%s", got.code, got.stderr)
		}
		wantOut := "" +
			"❌ 2 of 3 images did not replicate: 1 failed, 1 not found · 1 replicated in 2.0 s from the push at 00:00:00 UTC\n" +
			"  web:v1: failed to us-east-2 210987654321: ACCESS_DENIED\n" +
			"  nosuch:v1: repository not found\n" +
			"\n" +
			"IMAGE        REGION     REGISTRY      STATUS              REPLICATION TIME  FAILURE CODE\n" +
			"web:v1       us-east-2  210987654321  FAILED              -                 ACCESS_DENIED\n" +
			"web:v1       us-west-2  123456789012  IN_PROGRESS         -                 -\n" +
			"nosuch:v1    -          -             RepositoryNotFound  -                 -\n" +
			"team/api:v1  us-east-2  210987654321  COMPLETE            1.0–2.0 s         -\n" +
			"team/api:v1  us-west-2  123456789012  COMPLETE            ≤ 1.0 s           -\n"
		if diff := cmp.Diff(wantOut, got.stdout); diff != "" {
			t.Errorf("stdout (-want +got):\n%s", diff)
		}
		// Lines of the same instant come in the order of the answers, which
		// the concurrent polls do not fix: compare them as sorted per instant.
		wantErr := []string{
			"[  0.0s] nosuch:v1  repository not found",
			"[  0.0s] team/api:v1  0/2 destinations complete",
			"[  0.0s] waiting up to 30 min for 3 images to replicate (at most 10 requests/s, 4 in flight)",
			"[  0.0s] web:v1  0/2 destinations complete",
			"[  1.0s] team/api:v1  1/2 destinations complete",
			"[  1.0s] web:v1  failed to us-east-2 210987654321: ACCESS_DENIED",
			"[  2.0s] team/api:v1  replicated to 2 destinations",
		}
		lines := strings.Split(strings.TrimSuffix(got.stderr, "\n"), "\n")
		if len(lines) < len(wantErr) {
			t.Fatalf("stderr has %d lines, want more than %d:\n%s", len(lines), len(wantErr), got.stderr)
		}
		progress := lines[:len(wantErr)]
		sortProgress(progress)
		if diff := cmp.Diff(wantErr, progress); diff != "" {
			t.Errorf("progress (-want +got):\n%s", diff)
		}
		wantRest := []string{
			"ecr-replication: error: waiting for web:v1@" + webDigest + ": replication failed to us-east-2 210987654321 FAILED: ACCESS_DENIED (2 attempts in 1s)",
			"ecr-replication: error: waiting for nosuch:v1: RepositoryNotFoundException: The repository with name 'nosuch' does not exist in the registry with id '123456789012' (1 attempt in 0s)",
			"ecr-replication: hint: a cross-account destination needs a registry permissions policy",
			"ecr-replication: hint: check the repository, tag and digest, and that --registry-id and --region name the source registry",
		}
		rest := lines[len(wantErr):]
		if len(rest) != len(wantRest) {
			t.Fatalf("after the progress, stderr has %d lines, want %d:\n%s", len(rest), len(wantRest), strings.Join(rest, "\n"))
		}
		for i, want := range wantRest {
			if !strings.HasPrefix(rest[i], want) {
				t.Errorf("stderr line %d = %q, want prefix %q", len(wantErr)+i+1, rest[i], want)
			}
		}
	})
}

// sortProgress sorts progress lines by their time stamp, then text.
func sortProgress(lines []string) {
	for i := 1; i < len(lines); i++ {
		for j := i; j > 0 && lines[j] < lines[j-1]; j-- {
			lines[j], lines[j-1] = lines[j-1], lines[j]
		}
	}
}

// A single --image still gets the set's document, so that scripts can rely
// on "images"; --registry-id applies to it, and a digest names it.
func TestWaitSetSingleImageShape(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		digest := push(t, srv, "app", "v1")
		got := runAgainst(t.Context(), srv, setArgs([]string{"app@" + digest}, "--registry-id", ecrtest.DefaultAccountID, "--output", "json", "--quiet"))
		if got.code != exitOK || got.stderr != "" {
			t.Fatalf("exit code %d, want 0 and no stderr; stderr:\n%s", got.code, got.stderr)
		}
		img := imageObject("app", "", digest, true, exitOK, 2, 1.0, dests(
			done("us-east-2", otherAccount, 0, 1),
			done("us-west-2", ecrtest.DefaultAccountID, 0, 1),
		))
		img["registryId"] = ecrtest.DefaultAccountID
		want := set("complete", exitOK, 1, img)
		if diff := cmp.Diff(want, decodeJSON(t, got.stdout)); diff != "" {
			t.Errorf("JSON output (-want +got):\n%s", diff)
		}
		for _, c := range srv.Calls(ecrtest.OpDescribeImageReplicationStatus) {
			if id := aws.ToString(c.ReplicationInput.RegistryId); id != ecrtest.DefaultAccountID {
				t.Errorf("a poll was sent with registryId %q, want %s", id, ecrtest.DefaultAccountID)
			}
		}
	})
}

// An image named twice, by tag and by the digest the tag resolves to, or
// twice the same way, is waited for once: each input keeps its entry, in the
// order given, all but the first marked duplicate, every entry of the image
// with the same polls; the non-duplicate entries add up to the polls sent.
func TestWaitSetAttemptsPerImage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		digest := push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{AfterPolls: 3}})
		push(t, srv, "other", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{AfterPolls: 5}})
		// The server counts the polls of the image (its digest) whatever
		// the request names: app@digest and app:v1 make a first poll each
		// (the server's polls 1 and 2), then one stream polls by digest
		// (poll 3: COMPLETE); the second app:v1 polls never.
		got := runAgainst(t.Context(), srv, setArgs([]string{"app@" + digest, "app:v1", "other:v1", "app:v1"}, "--output", "json", "--concurrency", "1"))
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		doc := decodeJSON(t, got.stdout)
		var attempts, duplicate []any
		total := 0.0
		for _, img := range doc["images"].([]any) {
			m := img.(map[string]any)
			attempts, duplicate = append(attempts, m["attempts"]), append(duplicate, m["duplicate"])
			if m["duplicate"] == nil {
				total += m["attempts"].(float64)
			}
		}
		if diff := cmp.Diff([]any{3.0, 3.0, 5.0, 3.0}, attempts); diff != "" {
			t.Errorf("attempts per image (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]any{nil, true, nil, true}, duplicate); diff != "" {
			t.Errorf("duplicate per image (-want +got):\n%s", diff)
		}
		if n := float64(srv.CallCount(ecrtest.OpDescribeImageReplicationStatus)); total != n {
			t.Errorf("the attempts of the non-duplicate images add up to %v, want the %v polls sent", total, n)
		}
		checkVerdict(t, got.stdout, "✅ 2 images replicated in ")
	})
}

// checkVerdict checks that the verdict of the document on stdout begins
// with want.
func checkVerdict(t *testing.T, stdout, want string) {
	t.Helper()
	d, err := parseDocument([]byte(stdout))
	if err != nil {
		t.Fatal(err)
	}
	if icon, subject, rest := verdict(d); !strings.HasPrefix(icon+" "+subject+rest, want) {
		t.Errorf("verdict %q, want it to begin with %q", icon+" "+subject+rest, want)
	}
}

// Issue 15, point 3, as reported: --image app:slow --image app@<digest of
// app:slow> --image app:done --since push --metrics-file: two images, so
// "2 images replicated", three entries in images[] (the second a duplicate
// of the first, with the same times), and one EMF record per image and
// destination (4, not 6), each with RegistryId only when one was given.
func TestWaitSameImageByTagAndDigest(t *testing.T) {
	for _, registry := range []string{"", ecrtest.DefaultAccountID} {
		t.Run("registry="+registry, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true)
				slow := push(t, srv, "app", "slow",
					ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: 2 * time.Second}},
					ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{After: 4 * time.Second}})
				push(t, srv, "app", "done")
				file := filepath.Join(t.TempDir(), "m.jsonl")
				args := setArgs([]string{"app:slow", "app@" + slow, "app:done"}, "--since", "push", "--metrics-file", file, "--output", "json")
				if registry != "" {
					args = append(args, "--registry-id", registry)
				}
				got := runAgainst(t.Context(), srv, args)
				if got.code != exitOK {
					t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
				}
				checkVerdict(t, got.stdout, "✅ 2 images replicated in ")
				images := decodeJSON(t, got.stdout)["images"].([]any)
				if len(images) != 3 {
					t.Fatalf("%d entries in images, want 3 (one per --image)", len(images))
				}
				first, second := images[0].(map[string]any), images[1].(map[string]any)
				if first["imageTag"] != "slow" || second["imageTag"] != "" || first["imageDigest"] != slow || second["imageDigest"] != slow {
					t.Errorf("entries 1 and 2 name %v@%v and %v@%v, want slow@%s and @%s", first["imageTag"], first["imageDigest"], second["imageTag"], second["imageDigest"], slow, slow)
				}
				if first["duplicate"] != nil || second["duplicate"] != true || images[2].(map[string]any)["duplicate"] != nil {
					t.Errorf("duplicate: %v, %v, %v; want absent, true, absent", first["duplicate"], second["duplicate"], images[2].(map[string]any)["duplicate"])
				}
				if diff := cmp.Diff(first["destinations"], second["destinations"]); diff != "" {
					t.Errorf("the two entries of app:slow differ (-first +second):\n%s", diff)
				}
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				var keys []string
				for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
					rec := checkEMF(t, line)
					id, hasID := rec["RegistryId"]
					if hasID != (registry != "") || hasID && id != registry {
						t.Errorf("record %s: RegistryId %v (present %t), want it only when --registry-id is given", line, id, hasID)
					}
					keys = append(keys, fmt.Sprintf("%v %v %v", rec["ImageDigest"] == slow, rec["DestinationRegion"], rec["DestinationRegistry"]))
				}
				want := []string{
					"true us-east-2 " + otherAccount, "true us-west-2 " + ecrtest.DefaultAccountID,
					"false us-east-2 " + otherAccount, "false us-west-2 " + ecrtest.DefaultAccountID,
				}
				if diff := cmp.Diff(want, keys); diff != "" {
					t.Errorf("EMF records by image and destination (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// A throttling storm slows the whole set down, and the set still completes.
func TestWaitSetThrottlingStorm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		var images []string
		for i := range 6 {
			repo := fmt.Sprintf("svc%d", i)
			push(t, srv, repo, "v1")
			images = append(images, repo+":v1")
		}
		srv.InjectFault(ecrtest.OpDescribeImageReplicationStatus, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 30)
		got := runAgainst(t.Context(), srv, setArgs(images, "--output", "json", "--timeout", "5m"))
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		if n := srv.PendingFaults(ecrtest.OpDescribeImageReplicationStatus); n != 0 {
			t.Errorf("%d faults left: the storm did not hit the set", n)
		}
		doc := decodeJSON(t, got.stdout)
		if doc["complete"] != true || doc["exitCode"] != 0.0 {
			t.Errorf("complete %v, exitCode %v; want true and 0", doc["complete"], doc["exitCode"])
		}
		for _, img := range doc["images"].([]any) {
			if m := img.(map[string]any); m["complete"] != true {
				t.Errorf("image %v:%v not complete", m["repository"], m["imageTag"])
			}
		}
		if !strings.Contains(got.stderr, "Rate exceeded; polling goes on") {
			t.Errorf("progress does not show the throttling:\n%s", got.stderr)
		}
	})
}

// Ctrl-C in the middle stops the whole set at once with exit code 130:
// images done keep their result, the others are Interrupted. No goroutine
// is left: synctest.Test fails if one of WaitAll's workers is left.
func TestWaitSetInterrupted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "done", "v1")
		never := ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}}
		push(t, srv, "slow", "v1", never)
		push(t, srv, "slower", "v1", never)
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		time.AfterFunc(2500*time.Millisecond, cancel) // Ctrl-C while waiting
		start := time.Now()
		got := runAgainst(ctx, srv, setArgs([]string{"done:v1", "slow:v1", "slower:v1"}, "--output", "json"))
		if got.code != exitInterrupted {
			t.Fatalf("exit code %d, want 130; stderr:\n%s", got.code, got.stderr)
		}
		if took := time.Since(start); took != 2500*time.Millisecond {
			t.Errorf("stopped after %v, want at once (2.5s)", took)
		}
		if n := strings.Count(got.stderr, "error: interrupted; stopped waiting"); n != 1 {
			t.Errorf("the interruption is told %d times, want once:\n%s", n, got.stderr)
		}
		doc := decodeJSON(t, got.stdout)
		var codes []any
		for _, img := range doc["images"].([]any) {
			m := img.(map[string]any)
			code := "-"
			if e, ok := m["error"].(map[string]any); ok {
				code = e["code"].(string)
			}
			codes = append(codes, []any{m["repository"], m["exitCode"], code})
		}
		want := []any{
			[]any{"done", 0.0, "-"},
			[]any{"slow", 130.0, "Interrupted"},
			[]any{"slower", 130.0, "Interrupted"},
		}
		if diff := cmp.Diff(want, codes); diff != "" {
			t.Errorf("images (-want +got):\n%s", diff)
		}
		if doc["exitCode"] != 130.0 || doc["complete"] != false {
			t.Errorf("exitCode %v, complete %v; want 130 and false", doc["exitCode"], doc["complete"])
		}
	})
}

// A set that does not complete within --timeout exits 3 within it.
func TestWaitSetTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1")
		push(t, srv, "slow", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}})
		start := time.Now()
		got := runAgainst(t.Context(), srv, setArgs([]string{"app:v1", "slow:v1"}, "--timeout", "5s", "--output", "json"))
		if got.code != exitTimeout {
			t.Fatalf("exit code %d, want 3; stderr:\n%s", got.code, got.stderr)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("the wait took %v, more than --timeout", took)
		}
		doc := decodeJSON(t, got.stdout)
		images := doc["images"].([]any)
		slow := images[1].(map[string]any)
		if e := slow["error"].(map[string]any); e["code"] != "Timeout" || slow["exitCode"] != 3.0 {
			t.Errorf("slow:v1 error %v, exitCode %v; want Timeout and 3", e, slow["exitCode"])
		}
		if app := images[0].(map[string]any); app["complete"] != true || app["exitCode"] != 0.0 {
			t.Errorf("app:v1 = %v, want complete", app)
		}
		if doc["exitCode"] != 3.0 {
			t.Errorf("exitCode %v, want 3", doc["exitCode"])
		}
	})
}

// --fail-fast ends the set at the first image that cannot complete; the
// others are Cancelled with that image's exit code.
func TestWaitSetFailFast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "web", "v1", failedOn...)
		push(t, srv, "slow", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}})
		start := time.Now()
		got := runAgainst(t.Context(), srv, setArgs([]string{"web:v1", "slow:v1"}, "--fail-fast", "--output", "json"))
		if got.code != exitFailed {
			t.Fatalf("exit code %d, want 1; stderr:\n%s", got.code, got.stderr)
		}
		if took := time.Since(start); took != time.Second {
			t.Errorf("the set ended after %v, want 1s, at the failure", took)
		}
		images := decodeJSON(t, got.stdout)["images"].([]any)
		slow := images[1].(map[string]any)
		want := map[string]any{"code": "Cancelled", "message": `waiting for slow:v1: stopped because web:v1 could not complete (--fail-fast)`,
			"reason": "skipped: web:v1 did not replicate (--fail-fast)"}
		if diff := cmp.Diff(want, slow["error"]); diff != "" || slow["exitCode"] != 1.0 {
			t.Errorf("slow:v1 exitCode %v, error (-want +got):\n%s", slow["exitCode"], diff)
		}
		if !strings.Contains(got.stderr, "] slow:v1  skipped: web:v1 did not replicate (--fail-fast)\n") || strings.Contains(got.stderr, "interrupted") {
			t.Errorf("stderr does not show the cancellation as such:\n%s", got.stderr)
		}
	})
}

// --images-from reads a file, or stdin with "-", skipping blank lines and
// comments, and adds to --image.
func TestWaitSetImagesFrom(t *testing.T) {
	const list = "# images of release 42\n\n  team/api:v1   # the API\nweb:v1\n\t\n# worker:v1 is not ready\n"
	for _, tc := range []struct {
		name string
		args func(dir string) []string
		env  func(*environment)
	}{
		{"file", func(dir string) []string { return []string{"--images-from", filepath.Join(dir, "images.txt")} }, nil},
		{"stdin", func(string) []string { return []string{"--images-from", "-"} }, func(e *environment) { e.stdin = strings.NewReader(list) }},
		{"file and image", func(dir string) []string {
			return []string{"--image", "extra:v1", "--images-from", filepath.Join(dir, "images.txt")}
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "images.txt"), []byte(list), 0o600); err != nil {
				t.Fatal(err)
			}
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true)
				for _, repo := range []string{"team/api", "web", "extra", "worker"} {
					push(t, srv, repo, "v1")
				}
				var opts []func(*environment)
				if tc.env != nil {
					opts = append(opts, tc.env)
				}
				got := runAgainst(t.Context(), srv, append(setArgs(nil, "--output", "json", "--quiet"), tc.args(dir)...), opts...)
				if got.code != exitOK {
					t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
				}
				var names []string
				for _, img := range decodeJSON(t, got.stdout)["images"].([]any) {
					m := img.(map[string]any)
					names = append(names, fmt.Sprintf("%s:%s", m["repository"], m["imageTag"]))
				}
				want := []string{"team/api:v1", "web:v1"}
				if tc.name == "file and image" {
					want = append([]string{"extra:v1"}, want...)
				}
				if diff := cmp.Diff(want, names); diff != "" {
					t.Errorf("images (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// Usage errors of the set form are all reported at once, exit 2, and send
// nothing; with --output json they are the set's document.
func TestWaitSetUsageErrors(t *testing.T) {
	dir := t.TempDir()
	listed := filepath.Join(dir, "images.txt")
	if err := os.WriteFile(listed, []byte("ok:v1\nBad/Name:v1\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, []byte("# nothing yet\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string // in stderr
	}{
		{"no tag or digest", []string{"--image", "team/api"}, []string{`image "team/api" (--image) names no tag or digest`}},
		{"port is no tag", []string{"--image", "host:5000/api"}, []string{`image "host:5000/api" (--image) names the registry "host:5000" with a port, which is not an Amazon ECR private registry: use REPO:TAG`}},
		{"no repository", []string{"--image", ":v1"}, []string{`image ":v1" (--image) names no repository`}},
		{"comma list", []string{"--image", "a:v1,b:v1"}, []string{`repository name "a:v1,b" must`}},
		{"both forms", []string{"--image", "app:v1", "--repository", "app", "--tag", "v1"}, []string{"--image and --images-from exclude --repository, --tag"}},
		{"invalid repository", []string{"--image", "Team/api:v1"}, []string{`image "Team/api:v1" (--image): repository name "Team/api" must be lower case`}},
		{"bad digest", []string{"--image", "app@sha256:xyz"}, []string{`image "app@sha256:xyz" (--image): image digest "sha256:xyz" must have exactly 64`}},
		{"empty tag", []string{"--image", "app:"}, []string{`image "app:" (--image): image tag "" must be 1 to 300`}},
		{"every problem", []string{"--image", "Bad:v1", "--image", "ok:v1", "--image", "nope", "--images-from", listed, "--registry-id", "12", "--timeout", "0s", "--rate-limit", "0", "--concurrency", "0"}, []string{
			`image "Bad:v1" (--image): repository name "Bad" must be lower case`,
			`image "nope" (--image) names no tag or digest`,
			`image "Bad/Name:v1" (` + listed + `:2): repository name "Bad/Name" must be lower case`,
			`registry ID (--registry-id) "12" must be exactly 12 digits`,
			"--timeout 0s must be greater than zero",
			"--rate-limit 0 must be a number of requests per second greater than zero",
			"--concurrency 0 must be at least 1",
		}},
		{"empty file", []string{"--images-from", empty}, []string{"lists no image"}},
		{"missing file", []string{"--images-from", filepath.Join(dir, "nosuch.txt")}, []string{"--images-from: open ", "no such file"}},
		{"bad rate limit", []string{"--image", "app:v1", "--rate-limit", "fast"}, []string{`--rate-limit "fast" is not a number`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ecrtest.NewInMemoryServer()
			defer srv.Close()
			got := runWith(t.Context(), append([]string{"wait"}, tc.args...), func(e *environment) {
				e.httpClient = srv.HTTPClient()
				e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(ecrtest.Credentials()), config.WithRegion("us-east-1"), config.WithBaseEndpoint("http://ecrtest.invalid")}
			})
			if got.code != exitUsage {
				t.Errorf("exit code %d, want 2; stderr:\n%s", got.code, got.stderr)
			}
			for _, want := range append(tc.want, "hint: see 'ecr-replication wait --help'") {
				if !strings.Contains(got.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
				}
			}
			if n := srv.CallCount(""); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// With --output json, a usage error of the set form is the set's document,
// whether found while parsing the flags or while checking the images.
func TestWaitSetUsageErrorJSON(t *testing.T) {
	for name, args := range map[string][]string{
		"validation":   {"wait", "--output", "json", "--image", "Foo:v1"},
		"flag parsing": {"wait", "--output", "json", "--concurrency", "x", "--image", "app:v1"},
	} {
		t.Run(name, func(t *testing.T) {
			got := runWith(t.Context(), args)
			if got.code != exitUsage {
				t.Fatalf("exit code %d, want 2", got.code)
			}
			doc := decodeJSON(t, got.stdout)
			e, _ := doc["error"].(map[string]any)
			want := map[string]any{
				"images":         []any{},
				"outcome":        "invalid-input",
				"complete":       false,
				"error":          map[string]any{"code": "InvalidInput", "message": e["message"], "reason": e["message"]},
				"exitCode":       2.0,
				"elapsedSeconds": 0.0,
			}
			if diff := cmp.Diff(want, doc); diff != "" {
				t.Errorf("JSON output (-want +got):\n%s", diff)
			}
			if msg, _ := e["message"].(string); msg == "" {
				t.Error("error.message is empty")
			}
		})
	}
}

// A set's outcome is its most severe image's, in the order of the exit
// codes (130 > 2 > 5 > 4 > 3 > 1 > 0), and its exit code that image's; a
// skipped image never decides.
func TestSetOutcome(t *testing.T) {
	order := []outcome{interrupted, invalid, otherError, notFound, timedOut, failed, complete}
	res := func(o outcome) result {
		return result{report: &ecrreplication.Report{Repository: "app"}, outcome: o, exit: o.info().exitCode}
	}
	for i, a := range order {
		others := order[i:]
		if a != complete {
			others = append(others, skipped) // a set with a skipped image has one that failed
		}
		for _, b := range others {
			for _, pair := range [][]result{{res(a), res(b)}, {res(b), res(a)}} {
				d := newDocument(t.Context(), pair, nil, 0)
				if d.Outcome != a || d.ExitCode != a.info().exitCode || d.Complete != (a == complete) {
					t.Errorf("%s and %s: outcome %s, exit code %d, complete %t; want %s, %d, %t", pair[0].outcome, pair[1].outcome, d.Outcome, d.ExitCode, d.Complete, a, a.info().exitCode, a == complete)
				}
			}
		}
	}
}

// The errors of the first images that did not complete are printed, the
// rest counted; each hint once.
func TestWaitSetManyErrors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		var images []string
		for i := range maxProblems + 2 {
			images = append(images, fmt.Sprintf("missing%02d:v1", i))
		}
		got := runAgainst(t.Context(), srv, setArgs(images, "--rate-limit", "100", "--quiet"))
		if got.code != exitNotFound {
			t.Fatalf("exit code %d, want 4; stderr:\n%s", got.code, got.stderr)
		}
		if n := strings.Count(got.stderr, "ecr-replication: error: waiting for missing"); n != maxProblems {
			t.Errorf("%d image errors printed, want %d:\n%s", n, maxProblems, got.stderr)
		}
		for _, want := range []string{"error: and 2 more images did not replicate (--output json has every error)", "hint: check the repository, tag and digest"} {
			if strings.Count(got.stderr, want) != 1 {
				t.Errorf("stderr does not say %q once:\n%s", want, got.stderr)
			}
		}
	})
}
