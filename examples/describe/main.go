// Command describe prints the replication status of one ECR image, one line
// per destination.
//
// What to copy: ecrreplication.Describe on a client made with
// ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping). It validates the
// input before sending anything and returns a *Report, its Destinations
// sorted by region, with Complete, Pending and Failed.
//
//	go run ./examples/describe   # in-process simulator, no AWS account
//	go run ./examples/describe -aws -region us-east-1 -repository app -tag v1   # ecr:DescribeImageReplicationStatus
package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
	"github.com/ecrkit/ecrreplication/examples/internal/demo"
)

func main() { demo.Main(run) }

// simulated: on the first poll us-west-2 is COMPLETE, eu-west-1 (another
// account) IN_PROGRESS and ap-southeast-2 FAILED.
var simulated = []ecrtest.DestinationPlan{
	{Region: "us-west-2"},
	{Region: "eu-west-1", RegistryID: "210987654321", Plan: ecrtest.DefaultPlan()},
	{Region: "ap-southeast-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed}},
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("describe", flag.ContinueOnError)
	f := demo.NewFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	client, done, err := f.Client(ctx, stdout, simulated...)
	if err != nil {
		return err
	}
	defer done()

	report, err := ecrreplication.Describe(ctx, client, f.Input())
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, report.Name())
	for _, d := range report.Destinations {
		fmt.Fprintf(stdout, "  %s\n", d)
	}
	fmt.Fprintf(stdout, "complete=%t pending=%d failed=%d\n", report.Complete(), len(report.Pending()), len(report.Failed()))
	return nil
}
