package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"testing/iotest"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

// status prints the verdict and the table once and exits 0 even though
// replication is not complete: its outcome is in-progress.
func TestStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1")
		got := runAgainst(t.Context(), srv, []string{"status", "--repository", "app", "--tag", "v1"})
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		want := "" +
			"🔄 app:v1 in progress: 0 of 2 destinations complete; pending: us-east-2 210987654321, us-west-2 123456789012\n" +
			"\n" +
			"IMAGE   REGION     REGISTRY      STATUS       REPLICATION TIME  FAILURE CODE\n" +
			"app:v1  us-east-2  210987654321  IN_PROGRESS  -                 -\n" +
			"app:v1  us-west-2  123456789012  IN_PROGRESS  -                 -\n"
		if diff := cmp.Diff(want, got.stdout); diff != "" {
			t.Errorf("stdout (-want +got):\n%s", diff)
		}
		if got.stderr != "" {
			t.Errorf("stderr = %q, want nothing", got.stderr)
		}
	})
}

// Global flags work before and after the command name, and JSON output is
// the same either way.
func TestStatusJSONGlobalFlagsAnywhere(t *testing.T) {
	image := []string{"--repository", "app", "--tag", "v1"}
	for name, args := range map[string][]string{
		"before": append([]string{"--output", "json", "status", "--registry-id", ecrtest.DefaultAccountID}, image...),
		"after":  append(append([]string{"status"}, image...), "--registry-id", ecrtest.DefaultAccountID, "--output=json"),
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true)
				digest := push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{}})
				got := runAgainst(t.Context(), srv, args)
				if got.code != exitOK {
					t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
				}
				want := set("in-progress", exitOK, 0, map[string]any{
					"repository":  "app",
					"registryId":  ecrtest.DefaultAccountID,
					"imageDigest": digest,
					"imageTag":    "v1",
					"outcome":     "in-progress",
					"complete":    false,
					"destinations": dests(
						dest("us-east-2", otherAccount, "IN_PROGRESS", ""),
						dest("us-west-2", ecrtest.DefaultAccountID, "COMPLETE", ""),
					),
					"malformedEntries": 0.0,
					"since":            nil,
					"exitCode":         0.0,
					"attempts":         1.0,
					"answers":          1.0,
					"elapsedSeconds":   0.0,
				})
				if diff := cmp.Diff(want, decodeJSON(t, got.stdout)); diff != "" {
					t.Errorf("JSON output (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// A missing image exits 4: the verdict says so, stderr has the service's
// error, without the SDK's wrapping, and a hint.
func TestStatusNotFound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1")
		got := runAgainst(t.Context(), srv, []string{"status", "--repository", "app", "--tag", "v9"})
		if got.code != exitNotFound {
			t.Fatalf("exit code %d, want 4; stderr:\n%s", got.code, got.stderr)
		}
		want := "" +
			"❌ app:v9 did not replicate: image not found\n" +
			"\n" +
			"IMAGE   REGION  REGISTRY  STATUS         REPLICATION TIME  FAILURE CODE\n" +
			"app:v9  -       -         ImageNotFound  -                 -\n"
		if diff := cmp.Diff(want, got.stdout); diff != "" {
			t.Errorf("stdout (-want +got):\n%s", diff)
		}
		wantErr := "" +
			"ecr-replication: error: status of app:v9: ImageNotFoundException: The image with imageId {imageDigest:'null', imageTag:'v9'} does not exist within the repository with name 'app' in the registry with id '123456789012'\n" +
			"ecr-replication: hint: check the repository, tag and digest, and that --registry-id and --region name the source registry (names are case-sensitive)\n"
		if diff := cmp.Diff(wantErr, got.stderr); diff != "" {
			t.Errorf("stderr (-want +got):\n%s", diff)
		}
	})
}

