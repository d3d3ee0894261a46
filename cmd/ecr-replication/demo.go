package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// The demo's image and its cross-account destination.
const (
	demoRepository   = "demo/web-app"
	demoTag          = "v1.0.0"
	demoOtherAccount = "210987654321"
)

// demoSettings are the demo command's flags.
type demoSettings struct {
	fail  bool
	speed float64
}

// demoCommand is "ecr-replication demo".
var demoCommand = &command{
	name:     "demo",
	synopsis: "demo [--fail] [--speed N] [global flags]",
	summary:  "show a wait against a simulated ECR in this process (no AWS account needed)",
	help: `
Starts a simulated Amazon ECR (package ecrtest) on a loopback address in this
process, configures replication of every repository to us-west-2, eu-west-1
and ap-southeast-2 in the same account and to us-east-2 in account
210987654321, pushes demo/web-app:v1.0.0, and then runs the real wait command
against it with --endpoint-url and static test credentials, with the progress
you would see in a pipeline, and each destination's replication time counted
from the push (--since push). It needs no AWS account and no internet
connection, and reads no AWS configuration. It takes about 7 seconds at --speed 1.

With --fail the cross-account destination fails, and the exit code is 1.
--output, --quiet and --debug apply to the wait as usual.

Examples:
  ecr-replication demo
  ecr-replication demo --fail
  ecr-replication demo --speed 10 --output json`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		var s demoSettings
		fs.BoolVar(&s.fail, "fail", false, "make the cross-account destination fail (exit code 1)")
		fs.Float64Var(&s.speed, "speed", 1, "run `N` times faster (the scripted replication and the poll delays)")
		return func(ctx context.Context, a *app, _ *flag.FlagSet) int {
			return a.demo(ctx, s)
		}
	},
}

// demo runs the demo command.
func (a *app) demo(ctx context.Context, s demoSettings) int {
	if !(s.speed > 0 && s.speed <= 1000) {
		return a.usageError(fmt.Errorf("--speed %v must be more than 0 and at most 1000", s.speed))
	}
	scale := func(d time.Duration) time.Duration { return time.Duration(float64(d) / s.speed) }

	srv := ecrtest.NewServer(func(o *ecrtest.Options) { o.RequireAuth = true })
	defer srv.Close()
	say := func(format string, v ...any) {
		if !a.g.quiet {
			fmt.Fprintf(a.stderr, "demo: "+format+"\n", v...)
		}
	}
	own := srv.AccountID()
	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{
			Destinations: []types.ReplicationDestination{
				{Region: aws.String("us-west-2"), RegistryId: aws.String(own)},
				{Region: aws.String("eu-west-1"), RegistryId: aws.String(own)},
				{Region: aws.String("ap-southeast-2"), RegistryId: aws.String(own)},
				{Region: aws.String("us-east-2"), RegistryId: aws.String(demoOtherAccount)},
			},
		}},
	})
	if err != nil {
		a.printError(errorLines(fmt.Errorf("demo: configuring replication: %w", err)), "")
		return exitOther
	}
	cross := ecrtest.Plan{After: scale(5 * time.Second)}
	if s.fail {
		cross = ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "REPLICATION_FAILED", After: scale(3 * time.Second)}
	}
	digest, err := srv.PushImage(demoRepository, demoTag,
		ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: scale(2 * time.Second)}},
		ecrtest.DestinationPlan{Region: "eu-west-1", Plan: ecrtest.Plan{After: scale(4 * time.Second), HiddenPolls: 1}},
		ecrtest.DestinationPlan{Region: "ap-southeast-2", Plan: ecrtest.Plan{After: scale(6 * time.Second)}},
		ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: demoOtherAccount, Plan: cross},
	)
	if err != nil {
		a.printError(errorLines(fmt.Errorf("demo: pushing the image: %w", err)), "")
		return exitOther
	}

	say("started a simulated Amazon ECR at %s (account %s, %s); no AWS account is used", srv.URL, own, srv.Region())
	say("replication rule: every repository -> us-west-2, eu-west-1, ap-southeast-2 (account %s) and us-east-2 (account %s)", own, demoOtherAccount)
	say("pushed %s:%s (%s)", demoRepository, demoTag, digest)
	if s.fail {
		say("replication to us-east-2 (account %s) is scripted to fail", demoOtherAccount)
	}

	args := []string{
		"--endpoint-url", srv.URL, "--region", srv.Region(),
		"--repository", demoRepository, "--tag", demoTag, "--expect-from-registry", "--since", "push",
		"--timeout", scale(15 * time.Second).String(),
		"--min-delay", scale(500 * time.Millisecond).String(),
		"--max-delay", scale(2 * time.Second).String(),
	}
	say("running: %s wait %s", programName, strings.Join(args, " "))
	args = append(args, "--output", a.g.output)
	if a.g.quiet {
		args = append(args, "--quiet")
	}
	if a.g.debug {
		args = append(args, "--debug")
	}

	// The real wait command, with static test credentials instead of the
	// user's AWS configuration.
	env := a.env
	env.loadConfig = func(_ context.Context, g *globals) (aws.Config, error) {
		return aws.Config{Region: g.region, Credentials: aws.NewCredentialsCache(ecrtest.Credentials())}, nil
	}
	wait := &app{env: env, stdout: a.stdout, stderr: a.stderr, g: defaultGlobals()}
	return wait.runCommand(ctx, waitCommand, args)
}
