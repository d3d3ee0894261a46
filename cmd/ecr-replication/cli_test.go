package main

import (
	"context"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// status prints the table once and exits 0 even though replication is not complete.
func TestStatus(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		digest := push(t, srv, "app", "v1")
		got := runAgainst(t.Context(), srv, []string{"status", "--repository", "app", "--digest", digest})
		if got.code != exitOK {
			t.Fatalf("exit code %d, want 0; stderr:\n%s", got.code, got.stderr)
		}
		want := "" +
			"REGION     REGISTRY      STATUS       FAILURE CODE\n" +
			"us-east-2  210987654321  IN_PROGRESS  -\n" +
			"us-west-2  123456789012  IN_PROGRESS  -\n"
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
				want := map[string]any{
					"repository":  "app",
					"registryId":  ecrtest.DefaultAccountID,
					"imageDigest": digest,
					"imageTag":    "v1",
					"complete":    false,
					"destinations": dests(
						dest("us-east-2", otherAccount, "IN_PROGRESS", ""),
						dest("us-west-2", ecrtest.DefaultAccountID, "COMPLETE", ""),
					),
					"exitCode":       0.0,
					"attempts":       1.0,
					"elapsedSeconds": 0.0,
				}
				if diff := cmp.Diff(want, decodeJSON(t, got.stdout)); diff != "" {
					t.Errorf("JSON output (-want +got):\n%s", diff)
				}
			})
		})
	}
}