// Usage and validation errors exit 2 and send nothing.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no command", nil, "Usage: ecr-replication"},
		{"unknown flag", []string{"wait", "--repo", "app"}, "error: unknown flag --repo (did you mean --repository?)\n"},
		{"unknown global flag", []string{"--outptu", "json", "wait"}, "error: unknown flag --outptu (did you mean --output?)\n"},
		{"unknown flag, nothing near", []string{"status", "--zzzzzz"}, "error: unknown flag --zzzzzz\n"},
		{"unknown command", []string{"wiat"}, `unknown command "wiat": the commands are status, wait, demo, render, schema and version (did you mean wait?)`},
		{"missing value", []string{"wait", "--repository", "app", "--tag", "v1", "--timeout"}, "error: --timeout needs a value\n"},
		{"duration without a unit", []string{"wait", "--repository", "app", "--tag", "v1", "--timeout", "5"}, `error: --timeout "5" is not a duration: use a unit, such as 5s or 20m`},
		{"status duration without a unit", []string{"status", "--repository", "app", "--tag", "v1", "--timeout", "20"}, `error: --timeout "20" is not a duration: use a unit, such as 5s or 20m`},
		{"not a number", []string{"wait", "--image", "app:v1", "--rate-limit", "fast"}, `error: --rate-limit "fast" is not a number`},
		{"not a whole number", []string{"wait", "--image", "app:v1", "--concurrency", "1.5"}, `error: --concurrency "1.5" is not a whole number`},
		{"not a boolean", []string{"wait", "--image", "app:v1", "--fail-fast=maybe"}, `error: --fail-fast "maybe" is not true or false`},
		{"positional argument", []string{"status", "--repository", "app", "--tag", "v1", "extra"}, `unexpected argument "extra"`},
		{"upper-case repository", []string{"wait", "--repository", "Foo", "--tag", "v1"}, `repository name (--repository) "Foo" must be lower case: `},
		{"missing repository", []string{"status", "--tag", "v1"}, "error: repository name (--repository) is required"},
		{"missing image", []string{"wait", "--repository", "app"}, "--tag or --digest is required"},
		{"empty tag", []string{"status", "--repository", "app", "--tag", ""}, `image tag (--tag) must be`},
		{"bad digest", []string{"wait", "--repository", "app", "--digest", "sha256:xyz"}, `image digest (--digest) "sha256:xyz"`},
		{"bad registry ID", []string{"status", "--repository", "app", "--tag", "v1", "--registry-id", "12"}, `registry ID (--registry-id) "12"`},
		{"zero timeout", []string{"wait", "--repository", "app", "--tag", "v1", "--timeout", "0s"}, "--timeout 0s must be greater than zero"},
		{"bad timeout", []string{"wait", "--repository", "app", "--tag", "v1", "--timeout", "soon"}, `--timeout "soon" is not a duration: use a unit, such as 5s or 20m`},
		{"delays reversed", []string{"wait", "--repository", "app", "--tag", "v1", "--min-delay", "5s", "--max-delay", "1s"}, "--max-delay 1s must not be less than --min-delay 5s"},
		{"bad expect", []string{"wait", "--repository", "app", "--tag", "v1", "--expect", "US-WEST-2"}, `"US-WEST-2" is not REGION[:ACCOUNT]`},
		{"bad expect account", []string{"wait", "--repository", "app", "--tag", "v1", "--expect", "us-west-2:abc"}, "12-digit account ID"},
		{"both expectations", []string{"wait", "--repository", "app", "--tag", "v1", "--expect", "us-west-2", "--expect-from-registry"}, "exclude each other"},
		{"bad output", []string{"status", "--repository", "app", "--tag", "v1", "--output", "yaml"}, `--output "yaml" is not a known format`},
		{"bad endpoint", []string{"status", "--repository", "app", "--tag", "v1", "--endpoint-url", "localhost:4566"}, "--endpoint-url"},
		{"bad speed", []string{"demo", "--speed", "0"}, "--speed 0 must be more than 0"},
		{"bad status timeout", []string{"status", "--repository", "app", "--tag", "v1", "--timeout", "-1s"}, "--timeout -1s must be greater than zero"},
		{"bad since", []string{"wait", "--repository", "app", "--tag", "v1", "--since", "build"}, `--since "build" is not push or wait-start`},
		{"bad metrics namespace", []string{"wait", "--repository", "app", "--tag", "v1", "--metrics-namespace", ""}, `--metrics-namespace "" must be 1 to 255`},
		{"unwritable metrics file", []string{"wait", "--repository", "app", "--tag", "v1", "--metrics-file", "/nonexistent/dir/emf.log"}, "--metrics-file: open /nonexistent/dir/emf.log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ecrtest.NewInMemoryServer()
			defer srv.Close()
			got := runWith(t.Context(), tc.args, func(e *environment) {
				e.httpClient = srv.HTTPClient()
				e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(ecrtest.Credentials()), config.WithRegion("us-east-1"), config.WithBaseEndpoint(testEndpoint)}
			})
			if got.code != exitUsage {
				t.Errorf("exit code %d, want 2; stderr:\n%s", got.code, got.stderr)
			}
			if !strings.Contains(got.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, got.stderr)
			}
			if tc.args != nil && !strings.Contains(got.stderr, "hint: see 'ecr-replication") {
				t.Errorf("stderr has no hint:\n%s", got.stderr)
			}
			// Every flag is named with two dashes.
			if m := regexp.MustCompile(`(^|[\s(])-[a-z]`).FindString(strings.ReplaceAll(got.stderr, "ecr-replication", "")); tc.args != nil && m != "" && !strings.Contains(tc.name, "expect") {
				t.Errorf("stderr names a flag with one dash (%q):\n%s", m, got.stderr)
			}
			if n := srv.CallCount(""); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// With --output json, a usage error is the document too, with no image,
