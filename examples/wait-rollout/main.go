// Command wait-rollout waits until a freshly pushed image has replicated to
// every destination region, then "rolls it out" there by digest.
//
// What to copy: NewImageReplicationCompleteWaiter with Registry set, so the
// destinations come from the registry's replication rules (this needs
// ecr:DescribeRegistry as well as ecr:DescribeImageReplicationStatus), then
// WaitForReport. On failure, errors.Is tells ErrReplicationFailed,
// ErrWaitTimeout and ErrNoReplication apart and errors.As reaches the
// *ecrreplication.WaitError with the last report. It exits 1 when it does
// not roll out.
//
// By default it runs against an in-process ecrtest simulator in a few seconds;
// -simulate picks the outcome (complete, failed, timeout or none):
//
//	go run ./examples/wait-rollout
//	go run ./examples/wait-rollout -simulate failed
//
// With -aws it waits on your registry (up to 15 minutes by default):
//
//	go run ./examples/wait-rollout -aws -region us-east-1 -repository app -tag v1
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "wait-rollout:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("wait-rollout", flag.ContinueOnError)
	useAWS := fs.Bool("aws", false, "call real AWS instead of the in-process simulator")
	region := fs.String("region", "", "AWS region of the source registry (default: from the AWS configuration)")
	repository := fs.String("repository", "app", "repository name")
	tag := fs.String("tag", "v1", "image tag")
	maxWait := fs.Duration("max-wait", 0, "longest wait (default 15m with -aws, 5s with the simulator)")
	scenario := fs.String("simulate", "complete", "simulated outcome: complete, failed, timeout or none")
	if err := fs.Parse(args); err != nil {
		return err
	}

	var client *ecr.Client
	if *useAWS {
		var opts []func(*config.LoadOptions) error
		if *region != "" {
			opts = append(opts, config.WithRegion(*region))
		}
		cfg, err := config.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return fmt.Errorf("loading AWS configuration: %w", err)
		}
		client = ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping)
		*maxWait = cmp.Or(*maxWait, 15*time.Minute)
	} else {
		srv := ecrtest.NewInMemoryServer()
		defer srv.Close()
		if err := simulate(srv, *scenario, *repository, *tag); err != nil {
			return fmt.Errorf("simulator: %w", err)
		}
		fmt.Fprintf(stdout, "simulator: pushed %s:%s (scenario %q)\n", *repository, *tag, *scenario)
		client = srv.Client(ecrreplication.WithErrorMapping)
		*maxWait = cmp.Or(*maxWait, 5*time.Second)
	}

	var last string
	waiter := ecrreplication.NewImageReplicationCompleteWaiter(client, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.Registry = client // expect every destination the replication rules name
		o.OnProgress = func(r ecrreplication.Report) {
			if line := join(r.Destinations); line != last {
				fmt.Fprintf(stdout, "  status: %s\n", line)
				last = line
			}
		}
		if !*useAWS { // simulated replication takes seconds, not minutes
			o.MinDelay, o.MaxDelay = 200*time.Millisecond, time.Second
		}
	})

	fmt.Fprintf(stdout, "waiting up to %v for %s:%s to replicate\n", *maxWait, *repository, *tag)
	report, err := waiter.WaitForReport(ctx, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String(*repository),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String(*tag)},
	}, *maxWait)
	if err == nil {
		for _, d := range report.Destinations {
			// Deploy by digest: the tag may move while the rollout runs.
			fmt.Fprintf(stdout, "rolling out to %s: %s.dkr.ecr.%s.amazonaws.com/%s@%s\n",
				d.Region, d.RegistryID, d.Region, report.Repository, report.ImageDigest)
		}
		return nil
	}

	var we *ecrreplication.WaitError
	if !errors.As(err, &we) {
		return err // invalid input: nothing was sent
	}
	fmt.Fprintf(stdout, "gave up after %d polls in %v\n", we.Attempts, we.Elapsed.Round(time.Millisecond))
	switch {
	case errors.Is(err, ecrreplication.ErrReplicationFailed):
		fmt.Fprintf(stdout, "not rolling out: replication failed to %s\n", join(we.Last.Failed()))
	case errors.Is(err, ecrreplication.ErrWaitTimeout):
		fmt.Fprintf(stdout, "not rolling out: still pending: %s\n", join(we.Last.Pending()))
	case errors.Is(err, ecrreplication.ErrNoReplication):
		fmt.Fprintf(stdout, "not rolling out: no replication rule covers %s\n", *repository)
	}
	return err
}

func join(ds []ecrreplication.Destination) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, ", ")
}
