// Package wirefixture reads the conformance corpus in testdata/wire (see
// its README.md) and replays its answers to a real SDK client without
// sockets. It serves the tests of the library, the CLI and ecrtest, which
// check the same answers from three sides.
package wirefixture

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Fixture is one exchange of the corpus: an answer as ECR or another AWS
// JSON service sends it, with its public source, what the library and the
// CLI must make of it, and the request that makes ecrtest give it.
type Fixture struct {
	Title     string
	Sources   []string
	Recorded  string
	Operation string
	Response  struct {
		Status  int
		Headers map[string]string
		Body    string
	}
	Expect struct {
		ServiceErrorCode     string
		Sentinel             string
		Message              string
		Transient            bool
		DeserializationError bool
		Malformed            int
		Destinations         []string
		CLI                  struct {
			ExitCode  int
			ErrorCode string
		}
	}
	Ecrtest struct {
		Skip        string
		Operation   string
		Body        json.RawMessage
		ContentType string
		// Auth is "" (unsigned, server without RequireAuth), "none"
		// (unsigned, RequireAuth), "skew:DURATION", "key:ID",
		// "secret:SECRET" or "region:REGION" (signed so, RequireAuth).
		Auth  string
		Fault string // "throttle" or "server"
		// Compare is "" (status, code and message), "code" (status and
		// code), "status" or "body" (status and body).
		Compare string
		// MessagePattern, when set, must match both messages instead of
		// their being equal.
		MessagePattern string
	}
}

// Load reads every fixture in dir (the corpus: testdata/wire from the
// module's root), by file name without ".json". Every fixture must name
// its sources, say what of it is on record, and have a status.
func Load(dir string) (map[string]Fixture, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("no fixtures in %s: %v", dir, err)
	}
	out := make(map[string]Fixture, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var fx Fixture
		if err := json.Unmarshal(b, &fx); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if len(fx.Sources) == 0 || fx.Recorded == "" || fx.Response.Status == 0 {
			return nil, fmt.Errorf("%s: every fixture names its sources, what of it is on record, and a status", f)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = fx
	}
	return out, nil
}

// CompleteBody is a successful DescribeImageReplicationStatus answer for
// app:v1 in which us-west-2 is COMPLETE.
const CompleteBody = `{"repositoryName":"app","imageId":{"imageDigest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","imageTag":"v1"},` +
	`"replicationStatuses":[{"region":"us-west-2","registryId":"123456789012","status":"COMPLETE"}]}`

// Replay is an http.RoundTripper that answers the first request with the
// fixture's response and every later one with Then, a 200 answer's body
// (CompleteBody, say), or with the fixture's again when Then is "". It uses
// no sockets, so it works inside a synctest bubble.
type Replay struct {
	Fixture Fixture
	Then    string

	mu    sync.Mutex
	calls int
}

// RoundTrip answers req.
func (r *Replay) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	status, body := r.Fixture.Response.Status, r.Fixture.Response.Body
	h := http.Header{}
	for k, v := range r.Fixture.Response.Headers {
		h.Set(k, v)
	}
	h.Set("X-Amzn-Requestid", "fixture-request-id")
	if r.calls > 1 && r.Then != "" {
		status, body = http.StatusOK, r.Then
		h = http.Header{"Content-Type": {"application/x-amz-json-1.1"}, "X-Amzn-Requestid": {"complete"}}
	}
	return &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Header: h,
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)), Request: req}, nil
}

// Calls is how many requests r has answered.
func (r *Replay) Calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}