// whatever the command and wherever the error is found.
func TestUsageErrorJSON(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		message string
	}{
		{[]string{"wait", "--repository", "Foo", "--tag", "v1"}, `repository name (--repository) "Foo" must be lower case: components of lower-case letters and digits, separated by single '.', '_' or '-', joined by '/' (pattern ` + ecrreplication.RepositoryNamePattern + `)`},
		{[]string{"status", "--repository", "app", "--tag", "v1", "--timeout", "5"}, `--timeout "5" is not a duration: use a unit, such as 5s or 20m`},
		{[]string{"demo", "--speed", "0"}, "--speed 0 must be more than 0 and at most 1000"},
		{[]string{"wait", "--image", "Foo:v1"}, `image "Foo:v1" (--image): repository name "Foo" must be lower case: components of lower-case letters and digits, separated by single '.', '_' or '-', joined by '/' (pattern ` + ecrreplication.RepositoryNamePattern + `)`},
		{[]string{"wait", "--concurrency", "x", "--image", "app:v1"}, `--concurrency "x" is not a whole number`},
	} {
		got := runWith(t.Context(), append([]string{"--output", "json"}, tc.args...))
		if got.code != exitUsage {
			t.Fatalf("%q: exit code %d, want 2", tc.args, got.code)
		}
		want := map[string]any{
			"images":         []any{},
			"outcome":        "invalid-input",
			"complete":       false,
			"error":          map[string]any{"code": "InvalidInput", "message": tc.message, "reason": tc.message},
			"exitCode":       2.0,
			"elapsedSeconds": 0.0,
		}
		if diff := cmp.Diff(want, decodeJSON(t, got.stdout)); diff != "" {
			t.Errorf("%q: JSON output (-want +got):\n%s", tc.args, diff)
		}
	}
}

// Configuration errors are found before any request and exit 2.
func TestConfigurationErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no region", nil, "no AWS region is configured"},
		{"unknown profile", []string{"--profile", "nosuch", "--region", "us-east-1"}, "nosuch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"status", "--repository", "app", "--tag", "v1", "--endpoint-url", testEndpoint}, tc.args...)
			srv := ecrtest.NewInMemoryServer()
			defer srv.Close()
			got := runWith(t.Context(), args, func(e *environment) { e.httpClient = srv.HTTPClient() })
			if got.code != exitUsage {
				t.Errorf("exit code %d, want 2; stderr:\n%s", got.code, got.stderr)
			}
			if !strings.Contains(got.stderr, tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, got.stderr)
			}
			if n := srv.CallCount(""); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// Rejected credentials, missing credentials and service errors exit 5.
