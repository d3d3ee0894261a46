// Command replication-metrics waits for an image to replicate and exports how
// long replication took to each destination as OpenTelemetry metrics, here
// with the stdout exporter.
//
// What to copy: an OpenTelemetry MeterProvider (from the SDK, with the
// exporter of your choice: OTLP, Prometheus, stdout) given to the waiter as
// MeterProvider; Images set, so that replication times count from the
// image's push (this needs ecr:DescribeImages; without it they count from the
// wait's start). The waiter records, when the wait ends:
//
//   - ecr.replication.duration, a histogram in seconds per destination
//     (attributes ecr.destination.region, ecr.destination.registry_id,
//     ecr.replication.outcome, ecr.replication.since): the upper bound of
//     the replication time, the instant the first poll that saw the
//     destination COMPLETE (or FAILED) answered;
//   - ecr.replication.polls, a counter of polls by ecr.poll.outcome
//     (answered, throttled, error).
//
// The report gives the full interval: Destination.ReplicationTime(report.Since).
//
// By default it runs against an in-process ecrtest simulator:
//
//	go run ./examples/replication-metrics
//
// With -aws it waits on your registry:
//
//	go run ./examples/replication-metrics -aws -region us-east-1 -repository app -tag v1
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
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "replication-metrics:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("replication-metrics", flag.ContinueOnError)
	useAWS := fs.Bool("aws", false, "call real AWS instead of the in-process simulator")
	region := fs.String("region", "", "AWS region of the source registry (default: from the AWS configuration)")
	repository := fs.String("repository", "app", "repository name")
	tag := fs.String("tag", "v1", "image tag")
	maxWait := fs.Duration("max-wait", 0, "longest wait (default 15m with -aws, 1m with the simulator)")
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
		if err := simulate(srv, *repository, *tag); err != nil {
			return fmt.Errorf("simulator: %w", err)
		}
		client = srv.Client(ecrreplication.WithErrorMapping)
		*maxWait = cmp.Or(*maxWait, time.Minute)
	}

	// The OpenTelemetry SDK with the stdout exporter; Shutdown exports what
	// was recorded.
	exporter, err := stdoutmetric.New(stdoutmetric.WithWriter(stdout), stdoutmetric.WithPrettyPrint())
	if err != nil {
		return err
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exporter)))
	defer func() { _ = provider.Shutdown(context.WithoutCancel(ctx)) }()

	waiter := ecrreplication.NewImageReplicationCompleteWaiter(client, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.Registry = client // expect every destination of the replication rules
		o.Images = client   // count from the push (ecr:DescribeImages)
		o.MeterProvider = provider
	})
	report, err := waiter.WaitForReport(ctx, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String(*repository),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String(*tag)},
	}, *maxWait)
	if report != nil {
		fmt.Fprintf(stdout, "replication of %s:%s, counted from the %s (%s):\n", *repository, *tag, report.SinceSource, report.Since.UTC().Format(time.RFC3339))
		for _, d := range report.Destinations {
			if lo, hi, ok := d.ReplicationTime(report.Since); ok {
				fmt.Fprintf(stdout, "  %s %s: COMPLETE after %v to %v\n", d.Region, d.RegistryID, lo.Round(100*time.Millisecond), hi.Round(100*time.Millisecond))
			} else {
				fmt.Fprintf(stdout, "  %s\n", d)
			}
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "metrics:")
	return provider.Shutdown(ctx)
}
