package main

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/google/go-cmp/cmp"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// update rewrites the golden files: go test -run TestGolden -update.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenCase is a run whose text and Markdown outputs are golden files.
type goldenCase struct {
	name string
	code int
	// args are the command line, run against a server that push has
	// filled; cancelAfter, when set, interrupts the run then.
	args        []string
	push        func(t *testing.T, srv *ecrtest.Server)
	server      func(o *ecrtest.Options)
	env         func(*environment)
	cancelAfter time.Duration
}

// never is the plan of a destination that never completes.
var never = ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}

// goldenCases are the six-outcome set of issue 20 (3 replicated, 1 FAILED,
// 1 timed out, 1 not found) and one image of each outcome.
var goldenCases = []goldenCase{
	{
		name: "six-outcomes", code: exitNotFound,
		// No request waits for the rate limit or a slot (no DescribeImages
		// calls): the times are exact.
		args: setArgs([]string{"team/api:v1", "broken:v1", "team/web:v1", "slow:v1", "nosuch:v1", "team/db:v1"}, "--timeout", "8s", "--concurrency", "6", "--since", "wait-start"),
		push: func(t *testing.T, srv *ecrtest.Server) {
			push(t, srv, "team/api", "v1")
			push(t, srv, "team/web", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{AfterPolls: 3}})
			push(t, srv, "team/db", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: 4500 * time.Millisecond}})
			push(t, srv, "broken", "v1", failedOn...)
			push(t, srv, "slow", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: never})
		},
	},
	{name: "complete", code: exitOK, args: waitArgs(), push: pushApp()},
	{name: "complete-before-the-wait", code: exitOK, args: waitArgs("--since", "wait-start"), push: func(t *testing.T, srv *ecrtest.Server) {
		push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{AfterPolls: 3}},
			ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{AfterPolls: 0}})
	}},
	{name: "failed", code: exitFailed, args: waitArgs(), push: pushApp(failedOn...)},
	{name: "no-replication-rule", code: exitFailed, args: waitArgs("--expect-from-registry"), push: pushApp(), server: func(o *ecrtest.Options) { o.RequireAuth = false }},
	{name: "timeout", code: exitTimeout, args: waitArgs("--timeout", "4s"), push: pushApp(ecrtest.DestinationPlan{Region: "us-west-2", Plan: never})},
	{name: "not-found", code: exitNotFound, args: waitArgs(), push: func(*testing.T, *ecrtest.Server) {}},
	{name: "error", code: exitOther, args: waitArgs(), push: pushApp(), server: func(o *ecrtest.Options) { o.RequireAuth = true }, env: func(e *environment) {
		e.configOptions = []func(*config.LoadOptions) error{config.WithCredentialsProvider(aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: ecrtest.AccessKeyID, SecretAccessKey: "wrong-secret"}, nil
		}))}
	}},
	{name: "invalid-input", code: exitUsage, args: waitArgs("--expect-from-registry", "--registry-id", otherAccount), push: pushApp()},
	{name: "invalid-input-usage", code: exitUsage, args: setArgs([]string{"Team/api:v1", "ghcr.io/team/api:v1"}, "--timeout", "0s"), push: pushApp()},
	{name: "interrupted", code: exitInterrupted, args: waitArgs(), push: pushApp(ecrtest.DestinationPlan{Region: "us-west-2", Plan: never}), cancelAfter: 2500 * time.Millisecond},
	// One request at a time: app:v1 fails at its first poll, before slow:v1's.
	{name: "skipped", code: exitFailed, args: setArgs([]string{"app:v1", "slow:v1"}, "--fail-fast", "--concurrency", "1"), push: func(t *testing.T, srv *ecrtest.Server) {
		push(t, srv, "app", "v1", ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: otherAccount, Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "ACCESS_DENIED", AfterPolls: 1}})
		push(t, srv, "slow", "v1", ecrtest.DestinationPlan{Region: "us-west-2", Plan: never})
	}},
	{name: "in-progress", code: exitOK, args: []string{"status", "--repository", "app", "--tag", "v1"}, push: pushApp(ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{AfterPolls: 0}})},
}

// wrongWords are what no output says: a wrong plural, the AWS SDK's
// wrapping of an answer, "≤" for a destination complete before the wait.
var wrongWords = regexp.MustCompile(`\b1 (image|destination|poll|attempt|problem|change)s\b|StatusCode|RequestID|https response error|operation error|≤ 0\.[01] s`)

// pushApp pushes app:v1 with plans.
func pushApp(plans ...ecrtest.DestinationPlan) func(*testing.T, *ecrtest.Server) {
	return func(t *testing.T, srv *ecrtest.Server) { push(t, srv, "app", "v1", plans...) }
}

// The text and the Markdown of each golden case are its files in
// testdata/golden, byte for byte; the Markdown passes checkMarkdown.
func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		for format, ext := range map[string]string{"text": ".txt", "markdown": ".md"} {
			t.Run(tc.name+ext, func(t *testing.T) {
				var got ran
				synctest.Test(t, func(t *testing.T) {
					var opts []func(*ecrtest.Options)
					if tc.server != nil {
						opts = append(opts, tc.server)
					}
					srv := newServer(t, true, opts...)
					if tc.name == "no-replication-rule" {
						srv = ecrtest.NewInMemoryServer()
						t.Cleanup(srv.Close)
					}
					tc.push(t, srv)
					ctx, cancel := context.WithCancel(t.Context())
					defer cancel()
					if tc.cancelAfter > 0 {
						time.AfterFunc(tc.cancelAfter, cancel)
					}
					var env []func(*environment)
					if tc.env != nil {
						env = append(env, tc.env)
					}
					got = runAgainst(ctx, srv, append(tc.args, "--output", format, "--quiet"), env...)
				})
				if got.code != tc.code {
					t.Errorf("exit code %d, want %d; stderr:\n%s", got.code, tc.code, got.stderr)
				}
				if format == "markdown" {
					checkMarkdown(t, got.stdout)
				}
				if m := wrongWords.FindString(got.stdout + got.stderr); m != "" {
					t.Errorf("the output says %q:\n%s\n%s", m, got.stdout, got.stderr)
				}
				file := filepath.Join("testdata", "golden", tc.name+ext)
				if *update {
					if err := os.WriteFile(file, []byte(got.stdout), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(string(want), got.stdout); diff != "" {
					t.Errorf("%s (-want +got):\n%s", file, diff)
				}
			})
		}
	}
}
