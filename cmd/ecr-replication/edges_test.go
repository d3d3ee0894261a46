package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

// The edges found when the command was tried as an SRE would (issue 11),
// one test each, and what must keep holding.

// scriptedArgs are the global flags of a run against a scripted transport.
var scriptedArgs = []string{"--endpoint-url", testEndpoint, "--region", "us-east-1"}

// safeLine matches a line the command may print on stderr: progress, its
// own messages, and --debug.
var safeLine = regexp.MustCompile(`^(\[ *[0-9]+\.[0-9]s\] |ecr-replication: |debug: )`)

// checkSafe fails unless out has no control character other than newlines
// and, on stderr, every line is one the command prints itself; every line
// is at most maxLine+100 characters long.
func checkSafe(t *testing.T, name, out string, stderr bool) {
	t.Helper()
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if strings.ContainsFunc(line, func(r rune) bool { return r < ' ' || r == 0x7f || r == '\u202e' }) {
			t.Errorf("%s line %d has a control character: %q", name, i+1, line)
		}
		if len([]rune(line)) > maxLine+100 {
			t.Errorf("%s line %d has %d characters", name, i+1, len([]rune(line)))
		}
		if stderr && line != "" && !safeLine.MatchString(line) {
			t.Errorf("%s line %d is not the command's: %q", name, i+1, line)
		}
	}
}

// Hostile values cannot add a line, move the cursor or change colours,
// whether they come from the flags, from --images-from or from the service;
// a huge value is cut; the JSON document keeps every value exact.
func TestHostileValuesAreSafe(t *testing.T) {
	hostileRegion := "eu-west-1\x1b[2J\n[  9.9s] FORGED \u202e"
	hugeRegion := strings.Repeat("r", 1<<20)
	answer := func(_ int, req *http.Request) (*http.Response, error) {
		quoted := func(s string) string { b, _ := json.Marshal(s); return string(b) }
		body := statusBody(fmt.Sprintf(`[{"region":%s,"registryId":"123456789012","status":"COMPLETE"},{"region":%s,"registryId":"1\u001b[31m2","status":"FAILED","failureCode":"X\nY"}]`,
			quoted(hostileRegion), quoted(hugeRegion)))
		return reply(req, http.StatusOK, strings.NewReader(body)), nil
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
	}{
		{"tag", []string{"wait", "--repository", "app", "--tag", "v1\x1b[31m\n[  9.9s] FORGED"}, ""},
		{"status tag", []string{"status", "--repository", "app", "--tag", "v1\n[  9.9s] FORGED", "--timeout", "20s"}, ""},
		{"images-from", []string{"wait", "--images-from", "-"}, "app:v1\x1b[2J\u202e\napp:v2\r[  9.9s] FORGED\n"},
		{"service values", []string{"wait", "--repository", "app", "--digest", "sha256:" + strings.Repeat("a", 64)}, ""},
		{"service values in status", []string{"status", "--repository", "app", "--digest", "sha256:" + strings.Repeat("a", 64)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true)
				push(t, srv, "app", "v1")
				client := srv.HTTPClient()
				if strings.HasPrefix(tc.name, "service values") {
					client = (&scripted{answer: answer}).client()
				}
				env := func(e *environment) { e.stdin = strings.NewReader(tc.stdin) }
				args := append(scriptedArgs, tc.args...)
				if args[2] == "wait" {
					args = append(args, append(fixedDelays, "--since", "wait-start")...)
				}
				got := runVia(t.Context(), client, args, env)
				if strings.HasPrefix(tc.name, "service values") && !strings.Contains(got.stdout, "FORGED") {
					t.Fatalf("the service's values are not shown; stderr:\n%.2000s", got.stderr)
				}
				checkSafe(t, "stderr", got.stderr, true)
				checkSafe(t, "stdout", got.stdout, false)
				if strings.Contains(got.stdout+got.stderr, hugeRegion[:4096]) {
					t.Error("the 1 MB region is printed whole")
				}
				jsonOut := runVia(t.Context(), client, append(args, "--output", "json", "--quiet"),
					func(e *environment) { e.stdin = strings.NewReader(tc.stdin) })
				doc := decodeJSON(t, jsonOut.stdout)
				if strings.HasPrefix(tc.name, "service values") {
					ds := doc["images"].([]any)[0].(map[string]any)["destinations"].([]any)
					var regions []string
					for _, d := range ds {
						regions = append(regions, d.(map[string]any)["region"].(string))
					}
					if len(regions) != 2 || regions[0] != hostileRegion || regions[1] != hugeRegion {
						t.Errorf("the JSON document does not keep the regions exact: %.100q", regions)
					}
				}
			})
		})
	}
}

