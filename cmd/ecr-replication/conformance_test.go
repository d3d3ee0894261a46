package main

import (
	"bytes"
	"net/http"
	"path/filepath"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/ecrkit/ecrreplication/ecrtest"
	"github.com/ecrkit/ecrreplication/internal/wirefixture"
)

// loadCLIFixtures reads the conformance corpus in ../../testdata/wire.
func loadCLIFixtures(t *testing.T) map[string]wirefixture.Fixture {
	t.Helper()
	fixtures, err := wirefixture.Load(filepath.Join("..", "..", "testdata", "wire"))
	if err != nil {
		t.Fatal(err)
	}
	return fixtures
}

// TestConformanceCLI replays every answer of the corpus to status and wait
// (JSON output) and checks the exit code, error.code and
// error.serviceErrorCode. A transient error is ridden out and the command
// succeeds on the next request; a final error ends both commands with the
// same exit code. Both InvalidParameterException and ValidationException
// from the service exit 2.
func TestConformanceCLI(t *testing.T) {
	for name, fx := range loadCLIFixtures(t) {
		for _, cmd := range []string{"status", "wait"} {
			t.Run(name+"/"+cmd, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					rt := &wirefixture.Replay{Fixture: fx, Then: wirefixture.CompleteBody}
					args := []string{"--endpoint-url", "http://replay.invalid", "--region", "us-east-1",
						cmd, "--repository", "app", "--tag", "v1", "--output", "json", "--timeout", "10m", "--since", "wait-start"}
					if cmd == "status" {
						args = args[:len(args)-4]
					}
					got := runWith(t.Context(), args, func(e *environment) {
						e.httpClient = &http.Client{Transport: rt}
						e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(ecrtest.Credentials())}
					})
					doc := imageOf(t, got.stdout)
					wantExit, wantCode, wantService := fx.Expect.CLI.ExitCode, fx.Expect.CLI.ErrorCode, fx.Expect.ServiceErrorCode
					// wait rides out every transient error; status rides out
					// those the SDK's retryer retries (throttling and 5xx
					// service errors), not an unreadable answer.
					if fx.Expect.Transient && (cmd == "wait" || fx.Expect.ServiceErrorCode != "") {
						wantExit, wantCode, wantService = exitOK, "", ""
						defer func() {
							if rt.Calls() != 2 {
								t.Errorf("%d requests, want 2", rt.Calls())
							}
						}()
					}
					if got.code != wantExit || doc["exitCode"] != float64(wantExit) {
						t.Fatalf("exit code %d (JSON %v), want %d; stderr:\n%s", got.code, doc["exitCode"], wantExit, got.stderr)
					}
					e, _ := doc["error"].(map[string]any)
					if wantExit == exitOK {
						if e != nil {
							t.Errorf("error = %v, want none", e)
						}
						return
					}
					if e["code"] != wantCode {
						t.Errorf("error.code = %v, want %s", e["code"], wantCode)
					}
					if svc, _ := e["serviceErrorCode"].(string); svc != wantService {
						t.Errorf("error.serviceErrorCode = %q, want %q", svc, wantService)
					}
					if bytes.ContainsRune([]byte(got.stderr), 0x1b) {
						t.Errorf("stderr has an escape character:\n%q", got.stderr)
					}
				})
			})
		}
	}
}
