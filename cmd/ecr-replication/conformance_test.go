package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// cliFixture is one exchange of the conformance corpus in
// ../../testdata/wire and what the command makes of it.
type cliFixture struct {
	Response struct {
		Status  int
		Headers map[string]string
		Body    string
	}
	Expect struct {
		ServiceErrorCode string
		Transient        bool
		CLI              struct {
			ExitCode  int
			ErrorCode string
		}
	}
}

func loadCLIFixtures(t *testing.T) map[string]cliFixture {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "testdata", "wire", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	out := make(map[string]cliFixture)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var fx cliFixture
		if err := json.Unmarshal(b, &fx); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = fx
	}
	return out
}

// cliReplay answers the first request with the fixture's response and the
// later ones with an answer in which us-west-2 is COMPLETE. No sockets.
type cliReplay struct {
	mu    sync.Mutex
	fx    cliFixture
	calls int
}

const cliCompleteBody = `{"repositoryName":"app","imageId":{"imageDigest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","imageTag":"v1"},` +
	`"replicationStatuses":[{"region":"us-west-2","registryId":"123456789012","status":"COMPLETE"}]}`

func (r *cliReplay) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	status, body := r.fx.Response.Status, r.fx.Response.Body
	h := http.Header{"X-Amzn-Requestid": {"fixture-request-id"}}
	for k, v := range r.fx.Response.Headers {
		h.Set(k, v)
	}
	if r.calls > 1 {
		status, body = 200, cliCompleteBody
		h = http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"complete"}}
	}
	return &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Header: h,
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
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
					rt := &cliReplay{fx: fx}
					args := []string{"--endpoint-url", "http://replay.invalid", "--region", "us-east-1",
						cmd, "--repository", "app", "--tag", "v1", "--output", "json", "--timeout", "10m"}
					if cmd == "status" {
						args = args[:len(args)-2]
					}
					got := runWith(t.Context(), args, func(e *environment) {
						no := false
						e.terminal = &no
						e.httpClient = &http.Client{Transport: rt}
						e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(ecrtest.Credentials())}
					})
					doc := decodeJSON(t, got.stdout)
					wantExit, wantCode, wantService := fx.Expect.CLI.ExitCode, fx.Expect.CLI.ErrorCode, fx.Expect.ServiceErrorCode
					// wait rides out every transient error; status rides out
					// those the SDK's retryer retries (throttling and 5xx
					// service errors), not an unreadable answer.
					if fx.Expect.Transient && (cmd == "wait" || fx.Expect.ServiceErrorCode != "") {
						wantExit, wantCode, wantService = exitOK, "", ""
						defer func() {
							if rt.calls != 2 {
								t.Errorf("%d requests, want 2", rt.calls)
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