// Entries of an answer that name no region are left out, counted and
// reported; they never block the wait or count as complete.
func TestWaitMalformedEntries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		statuses string
		code     int
	}{
		{"with a destination", `[null, {"region":null,"registryId":null,"status":null}, {"region":"us-west-2","registryId":"123456789012","status":"COMPLETE"}]`, exitOK},
		{"only malformed", `[null, {"region":null,"registryId":null,"status":"COMPLETE"}]`, exitTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := &scripted{answer: func(_ int, req *http.Request) (*http.Response, error) {
					return reply(req, http.StatusOK, strings.NewReader(statusBody(tc.statuses))), nil
				}}
				got := runVia(t.Context(), rt.client(), append(scriptedArgs, waitArgs("--timeout", "5s", "--since", "wait-start", "--output", "json")...))
				if got.code != tc.code {
					t.Fatalf("exit code %d, want %d; stderr:\n%s", got.code, tc.code, got.stderr)
				}
				if doc := imageOf(t, got.stdout); doc["malformedEntries"] != 2.0 {
					t.Errorf("malformedEntries = %v, want 2", doc["malformedEntries"])
				}
				if !strings.Contains(got.stderr, "warning: the service's last answer for app:v1 had 2 entries that name no region; they were left out") {
					t.Errorf("stderr does not report the malformed entries:\n%s", got.stderr)
				}
				if strings.Contains(got.stderr, "not listed yet") {
					t.Errorf("a malformed entry is shown as a destination:\n%s", got.stderr)
				}
			})
		})
	}
}

// The document keeps the caller's input apart from the service's answer:
// an answer naming another repository and tag changes neither; the digest
// is the one the service resolved the tag to.
func TestWaitKeepsRequestedNames(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		resolved := "sha256:" + strings.Repeat("b", 64)
		rt := &scripted{answer: func(_ int, req *http.Request) (*http.Response, error) {
			body := `{"repositoryName":"evil","registryId":"999999999999","imageId":{"imageDigest":"` + resolved + `","imageTag":"other"},"replicationStatuses":` + completeStatuses + `}`
			return reply(req, http.StatusOK, strings.NewReader(body)), nil
		}}
		for _, cmd := range [][]string{{"status"}, {"wait", "--since", "wait-start"}} {
			got := runVia(t.Context(), rt.client(), append(append(scriptedArgs, cmd...), "--repository", "app", "--tag", "v1", "--output", "json"))
			if got.code != exitOK {
				t.Fatalf("%s: exit code %d, want 0; stderr:\n%s", cmd, got.code, got.stderr)
			}
			doc := imageOf(t, got.stdout)
			gotNames := []any{doc["repository"], doc["registryId"], doc["imageTag"], doc["imageDigest"]}
			if diff := cmp.Diff([]any{"app", "", "v1", resolved}, gotNames); diff != "" {
				t.Errorf("%s: repository, registryId, imageTag, imageDigest (-want +got):\n%s", cmd, diff)
			}
		}
	})
}

// slow answers IN_PROGRESS after 12 seconds.
func slow(_ int, req *http.Request) (*http.Response, error) {
	t := time.NewTimer(12 * time.Second)
	defer t.Stop()
	select {
	case <-req.Context().Done():
		return nil, req.Context().Err()
	case <-t.C:
	}
	return reply(req, http.StatusOK, strings.NewReader(statusBody(`[{"region":"us-west-2","registryId":"123456789012","status":"IN_PROGRESS"}]`))), nil
}

