// Command wait-rollout waits until a freshly pushed image has replicated to
// every destination, then "rolls it out" there by digest; it exits 1 if not.
//
// What to copy: a waiter with Registry set, so that the replication rules
// name the destinations (this needs ecr:DescribeRegistry), and WaitForReport.
// errors.Is tells ErrReplicationFailed, ErrWaitTimeout and ErrNoReplication
// apart, and the *ecrreplication.WaitError holds the last report.
//
//	go run ./examples/wait-rollout -simulate failed   # complete (default), failed, timeout or none
//	go run ./examples/wait-rollout -aws -region us-east-1 -repository app -tag v1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
	"github.com/ecrkit/ecrreplication/examples/internal/demo"
)

func main() { demo.Main(run) }

// euPlans are the simulator's plans for eu-west-1, in another account, by
// -simulate value; us-west-2 completes after 1.5 s. With "none" there is no
// replication rule.
var euPlans = map[string]ecrtest.Plan{
	"complete": {After: 2500 * time.Millisecond, HiddenPolls: 1}, // listed from the second poll on
	"failed":   {After: 1500 * time.Millisecond, Outcome: types.ReplicationStatusFailed},
	"timeout":  {Outcome: types.ReplicationStatusInProgress},
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("wait-rollout", flag.ContinueOnError)
	f := demo.NewWaitFlags(fs, 5*time.Second)
	scenario := fs.String("simulate", "complete", "simulated outcome: complete, failed, timeout or none")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var plans []ecrtest.DestinationPlan
	if eu, ok := euPlans[*scenario]; ok {
		plans = []ecrtest.DestinationPlan{{Region: "us-west-2", Plan: ecrtest.Plan{After: 1500 * time.Millisecond}}, {Region: "eu-west-1", RegistryID: "210987654321", Plan: eu}}
	} else if *scenario != "none" {
		return fmt.Errorf("unknown scenario %q", *scenario)
	}
	client, done, err := f.Client(ctx, stdout, plans...)
	if err != nil {
		return err
	}
	defer done()

	waiter := ecrreplication.NewImageReplicationCompleteWaiter(client, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.Registry = client // expect every destination the replication rules name
		o.OnProgress = func(r ecrreplication.Report) { fmt.Fprintf(stdout, "  poll %d: %q\n", r.Attempts, r.Destinations) }
		if !f.AWS { // simulated replication takes seconds: poll every second
			o.MinDelay, o.MaxDelay = time.Second, time.Second
		}
	})
	fmt.Fprintf(stdout, "waiting up to %v for %s:%s to replicate\n", f.MaxWait(), f.Repository, f.Tag)
	report, err := waiter.WaitForReport(ctx, f.Input(), f.MaxWait())
	var we *ecrreplication.WaitError
	switch {
	case err == nil:
		for _, d := range report.Destinations { // by digest: the tag may move during the rollout
			fmt.Fprintf(stdout, "rolling out to %s: %s.dkr.ecr.%s.amazonaws.com/%s@%s\n", d.Region, d.RegistryID, d.Region, report.Repository, report.ImageDigest)
		}
		return nil
	case !errors.As(err, &we):
		return err // invalid input: nothing was sent
	case errors.Is(err, ecrreplication.ErrReplicationFailed):
		fmt.Fprintf(stdout, "not rolling out: replication failed to %q\n", we.Last.Failed())
	case errors.Is(err, ecrreplication.ErrWaitTimeout):
		fmt.Fprintf(stdout, "not rolling out: still pending: %q\n", we.Last.Pending())
	case errors.Is(err, ecrreplication.ErrNoReplication):
		fmt.Fprintf(stdout, "not rolling out: no replication rule covers %s\n", f.Repository)
	}
	fmt.Fprintf(stdout, "gave up after %d polls in %v\n", we.Attempts, we.Elapsed.Round(time.Millisecond))
	return err
}
