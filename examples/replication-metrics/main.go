// Command replication-metrics waits for an image to replicate and exports
// how long replication took to each destination as OpenTelemetry metrics.
//
// What to copy: a MeterProvider (here the OpenTelemetry SDK's, with the
// stdout exporter) as the waiter's MeterProvider, and Images set so that
// times count from the push (ecr:DescribeImages). The waiter records
// ecr.replication.duration, a histogram in seconds per destination (the upper
// bound of its replication time), and ecr.replication.polls by outcome;
// Destination.ReplicationTime(report.Since) gives both bounds.
//
//	go run ./examples/replication-metrics   # in-process simulator, about 7 s
//	go run ./examples/replication-metrics -aws -region us-east-1 -repository app -tag v1
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
	"github.com/ecrkit/ecrreplication/examples/internal/demo"
)

func main() { demo.Main(run) }

// simulated: the image replicates to us-west-2, eu-west-1 and ap-southeast-2
// in 1.5, 3.5 and 6.5 s.
var simulated = []ecrtest.DestinationPlan{
	{Region: "us-west-2", Plan: ecrtest.Plan{After: 1500 * time.Millisecond}},
	{Region: "eu-west-1", Plan: ecrtest.Plan{After: 3500 * time.Millisecond}},
	{Region: "ap-southeast-2", Plan: ecrtest.Plan{After: 6500 * time.Millisecond}},
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("replication-metrics", flag.ContinueOnError)
	f := demo.NewWaitFlags(fs, time.Minute)
	if err := fs.Parse(args); err != nil {
		return err
	}
	client, done, err := f.Client(ctx, stdout, simulated...)
	if err != nil {
		return err
	}
	defer done()

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
		if !f.AWS { // simulated replication takes seconds: poll every second
			o.MinDelay, o.MaxDelay = time.Second, time.Second
		}
	})
	report, err := waiter.WaitForReport(ctx, f.Input(), f.MaxWait())
	if report != nil {
		fmt.Fprintf(stdout, "replication of %s, counted from the %s (%s):\n", report.Name(), report.SinceSource, report.Since.UTC().Format(time.RFC3339))
		for _, d := range report.Destinations {
			if lo, hi, ok := d.ReplicationTime(report.Since); ok {
				fmt.Fprintf(stdout, "  %s %s: %s after %v to %v\n", d.Region, d.RegistryID, d.Status, lo.Round(100*time.Millisecond), hi.Round(100*time.Millisecond))
			} else {
				fmt.Fprintf(stdout, "  %s\n", d)
			}
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "metrics:") // Shutdown exports what was recorded
	return provider.Shutdown(ctx)
}