// Nothing runs past --timeout, the output included, whether the server is
// slow, never answers, trickles a byte a second or sends an endless answer
// (refused at the size cap each time, and ridden out); the wait exits 3 and
// says what happened.
func TestWaitTimeoutHolds(t *testing.T) {
	var read atomic.Int64
	for _, tc := range []struct {
		name   string
		answer func(int, *http.Request) (*http.Response, error)
		want   string
	}{
		{"slow", slow, "still pending: us-west-2 123456789012 IN_PROGRESS"},
		{"hung", hung, "timed out after 30s: no poll succeeded (2 attempts in 30s); last error: no answer within the attempt timeout of 15s: no answer from http://localhost/: canceled, context deadline exceeded"},
		{"trickle", trickle, "timed out after 30s: no poll succeeded (2 attempts in 30s); last error: no answer within the attempt timeout of 15s"},
		{"endless", endless(&read), "response body too large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := &scripted{answer: tc.answer}
				start := time.Now()
				got := runVia(t.Context(), rt.client(), append(scriptedArgs, "wait", "--repository", "app", "--tag", "v1", "--timeout", "30s", "--min-delay", "10s", "--max-delay", "10s", "--since", "wait-start", "--output", "json"))
				if took := time.Since(start); took > 30*time.Second {
					t.Errorf("the wait took %v, past --timeout 30s", took)
				}
				if got.code != exitTimeout {
					t.Fatalf("exit code %d, want 3; stderr:\n%s", got.code, got.stderr)
				}
				e := imageOf(t, got.stdout)["error"].(map[string]any)
				if msg, _ := e["message"].(string); !strings.Contains(msg, tc.want) {
					t.Errorf("error.message = %q, want it to say %q", msg, tc.want)
				}
				if max := int64(rt.calls()) * (ecrreplication.DefaultMaxResponseSize + 64<<10); read.Load() > max {
					t.Errorf("the client read %d bytes in %d answers, more than the cap", read.Load(), rt.calls())
				}
			})
		})
	}
}

// When the service never answers, or answers with a redirect, the output
// says so, names the network error or where the redirect points, and gives
// the matching hint, never "the service listed no destination" or "wait
// again"; images of a set that were never polled say so and why.
func TestWaitDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func(int, *http.Request) (*http.Response, error)
		args   []string
		code   int
		want   []string
	}{
		{"connection refused", func(int, *http.Request) (*http.Response, error) {
			return nil, errors.New("connect: connection refused")
		},
			waitArgs("--since", "wait-start"), exitOther, []string{
				"the service did not answer 5 polls in a row", "no answer from http://localhost/: connect: connection refused",
				"hint: check the network, --region and --endpoint-url",
			}},
		{"never a status", func(_ int, req *http.Request) (*http.Response, error) {
			return reply(req, http.StatusServiceUnavailable, strings.NewReader("<html>busy</html>"), "Content-Type", "text/html"), nil
		}, waitArgs("--timeout", "5s", "--since", "wait-start"), exitTimeout, []string{
			"timed out after 4s (no further poll fits in the 1s left of the 5s limit: polls are at least MinDelay 1s apart): no poll succeeded (5 attempts in 4s); last error:", "HTTP 503",
			"hint: the service never answered with a status: check the network, --region and --endpoint-url",
		}},
		{"redirect", func(_ int, req *http.Request) (*http.Response, error) {
			return reply(req, http.StatusTemporaryRedirect, strings.NewReader(""), "Location", "https://api.ecr.eu-west-1.amazonaws.com/"), nil
		}, waitArgs("--since", "wait-start"), exitOther, []string{
			`http://localhost/ answered HTTP 307, a redirect to "https://api.ecr.eu-west-1.amazonaws.com/", which is not followed`,
			"hint: point --endpoint-url, or --region, at the ECR endpoint itself",
		}},
		{"redirect in status", func(_ int, req *http.Request) (*http.Response, error) {
			return reply(req, http.StatusMovedPermanently, strings.NewReader(""), "Location", "https://elsewhere.example/"), nil
		}, []string{"status", "--repository", "app", "--tag", "v1"}, exitOther, []string{
			`answered HTTP 301, a redirect to "https://elsewhere.example/"`, "hint: point --endpoint-url",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := &scripted{answer: tc.answer}
				got := runVia(t.Context(), rt.client(), append(scriptedArgs, tc.args...))
				if got.code != tc.code {
					t.Fatalf("exit code %d, want %d; stderr:\n%s", got.code, tc.code, got.stderr)
				}
				for _, want := range tc.want {
					if !strings.Contains(got.stderr, want) {
						t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
					}
				}
				wrongs := []string{"StatusCode:", "RequestID", "https response error", "operation error", "listed no destination", "wait again"}
				if strings.HasPrefix(tc.name, "redirect") {
					wrongs = append(wrongs, "UnknownError")
				}
				// Progress notes show the transient errors as they come; the
				// errors and hints show no SDK wrapping.
				messages := regexp.MustCompile(`(?m)^\[.*\n`).ReplaceAllString(got.stderr, "")
				for _, wrong := range wrongs {
					if strings.Contains(messages, wrong) {
						t.Errorf("stderr says %q:\n%s", wrong, got.stderr)
					}
				}
				doc := imageOf(t, runVia(t.Context(), rt.client(), append(scriptedArgs, append(tc.args, "--output", "json", "--quiet")...)).stdout)
				if e := doc["error"].(map[string]any); e["serviceErrorCode"] != nil {
					t.Errorf("error.serviceErrorCode = %v, want none: the service sent no error code", e["serviceErrorCode"])
				}
				if doc["answers"] != 0.0 {
					t.Errorf("answers = %v, want 0", doc["answers"])
				}
			})
		})
	}
	t.Run("not polled", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := newServer(t, true)
			for _, repo := range []string{"aa", "bb", "cc"} {
				push(t, srv, repo, "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}})
			}
			got := runAgainst(t.Context(), srv, setArgs([]string{"aa:v1", "bb:v1", "cc:v1"}, "--rate-limit", "0.1", "--timeout", "5s", "--output", "json"))
			if got.code != exitTimeout {
				t.Fatalf("exit code %d, want 3; stderr:\n%s", got.code, got.stderr)
			}
			// The limit lets one request through before the deadline: one
			// image (whichever worker came first) is polled, the other
			// two never are.
			images := decodeJSON(t, got.stdout)["images"].([]any)
			var polled []string
			for _, img := range images {
				m := img.(map[string]any)
				if m["attempts"] != 0.0 {
					polled = append(polled, m["repository"].(string))
					continue
				}
				if msg := m["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "before the first poll") {
					t.Errorf("%v: message %q; want that it was never polled", m["repository"], msg)
				}
				if want := m["repository"].(string) + ":v1  timed out before its first poll"; !strings.Contains(got.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
				}
			}
			if len(polled) != 1 {
				t.Errorf("polled images %v, want exactly one", polled)
			}
			if want := "hint: --timeout ran out before the image's first poll: raise --timeout, --rate-limit or --concurrency"; !strings.Contains(got.stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, got.stderr)
			}
		})
	})
}