func TestOtherErrors(t *testing.T) {
	wrong := func(e *environment) {
		e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: ecrtest.AccessKeyID, SecretAccessKey: "wrong-secret"}, nil
		}))}
	}
	none := func(e *environment) { e.configOptions = nil } // the default chain finds nothing
	for _, tc := range []struct {
		name string
		cmd  string
		env  func(*environment)
		code string // error.serviceErrorCode
		want string // in stderr
	}{
		{"wrong secret status", "status", wrong, "InvalidSignatureException", "hint: the credentials were rejected"},
		{"wrong secret wait", "wait", wrong, "InvalidSignatureException", "hint: the credentials were rejected"},
		{"no credentials", "status", none, "", "hint: no request could be sent: check the credentials"},
		{"no credentials wait", "wait", none, "", "hint: no request could be sent: check the credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true, func(o *ecrtest.Options) { o.RequireAuth = true })
				push(t, srv, "app", "v1")
				got := runAgainst(t.Context(), srv, []string{tc.cmd, "--repository", "app", "--tag", "v1", "--output", "json"}, tc.env)
				if got.code != exitOther {
					t.Fatalf("exit code %d, want 5; stderr:\n%s", got.code, got.stderr)
				}
				e := imageOf(t, got.stdout)["error"].(map[string]any)
				if e["code"] != "Error" || (tc.code != "" && e["serviceErrorCode"] != tc.code) {
					t.Errorf("error = %v, want code Error and serviceErrorCode %q", e, tc.code)
				}
				if !strings.Contains(got.stderr, tc.want) {
					t.Errorf("stderr lacks %q:\n%s", tc.want, got.stderr)
				}
			})
		})
	}
}

// --debug logs events and HTTP exchanges but never a credential.
func TestDebugHasNoSecrets(t *testing.T) {
	const token = "SESSION-TOKEN-MUST-NOT-LEAK"
	creds := func(e *environment) {
		e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: ecrtest.AccessKeyID, SecretAccessKey: ecrtest.SecretAccessKey, SessionToken: token}, nil
		}))}
	}
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true, func(o *ecrtest.Options) { o.RequireAuth = true })
		push(t, srv, "app", "v1")
		srv.InjectFault(ecrtest.OpDescribeImageReplicationStatus, ecrtest.Fault{Kind: ecrtest.FaultServerError}, 1)
		got := runAgainst(t.Context(), srv, append(waitArgs("--debug"), "--expect-from-registry"), creds)
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		for _, want := range []string{"debug:", "DescribeImageReplicationStatus POST http://localhost/: HTTP 500", "DescribeRegistry POST http://localhost/: HTTP 200"} {
			if !strings.Contains(got.stderr, want) {
				t.Errorf("debug output lacks %q:\n%s", want, got.stderr)
			}
		}
		for _, secret := range []string{ecrtest.SecretAccessKey, token, ecrtest.AccessKeyID, "Authorization", "Signature=", "X-Amz-Security-Token"} {
			if strings.Contains(got.stderr+got.stdout, secret) {
				t.Errorf("output contains %q:\n%s", secret, got.stderr)
			}
		}
	})
}

// Every command has --help with examples and exit codes; --version works anywhere.
func TestHelpAndVersion(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"},
		{"status", "--help"}, {"wait", "--help"}, {"demo", "--help"}, {"schema", "--help"},
		{"help", "wait"}, {"--help", "wait"},
	} {
		got := runWith(t.Context(), args)
		if got.code != exitOK {
			t.Errorf("%q: exit code %d, want 0", args, got.code)
		}
		for _, want := range []string{"Usage: ecr-replication", "Examples:", "Exit codes (outcome):", "--output format"} {
			if !strings.Contains(got.stdout, want) {
				t.Errorf("%q: help lacks %q:\n%s", args, want, got.stdout)
			}
		}
	}
	got := runWith(t.Context(), []string{"wait", "--help"})
	for _, want := range []string{"'ecr-replication schema'", "--expect REGION[:ACCOUNT],...", "--timeout duration", "--since push", "--metrics-file FILE"} {
		if !strings.Contains(got.stdout, want) {
			t.Errorf("wait help lacks %q:\n%s", want, got.stdout)
		}
	}
	for _, args := range [][]string{{"--version"}, {"status", "--version"}} {
		got := runWith(t.Context(), args)
		if got.code != exitOK || !strings.HasPrefix(got.stdout, "ecr-replication ") {
			t.Errorf("%q: exit code %d, stdout %q", args, got.code, got.stdout)
		}
	}
}

// hung never answers: it waits until the request ends.
func hung(_ int, req *http.Request) (*http.Response, error) {
	<-req.Context().Done()
	return nil, req.Context().Err()
}

