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

// demoOtherAccount is the demo's cross-account destination.
const demoOtherAccount = "210987654321"

// demoCommand is "ecr-replication demo".
var demoCommand = &command{
	name:     "demo",
	synopsis: "demo [--fail] [--speed N] [global flags]",
	summary:  "show a wait against a simulated ECR in this process (no AWS account needed)",
	help: `
Runs the wait command against a simulated Amazon ECR on a loopback address in
this process, which replicates demo/web-app:v1.0.0 to three regions and to
another account. It needs no AWS account and takes about 7 seconds. --output,
--quiet and --debug apply to the wait.

Examples:
  ecr-replication demo
  ecr-replication demo --fail --output markdown`,
	newFlags: func(fs *flag.FlagSet) func(context.Context, *app, *flag.FlagSet) int {
		fail := fs.Bool("fail", false, "make the cross-account destination fail (exit code 1)")
		speed := fs.Float64("speed", 1, "run `N` times faster (the scripted replication and the poll delays)")
		return func(ctx context.Context, a *app, _ *flag.FlagSet) int { return a.demo(ctx, *fail, *speed) }
	},
	document: true,
}

// demo runs the demo command.
func (a *app) demo(ctx context.Context, fail bool, speed float64) int {
	if !(speed > 0 && speed <= 1000) {
		return a.usageError(fmt.Errorf("--speed %v must be more than 0 and at most 1000", speed))
	}
	scale := func(seconds float64) time.Duration { return time.Duration(seconds * float64(time.Second) / speed) }
	say := func(format string, v ...any) {
		if !a.g.quiet {
			fmt.Fprintf(a.stderr, "demo: "+format+"\n", v...)
		}
	}
	srv := ecrtest.NewServer(func(o *ecrtest.Options) { o.RequireAuth = true })
	defer srv.Close()
	own, rule := srv.AccountID(), types.ReplicationRule{}
	for _, region := range []string{"us-west-2", "eu-west-1", "ap-southeast-2", "us-east-2"} {
		rule.Destinations = append(rule.Destinations, types.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(own)})
	}
	rule.Destinations[3].RegistryId = aws.String(demoOtherAccount)
	cross := ecrtest.Plan{After: scale(5)}
	if fail {
		cross = ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "REPLICATION_FAILED", After: scale(3)}
	}
	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{rule}})
	digest := ""
	if err == nil {
		digest, err = srv.PushImage("demo/web-app", "v1.0.0",
			ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: scale(2)}},
			ecrtest.DestinationPlan{Region: "eu-west-1", Plan: ecrtest.Plan{After: scale(4), HiddenPolls: 1}},
			ecrtest.DestinationPlan{Region: "ap-southeast-2", Plan: ecrtest.Plan{After: scale(6)}},
			ecrtest.DestinationPlan{Region: "us-east-2", RegistryID: demoOtherAccount, Plan: cross})
	}
	if err != nil {
		a.printError([]string{"demo: " + err.Error()})
		return exitOther
	}
	say("started a simulated Amazon ECR at %s (account %s, %s); no AWS account is used", srv.URL, own, srv.Region())
	say("replication rule: every repository -> us-west-2, eu-west-1, ap-southeast-2 (account %s) and us-east-2 (account %s)", own, demoOtherAccount)
	say("pushed demo/web-app:v1.0.0 (%s)", digest)
	if fail {
		say("replication to us-east-2 (account %s) is scripted to fail", demoOtherAccount)
	}
	args := []string{"--endpoint-url", srv.URL, "--region", srv.Region(), "--repository", "demo/web-app", "--tag", "v1.0.0",
		"--expect-from-registry", "--timeout", scale(15).String(), "--min-delay", scale(0.5).String(), "--max-delay", scale(2).String()}
	say("running: %s wait %s", programName, strings.Join(args, " "))
	args = append(args, "--output", a.g.output, fmt.Sprintf("--quiet=%t", a.g.quiet), fmt.Sprintf("--debug=%t", a.g.debug))
	// The real wait command, with static test credentials instead of the
	// user's AWS configuration.
	env := a.env
	env.loadConfig = func(_ context.Context, g *globals) (aws.Config, error) {
		return aws.Config{Region: g.region, Credentials: aws.NewCredentialsCache(ecrtest.Credentials())}, nil
	}
	wait := &app{env: env, stdout: a.stdout, stderr: a.stderr, g: defaultGlobals()}
	return wait.runCommand(ctx, waitCommand, args)
}