// --images-from reports the first problems and a count, not every one of
// 100,000 bad lines, and names the file, the line and the limit of a line
// that is too long; nothing is sent.
func TestImagesFromNoise(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte(strings.Repeat("Bad/Name:v1\n", 100_000)), 0o600); err != nil {
		t.Fatal(err)
	}
	long := filepath.Join(dir, "long.txt")
	if err := os.WriteFile(long, []byte("app:v1\n"+strings.Repeat("a", 1<<20)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	many := filepath.Join(dir, "many.txt")
	var list strings.Builder
	for i := range maxImages + 1 {
		fmt.Fprintf(&list, "app:v%d\n", i)
	}
	if err := os.WriteFile(many, []byte(list.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"100,000 bad lines", []string{"--images-from", bad}, []string{"lists more than 10000 images in all (line 10001): split the list", bad + `:9): repository name "Bad/Name" must be lower case`, "and 9991 more problems"}},
		{"a 1 MiB line", []string{"--images-from", long}, []string{"--images-from " + long + ": line 2 is longer than 64 KiB (65536 bytes), the limit of a line"}},
		{"a 1 MiB line on stdin", []string{"--images-from", "-"}, []string{"--images-from stdin: line 1 is longer than 64 KiB"}},
		{"too many images", []string{"--images-from", many}, []string{"lists more than 10000 images in all (line 10001): split the list"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ecrtest.NewInMemoryServer()
			defer srv.Close()
			got := runVia(t.Context(), srv.HTTPClient(), append(append(scriptedArgs, "wait"), tc.args...),
				func(e *environment) { e.stdin = strings.NewReader(strings.Repeat("x", 1<<20)) })
			if got.code != exitUsage {
				t.Fatalf("exit code %d, want 2; stderr:\n%.2000s", got.code, got.stderr)
			}
			for _, want := range tc.want {
				if !strings.Contains(got.stderr, want) {
					t.Errorf("stderr lacks %q:\n%.2000s", want, got.stderr)
				}
			}
			// The first problems one per line, a count of the rest, a hint.
			if lines := strings.Count(got.stderr, "\n"); lines > maxProblems+2 || tc.name == "100,000 bad lines" && lines != maxProblems+2 {
				t.Errorf("stderr has %d lines, want %d at most, one per problem:\n%.3000s", lines, maxProblems+2, got.stderr)
			}
			if n := srv.CallCount(""); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// With --since push the replication times count from the image's push,
// which the JSON says; when the push time cannot be read (DescribeImages
// throttled, or no imagePushedAt) the wait counts from its start, says so,
// and still succeeds.
func TestWaitSincePush(t *testing.T) {
	t.Run("push", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := newServer(t, true)
			push(t, srv, "app", "v1")
			time.Sleep(10 * time.Second) // the wait starts 10 s after the push
			got := runAgainst(t.Context(), srv, waitArgs("--since", "push", "--output", "json"))
			if got.code != exitOK {
				t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
			}
			doc := imageOf(t, got.stdout)
			if diff := cmp.Diff(map[string]any{"source": "push", "time": "2000-01-01T00:00:00Z"}, doc["since"]); diff != "" {
				t.Errorf("since (-want +got):\n%s", diff)
			}
			want := dests(done("us-east-2", otherAccount, 10, 11), done("us-west-2", ecrtest.DefaultAccountID, 10, 11))
			if diff := cmp.Diff(want, doc["destinations"]); diff != "" {
				t.Errorf("destinations (-want +got):\n%s", diff)
			}
			if n := srv.CallCount(ecrtest.OpDescribeImages); n != 1 {
				t.Errorf("%d DescribeImages calls, want 1", n)
			}
		})
	})
	for _, tc := range []struct {
		name  string
		fault bool
		want  string
	}{
		{"throttled", true, "ecr-replication: warning: the replication times of 1 image count from the start of the wait: the push time could not be read (ThrottlingException: Rate exceeded); allow ecr:DescribeImages, or pass --since wait-start\n"},
		{"no imagePushedAt", false, "ecr-replication: warning: the replication times of 1 image count from the start of the wait: the push time could not be read (DescribeImages gave no push time); allow ecr:DescribeImages, or pass --since wait-start\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true)
				push(t, srv, "app", "v1")
				rt := &scripted{answer: func(_ int, req *http.Request) (*http.Response, error) {
					if !tc.fault && strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".DescribeImages") {
						return reply(req, http.StatusOK, strings.NewReader(`{"imageDetails":[{"repositoryName":"app"}]}`)), nil
					}
					return srv.HTTPClient().Transport.RoundTrip(req)
				}}
				for _, output := range []string{"text", "json"} {
					if tc.fault {
						srv.InjectFault(ecrtest.OpDescribeImages, ecrtest.Fault{Kind: ecrtest.FaultThrottle}, 1)
					}
					got := runVia(t.Context(), rt.client(), append(scriptedArgs, waitArgs("--since", "push", "--output", output)...))
					if got.code != exitOK {
						t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
					}
					if n := strings.Count(got.stderr, "push time could not be read"); n != 1 || !strings.Contains(got.stderr, tc.want) {
						t.Errorf("stderr does not say once %q:\n%s", tc.want, got.stderr)
					}
					if output == "json" {
						if since := imageOf(t, got.stdout)["since"].(map[string]any); since["source"] != "wait-start" {
							t.Errorf("since = %v, want the wait's start", since)
						}
					}
				}
			})
		})
	}
}