// A missing image exits 4 with the service's error and a hint.
func TestStatusNotFound(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(t, true)
		push(t, srv, "app", "v1")
		got := runAgainst(t.Context(), srv, []string{"status", "--repository", "app", "--tag", "v9"})
		if got.code != exitNotFound {
			t.Fatalf("exit code %d, want 4; stderr:\n%s", got.code, got.stderr)
		}
		if got.stdout != "" {
			t.Errorf("stdout = %q, want nothing", got.stdout)
		}
		if !strings.Contains(got.stderr, "ImageNotFoundException") || !strings.Contains(got.stderr, "hint: check --tag or --digest") {
			t.Errorf("stderr does not explain:\n%s", got.stderr)
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
		{"unknown command", []string{"wiat"}, `unknown command "wiat"`},
		{"unknown flag", []string{"wait", "--repo", "app"}, "flag provided but not defined: -repo"},
		{"unknown global flag", []string{"--outptu", "json", "wait"}, "flag provided but not defined: -outptu"},
		{"positional argument", []string{"status", "--repository", "app", "--tag", "v1", "extra"}, `unexpected argument "extra"`},
		{"upper-case repository", []string{"wait", "--repository", "Foo", "--tag", "v1"}, `repository name (--repository) "Foo" must be lower case: `},
		{"missing repository", []string{"status", "--tag", "v1"}, "repository name (--repository) is required"},
		{"missing image", []string{"wait", "--repository", "app"}, "--tag or --digest is required"},
		{"empty tag", []string{"status", "--repository", "app", "--tag", ""}, `image tag (--tag) "" must be`},
		{"bad digest", []string{"wait", "--repository", "app", "--digest", "sha256:xyz"}, `image digest (--digest) "sha256:xyz"`},
		{"bad registry ID", []string{"status", "--repository", "app", "--tag", "v1", "--registry-id", "12"}, `registry ID (--registry-id) "12"`},
		{"zero timeout", []string{"wait", "--repository", "app", "--tag", "v1", "--timeout", "0s"}, "--timeout 0s must be greater than zero"},
		{"bad timeout", []string{"wait", "--repository", "app", "--tag", "v1", "--timeout", "soon"}, `invalid value "soon" for flag -timeout`},
		{"delays reversed", []string{"wait", "--repository", "app", "--tag", "v1", "--min-delay", "5s", "--max-delay", "1s"}, "--max-delay 1s must not be less than --min-delay 5s"},
		{"bad expect", []string{"wait", "--repository", "app", "--tag", "v1", "--expect", "US-WEST-2"}, `"US-WEST-2" is not REGION[:ACCOUNT]`},
		{"bad expect account", []string{"wait", "--repository", "app", "--tag", "v1", "--expect", "us-west-2:abc"}, "12-digit account ID"},
		{"both expectations", []string{"wait", "--repository", "app", "--tag", "v1", "--expect", "us-west-2", "--expect-from-registry"}, "exclude each other"},
		{"bad output", []string{"status", "--repository", "app", "--tag", "v1", "--output", "yaml"}, `--output "yaml" is not a known format`},
		{"bad endpoint", []string{"status", "--repository", "app", "--tag", "v1", "--endpoint-url", "localhost:4566"}, "--endpoint-url"},
		{"bad speed", []string{"demo", "--speed", "0"}, "--speed 0 must be more than 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := ecrtest.NewInMemoryServer()
			defer srv.Close()
			got := runWith(t.Context(), tc.args, func(e *environment) {
				e.httpClient = srv.HTTPClient()
				e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(ecrtest.Credentials()), config.WithRegion("us-east-1"), config.WithBaseEndpoint("http://ecrtest.invalid")}
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
			if n := srv.CallCount(""); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

// With --output json, a usage error is a JSON document too.
func TestUsageErrorJSON(t *testing.T) {
	got := runWith(t.Context(), []string{"wait", "--output", "json", "--repository", "Foo", "--tag", "v1"})
	if got.code != exitUsage {
		t.Fatalf("exit code %d, want 2", got.code)
	}
	doc := decodeJSON(t, got.stdout)
	want := map[string]any{
		"repository":   "Foo",
		"registryId":   "",
		"imageDigest":  "",
		"imageTag":     "v1",
		"complete":     false,
		"destinations": []any{},
		"error": map[string]any{
			"code":    "InvalidInput",
			"message": doc["error"].(map[string]any)["message"], // checked below
		},
		"exitCode":       2.0,
		"attempts":       0.0,
		"elapsedSeconds": 0.0,
	}
	if diff := cmp.Diff(want, doc); diff != "" {
		t.Errorf("JSON output (-want +got):\n%s", diff)
	}
	if msg := doc["error"].(map[string]any)["message"].(string); !strings.HasPrefix(msg, `repository name (--repository) "Foo" must be lower case`) {
		t.Errorf("error.message = %q", msg)
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
			args := append([]string{"status", "--repository", "app", "--tag", "v1", "--endpoint-url", "http://ecrtest.invalid"}, tc.args...)
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
		{"no credentials", "status", none, "", "hint: no usable AWS credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				srv := newServer(t, true, func(o *ecrtest.Options) { o.RequireAuth = true })
				push(t, srv, "app", "v1")
				got := runAgainst(t.Context(), srv, []string{tc.cmd, "--repository", "app", "--tag", "v1", "--output", "json"}, tc.env)
				if got.code != exitOther {
					t.Fatalf("exit code %d, want 5; stderr:\n%s", got.code, got.stderr)
				}
				e := decodeJSON(t, got.stdout)["error"].(map[string]any)
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
		for _, want := range []string{"debug:", "DescribeImageReplicationStatus POST http://ecrtest.invalid/: HTTP 500", "DescribeRegistry POST http://ecrtest.invalid/: HTTP 200"} {
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
		{"status", "--help"}, {"wait", "--help"}, {"demo", "--help"},
		{"help", "wait"}, {"--help", "wait"},
	} {
		got := runWith(t.Context(), args)
		if got.code != exitOK {
			t.Errorf("%q: exit code %d, want 0", args, got.code)
		}
		for _, want := range []string{"Usage: ecr-replication", "Examples:", "Exit codes:", "--output format"} {
			if !strings.Contains(got.stdout, want) {
				t.Errorf("%q: help lacks %q:\n%s", args, want, got.stdout)
			}
		}
	}
	got := runWith(t.Context(), []string{"wait", "--help"})
	for _, want := range []string{`"elapsedSeconds"`, "--expect REGION[:ACCOUNT],...", "--timeout duration"} {
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
