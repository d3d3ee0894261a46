// Command describe prints the replication status of one ECR image, one line
// per destination.
//
// What to copy: build the client with ecrreplication.WithErrorMapping and call
// ecrreplication.Describe. It validates the input before sending anything and
// returns a *Report whose Destinations are sorted by region, with Complete,
// Pending and Failed for the decisions a service makes.
//
// By default it runs against an in-process ecrtest simulator (no AWS account):
//
//	go run ./examples/describe
//
// With -aws it loads your AWS configuration (environment, shared files, IAM
// role) and needs ecr:DescribeImageReplicationStatus:
//
//	go run ./examples/describe -aws -region us-east-1 -repository app -tag v1
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

func main() {
	err := run(context.Background(), os.Args[1:], os.Stdout)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "describe:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("describe", flag.ContinueOnError)
	useAWS := fs.Bool("aws", false, "call real AWS instead of the in-process simulator")
	region := fs.String("region", "", "AWS region (default: from the AWS configuration)")
	registryID := fs.String("registry-id", "", "source registry ID (default: your own registry)")
	repository := fs.String("repository", "app", "repository name")
	tag := fs.String("tag", "v1", "image tag")
	digest := fs.String("digest", "", "image digest (sha256:...), used instead of -tag")
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
	} else {
		srv := ecrtest.NewInMemoryServer()
		defer srv.Close()
		if err := simulate(srv, *repository, *tag); err != nil {
			return fmt.Errorf("simulator: %w", err)
		}
		fmt.Fprintf(stdout, "simulator: pushed %s:%s to registry %s, replicating to 3 destinations\n", *repository, *tag, srv.AccountID())
		client = srv.Client(ecrreplication.WithErrorMapping)
	}

	params := &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String(*repository),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String(*tag)},
	}
	if *digest != "" {
		params.ImageId = &types.ImageIdentifier{ImageDigest: aws.String(*digest)}
	}
	if *registryID != "" {
		params.RegistryId = aws.String(*registryID)
	}
	report, err := ecrreplication.Describe(ctx, client, params)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "%s:%s@%s\n", report.Repository, report.ImageTag, report.ImageDigest)
	for _, d := range report.Destinations {
		fmt.Fprintf(stdout, "  %s\n", d)
	}
	fmt.Fprintf(stdout, "complete=%t pending=%d failed=%d\n", report.Complete(), len(report.Pending()), len(report.Failed()))
	return nil
}