// emfSchema checks the shape of an Embedded Metric Format record, after the
// specification (see metricsFile); checkEMF checks the references.
const emfSchema = `{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "required": ["_aws"],
  "properties": {
    "_aws": {
      "type": "object",
      "required": ["Timestamp", "CloudWatchMetrics"],
      "properties": {
        "Timestamp": {"type": "integer", "minimum": 0},
        "CloudWatchMetrics": {
          "type": "array", "minItems": 1,
          "items": {
            "type": "object",
            "required": ["Namespace", "Dimensions", "Metrics"],
            "properties": {
              "Namespace": {"type": "string", "minLength": 1, "maxLength": 255},
              "Dimensions": {"type": "array", "minItems": 1, "items": {"type": "array", "maxItems": 9, "items": {"type": "string", "minLength": 1, "maxLength": 255}}},
              "Metrics": {"type": "array", "maxItems": 100, "items": {
                "type": "object", "required": ["Name"],
                "properties": {"Name": {"type": "string", "minLength": 1, "maxLength": 255}, "Unit": {"enum": ["Seconds", "Milliseconds", "Count", "None"]}}
              }}
            }
          }
        }
      }
    }
  }
}`

// checkEMF checks one line of a metrics file against the EMF specification:
// its shape, and that every dimension is a string member and every metric
// a number member of the root.
func checkEMF(t *testing.T, line string) map[string]any {
	t.Helper()
	sch, err := compileSchema([]byte(emfSchema))
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
	if err != nil {
		t.Fatalf("not JSON: %v: %s", err, line)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("not an EMF record: %v: %s", err, line)
	}
	rec := v.(map[string]any)
	for _, d := range rec["_aws"].(map[string]any)["CloudWatchMetrics"].([]any) {
		d := d.(map[string]any)
		for _, set := range d["Dimensions"].([]any) {
			for _, key := range set.([]any) {
				if _, ok := rec[key.(string)].(string); !ok {
					t.Errorf("dimension %v is not a string member of the record: %s", key, line)
				}
			}
		}
		for _, m := range d["Metrics"].([]any) {
			if _, ok := rec[m.(map[string]any)["Name"].(string)].(json.Number); !ok {
				t.Errorf("metric %v is not a number member of the record: %s", m, line)
			}
		}
	}
	return rec
}