// trickle answers 200 with a body that sends one space a second, forever.
func trickle(_ int, req *http.Request) (*http.Response, error) {
	return reply(req, http.StatusOK, &trickleBody{ctx: req.Context()}), nil
}

// trickleBody is the body of trickle.
type trickleBody struct{ ctx context.Context }

// Read waits a second and reads a space, or the request's end.
func (b *trickleBody) Read(p []byte) (int, error) {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-b.ctx.Done():
		return 0, b.ctx.Err()
	case <-t.C:
	}
	p[0] = ' '
	return 1, nil
}

// endless returns answers of 200 whose body is a list of COMPLETE
// destinations that never ends; read counts the bytes the client read.
func endless(read *atomic.Int64) func(int, *http.Request) (*http.Response, error) {
	return func(_ int, req *http.Request) (*http.Response, error) {
		return reply(req, http.StatusOK, &endlessBody{read: read, text: `{"replicationStatuses":[`}), nil
	}
}

// endlessBody is the body of endless.
type endlessBody struct {
	read *atomic.Int64
	text string
}

// Read reads the next bytes of the list.
func (b *endlessBody) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if b.text == "" {
			b.text = `{"region":"us-west-2","registryId":"123456789012","status":"COMPLETE"},`
		}
		c := copy(p[n:], b.text)
		b.text, n = b.text[c:], n+c
	}
	b.read.Add(int64(n))
	return n, nil
}

// status gives up at --timeout with exit code 5 and says so, whether the
// server never answers or trickles a byte a second; an endless answer is
// refused at the size cap at once. Nothing runs past --timeout.
func TestStatusBounded(t *testing.T) {
	var read atomic.Int64
	for _, tc := range []struct {
		name   string
		answer func(int, *http.Request) (*http.Response, error)
		want   string
		within time.Duration
	}{
		{"hung", hung, `status of app:v1: no answer within --timeout 20s`, 20 * time.Second},
		{"trickle", trickle, `status of app:v1: no answer within --timeout 20s`, 20 * time.Second},
		{"endless", endless(&read), "response body too large: more than 4194304 bytes", time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rt := &scripted{answer: tc.answer}
				start := time.Now()
				got := runVia(t.Context(), rt.client(), []string{"--endpoint-url", testEndpoint, "--region", "us-east-1",
					"status", "--repository", "app", "--tag", "v1", "--output", "json"})
				if took := time.Since(start); took > tc.within {
					t.Errorf("status took %v, want at most %v", took, tc.within)
				}
				if got.code != exitOther {
					t.Fatalf("exit code %d, want 5; stderr:\n%s", got.code, got.stderr)
				}
				e := imageOf(t, got.stdout)["error"].(map[string]any)
				if msg, _ := e["message"].(string); e["code"] != "Error" || !strings.Contains(msg, tc.want) {
					t.Errorf("error = %v, want code Error and a message with %q", e, tc.want)
				}
				if max := int64(rt.calls()) * (ecrreplication.DefaultMaxResponseSize + 64<<10); read.Load() > max {
					t.Errorf("the client read %d bytes in %d answers, more than the cap", read.Load(), rt.calls())
				}
				hint := "hint: no answer came within --timeout 20s: raise --timeout, or check the network, --region and --endpoint-url"
				if tc.name == "endless" {
					hint = "hint: ECR's answers are a few KiB; one over 4 MiB is not from ECR"
				}
				if !strings.Contains(got.stderr, hint) {
					t.Errorf("stderr lacks %q:\n%s", hint, got.stderr)
				}
			})
		})
	}
}

// A status --timeout that runs out says so, not that the credentials are
// wrong, however early it runs out.
func TestStatusTimeoutSaysSo(t *testing.T) {
	for _, timeout := range []string{"1ns", "1ms"} {
		synctest.Test(t, func(t *testing.T) {
			rt := &scripted{answer: hung}
			got := runVia(t.Context(), rt.client(), []string{"--endpoint-url", testEndpoint, "--region", "us-east-1", "status", "--repository", "app", "--tag", "v1", "--timeout", timeout})
			want := "ecr-replication: error: status of app:v1: no answer within --timeout " + timeout + "\n" +
				"ecr-replication: hint: no answer came within --timeout " + timeout + ": raise --timeout, or check the network, --region and --endpoint-url\n"
			if got.code != exitOther || got.stderr != want {
				t.Errorf("--timeout %s: exit code %d, stderr:\n%s\nwant 5 and:\n%s", timeout, got.code, got.stderr, want)
			}
			if !strings.HasPrefix(got.stdout, "❌ app:v1 did not replicate: no answer within --timeout "+timeout+"\n") {
				t.Errorf("--timeout %s: stdout:\n%s", timeout, got.stdout)
			}
		})
	}
}

