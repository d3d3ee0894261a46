package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The demo runs in-process over loopback HTTP and ends with one JSON
// document that shows every destination COMPLETE.
func TestDemoInProcess(t *testing.T) {
	got := runWith(t.Context(), []string{"demo", "--speed", "40", "--output", "json"})
	if got.code != exitOK {
		t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
	}
	doc := imageOf(t, got.stdout)
	var states []string
	for _, d := range doc["destinations"].([]any) {
		d := d.(map[string]any)
		states = append(states, fmt.Sprintf("%s %s %s timed:%t", d["region"], d["registryId"], d["status"], d["replicationSeconds"] != nil))
	}
	want := []string{
		"ap-southeast-2 123456789012 COMPLETE timed:true",
		"eu-west-1 123456789012 COMPLETE timed:true",
		"us-east-2 " + demoOtherAccount + " COMPLETE timed:true",
		"us-west-2 123456789012 COMPLETE timed:true",
	}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("destinations (-want +got):\n%s", diff)
	}
	if since, _ := doc["since"].(map[string]any); since["source"] != "push" {
		t.Errorf("since = %v, want the push time", doc["since"])
	}
	for _, want := range []string{"demo: running: ecr-replication wait --endpoint-url http://127.0.0.1:", "eu-west-1 123456789012 NOT_LISTED", "COMPLETE after "} {
		if !strings.Contains(got.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
		}
	}
	checkVerdict(t, got.stdout, "✅ demo/web-app:v1.0.0 replicated to 4 destinations in ")
}

// The built binary runs the demo end to end: exit code 0, and 1 with --fail.
func TestDemoBinary(t *testing.T) {
	bin := builtBinary(t)
	for _, tc := range []struct {
		args []string
		code int
		want string // in stdout
	}{
		{[]string{"demo", "--speed", "20"}, 0, "✅ demo/web-app:v1.0.0 replicated to 4 destinations in "},
		{[]string{"demo", "--fail", "--speed", "20"}, 1, "❌ demo/web-app:v1.0.0 did not replicate: failed to us-east-2 210987654321: REPLICATION_FAILED\n"},
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		cmd := exec.CommandContext(ctx, bin, tc.args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		cancel()
		code := 0
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code = exitErr.ExitCode()
		} else if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		if code != tc.code {
			t.Errorf("%q: exit code %d, want %d; stderr:\n%s", tc.args, code, tc.code, stderr.String())
		}
		if !strings.HasPrefix(string(out), tc.want) || !strings.Contains(string(out), "\nIMAGE ") {
			t.Errorf("%q: stdout is not the verdict %q and the table:\n%s", tc.args, tc.want, out)
		}
	}
}

// SIGTERM stops the built binary at once with exit code 130 and a
// well-formed JSON document (the demo's wait runs for seconds otherwise).
func TestBinarySIGTERM(t *testing.T) {
	bin := builtBinary(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "demo", "--output", "json")
	var stdout strings.Builder
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Signal once the wait has started, on its first progress line.
	sc := bufio.NewScanner(stderr)
	for sc.Scan() && !strings.Contains(sc.Text(), "waiting up to") {
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, stderr)
	err = cmd.Wait()
	took := time.Since(sent)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != exitInterrupted {
		t.Fatalf("exit: %v, want code 130", err)
	}
	if took > 2*time.Second {
		t.Errorf("the binary took %v to stop after SIGTERM", took)
	}
	if img := imageOf(t, stdout.String()); img["outcome"] != "interrupted" || img["error"].(map[string]any)["code"] != "Interrupted" {
		t.Errorf("image = %v, want outcome interrupted, error code Interrupted", img)
	}
}