// --metrics-file appends one EMF record per destination seen COMPLETE, with
// the upper bound of its replication time as the metric, both bounds and
// the reference in the record, and the figures of the JSON document.
func TestWaitMetricsFile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{AfterPolls: 3}})
		file := filepath.Join(t.TempDir(), "emf.log")
		if err := os.WriteFile(file, []byte("kept\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		got := runAgainst(t.Context(), srv, waitArgs("--metrics-file", file, "--metrics-namespace", "Team/Deploys", "--output", "json"))
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		decodeJSON(t, got.stdout)
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) != 3 || lines[0] != "kept" {
			t.Fatalf("the file holds %d lines, want what it held and 2 records:\n%s", len(lines), b)
		}
		var records []any
		for _, line := range lines[1:] {
			rec := checkEMF(t, line)
			records = append(records, rec)
		}
		directive := []any{map[string]any{
			"Namespace":  "Team/Deploys",
			"Dimensions": []any{[]any{"DestinationRegion", "DestinationRegistry"}},
			"Metrics":    []any{map[string]any{"Name": "ReplicationTime", "Unit": "Seconds"}},
		}}
		record := func(region, registry string, lo, hi, at json.Number) map[string]any {
			return map[string]any{
				"_aws":              map[string]any{"Timestamp": at, "CloudWatchMetrics": directive},
				"DestinationRegion": region, "DestinationRegistry": registry,
				"ReplicationTime": hi, "ReplicationTimeMin": lo, "ReplicationTimeMax": hi,
				"Since": "push", "SinceTime": "2000-01-01T00:00:00.000Z",
				"Repository": "app", "ImageTag": "v1", "ImageDigest": imageOf(t, got.stdout)["imageDigest"], "Outcome": "complete",
			}
		}
		want := []any{
			record("us-east-2", otherAccount, "1", "2", "946684802000"),
			record("us-west-2", ecrtest.DefaultAccountID, "0", "1", "946684801000"),
		}
		if diff := cmp.Diff(want, records); diff != "" {
			t.Errorf("records (-want +got):\n%s", diff)
		}
	})
}

// The rate limit holds for 2,000 images: at --rate-limit 50 (burst 10), no
// second sees more than burst + rate requests.
func TestWaitRateLimitAt2000Images(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true, func(o *ecrtest.Options) { o.DefaultPlan = ecrtest.Plan{AfterPolls: 1} })
		var list strings.Builder
		for i := range 2000 {
			repo := fmt.Sprintf("svc%04d", i)
			push(t, srv, repo, "v1")
			fmt.Fprintf(&list, "%s:v1\n", repo)
		}
		got := runAgainst(t.Context(), srv, []string{"wait", "--images-from", "-", "--rate-limit", "50", "--concurrency", "8", "--output", "json", "--quiet"},
			func(e *environment) { e.stdin = strings.NewReader(list.String()) })
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		if doc := decodeJSON(t, got.stdout); len(doc["images"].([]any)) != 2000 {
			t.Fatalf("%d images, want 2000", len(doc["images"].([]any)))
		}
		// Calls are logged in the order received: count those in every
		// window of one second that starts at a call.
		calls := srv.Calls(ecrtest.OpDescribeImageReplicationStatus)
		peak := 0
		for i, j := 0, 0; i < len(calls); i++ {
			for j < len(calls) && calls[j].Time.Sub(calls[i].Time) < time.Second {
				j++
			}
			peak = max(peak, j-i)
		}
		t.Logf("2000 images, %d requests, peak %d in one second", srv.CallCount(ecrtest.OpDescribeImageReplicationStatus), peak)
		if peak > 60 {
			t.Errorf("peak %d requests in one second, want at most 60 (rate 50 + burst 10)", peak)
		}
	})
}