// Plain HTTP to a host other than this machine is accepted with a warning
// (none with --quiet); loopback and https are accepted silently.
func TestEndpointURLPlainHTTPWarning(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		quiet    bool
		warn     bool
	}{
		{"http://localhost:4566", false, false},
		{"http://127.0.0.1", false, false},
		{"http://[::1]:8080", false, false},
		{"https://ecr.example", false, false},
		{"http://ecr.internal.example", false, true},
		{"http://10.0.0.5:4566/", false, true},
		{"http://10.0.0.5:4566/", true, false},
	} {
		t.Run(fmt.Sprintf("%s quiet=%t", tc.endpoint, tc.quiet), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true)
				push(t, srv, "app", "v1")
				args := []string{"--endpoint-url", tc.endpoint, "--region", srv.Region(), "status", "--repository", "app", "--tag", "v1"}
				if tc.quiet {
					args = append(args, "--quiet")
				}
				got := runVia(t.Context(), srv.HTTPClient(), args)
				if got.code != exitOK {
					t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
				}
				const warning = "is plain HTTP to a host that is not this machine: requests, their signatures and any session token travel unencrypted"
				if strings.Contains(got.stderr, warning) != tc.warn {
					t.Errorf("warning printed = %t, want %t; stderr:\n%s", !tc.warn, tc.warn, got.stderr)
				}
			})
		})
	}
}

// A user name and password in --endpoint-url are never printed, with
// --debug or in errors, and never sent.
func TestEndpointURLUserinfoRedacted(t *testing.T) {
	for _, reachable := range []bool{true, false} {
		t.Run(fmt.Sprintf("reachable=%t", reachable), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true)
				push(t, srv, "app", "v1")
				var sent []*url.URL
				rt := &scripted{answer: func(_ int, req *http.Request) (*http.Response, error) {
					sent = append(sent, req.URL)
					if !reachable {
						return nil, errors.New("connect: connection refused")
					}
					return srv.HTTPClient().Transport.RoundTrip(req)
				}}
				got := runVia(t.Context(), rt.client(), []string{"--endpoint-url", "http://admin:hunter2pass@localhost:4566", "--region", srv.Region(),
					"--debug", "wait", "--repository", "app", "--tag", "v1", "--min-delay", "1s", "--max-delay", "1s", "--output", "json"})
				if want := map[bool]int{true: exitOK, false: exitOther}[reachable]; got.code != want {
					t.Fatalf("exit code %d, want %d; stderr:\n%s", got.code, want, got.stderr)
				}
				for _, secret := range []string{"hunter2pass", "admin"} {
					if strings.Contains(got.stdout+got.stderr, secret) {
						t.Errorf("the output contains %q:\n%s\n%s", secret, got.stderr, got.stdout)
					}
				}
				if !strings.Contains(got.stderr, "warning: --endpoint-url http://REDACTED@localhost:4566: the user name and password are ignored") {
					t.Errorf("stderr does not warn that the user name and password are ignored:\n%s", got.stderr)
				}
				for _, u := range sent {
					if u.User != nil {
						t.Errorf("a request was sent to %s with a user name", u.Redacted())
					}
				}
			})
		})
	}
}

// The SDK's own warnings are printed once each, and not at all with
// --quiet.
func TestSDKWarnings(t *testing.T) {
	for _, quiet := range []bool{false, true} {
		t.Run(fmt.Sprintf("quiet=%t", quiet), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				// The connection is reset in the middle of the first two
				// answers: the SDK warns, twice per answer, that it failed to
				// discard and close the body.
				rt := &scripted{answer: func(n int, req *http.Request) (*http.Response, error) {
					if n >= 3 {
						return reply(req, http.StatusOK, strings.NewReader(statusBody(completeStatuses))), nil
					}
					return reply(req, http.StatusOK, io.MultiReader(strings.NewReader(`{"replicationStatuses":[`), iotest.ErrReader(errors.New("connection reset by peer")))), nil
				}}
				args := []string{"--endpoint-url", testEndpoint, "--region", "us-east-1", "wait", "--repository", "app", "--tag", "v1", "--min-delay", "1s", "--max-delay", "1s"}
				if quiet {
					args = append(args, "--quiet")
				}
				got := runVia(t.Context(), rt.client(), args)
				if got.code != exitOK {
					t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
				}
				want := 1
				if quiet {
					want = 0
				}
				if n := strings.Count(got.stderr, "warning: AWS SDK: failed to discard remaining HTTP response body"); n != want {
					t.Errorf("the SDK's warning is printed %d times, want %d:\n%s", n, want, got.stderr)
				}
				if quiet && got.stderr != "" {
					t.Errorf("stderr with --quiet = %q, want nothing", got.stderr)
				}
			})
		})
	}
}

// schema prints the JSON Schema of the output, which compiles.
func TestSchemaCommand(t *testing.T) {
	got := runWith(t.Context(), []string{"schema"})
	if got.code != exitOK || got.stderr != "" {
		t.Fatalf("exit code %d, stderr %q; want 0 and nothing", got.code, got.stderr)
	}
	file, err := os.ReadFile(filepath.Join("schema", "output.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(file), got.stdout); diff != "" {
		t.Errorf("schema output is not schema/output.schema.json (-want +got):\n%s", diff)
	}
	if _, err := compileSchema([]byte(got.stdout)); err != nil {
		t.Errorf("the schema does not compile: %v", err)
	}
}

// The schema the tests validate against is strict: it rejects documents
// that miss a field, add one, or have one of the wrong type or value, and
// the form of one image without the set.
func TestSchemaRejects(t *testing.T) {
	image := `{"repository":"app","registryId":"","imageDigest":"","imageTag":"v1","outcome":"complete","complete":true,"destinations":[],` +
		`"malformedEntries":0,"since":null,"exitCode":0,"attempts":1,"answers":1,"elapsedSeconds":0.1}`
	doc := `{"images":[` + image + `],"outcome":"complete","complete":true,"exitCode":0,"elapsedSeconds":0.1}`
	if err := validateOutput(doc); err != nil {
		t.Fatalf("a valid document is rejected: %v", err)
	}
	for name, bad := range map[string]string{
		"one image alone":    image,
		"missing field":      strings.Replace(doc, `"answers":1,`, "", 1),
		"missing outcome":    strings.Replace(doc, `"outcome":"complete","complete":true,"exitCode"`, `"complete":true,"exitCode"`, 1),
		"extra field":        strings.Replace(doc, `"answers":1,`, `"answers":1,"extra":1,`, 1),
		"wrong type":         strings.Replace(doc, `"complete":true,"destinations"`, `"complete":"no","destinations"`, 1),
		"unknown outcome":    strings.Replace(doc, `"outcome":"complete","complete":true,"destinations"`, `"outcome":"done","complete":true,"destinations"`, 1),
		"unknown exit code":  strings.Replace(doc, `"exitCode":0,"attempts"`, `"exitCode":7,"attempts"`, 1),
		"bad since":          strings.Replace(doc, `"since":null`, `"since":{"source":"build","time":"2000-01-01T00:00:00Z"}`, 1),
		"bad destination":    strings.Replace(doc, `"destinations":[]`, `"destinations":[{"region":"us-west-2"}]`, 1),
		"bad error code":     strings.Replace(doc, `"exitCode":0,"attempts"`, `"error":{"code":"Oops","message":"x","reason":"x"},"exitCode":5,"attempts"`, 1),
		"error, no reason":   strings.Replace(doc, `"exitCode":0,"attempts"`, `"error":{"code":"Error","message":"x"},"exitCode":5,"attempts"`, 1),
		"set without images": `{"outcome":"complete","complete":true,"exitCode":0,"elapsedSeconds":1}`,
	} {
		if err := validateOutput(bad); err == nil {
			t.Errorf("%s: the schema accepts %s", name, bad)
		}
	}
}
