// Command not-found shows how to tell "image not found" and "repository not
// found" apart from other ECR errors.
//
// What to copy: compare with errors.Is against ecrreplication.ErrImageNotFound
// and ErrRepositoryNotFound. Errors from ecrreplication.Describe are mapped
// already; a client built with ecrreplication.WithErrorMapping maps the errors
// of its own calls too. The SDK's typed error stays in the chain, so errors.As
// still reaches *types.ImageNotFoundException and its message.
//
// By default it looks up three images in an in-process ecrtest simulator: one
// that exists, one missing tag and one missing repository.
//
//	go run ./examples/not-found
//
// With -aws it looks up one image in your registry:
//
//	go run ./examples/not-found -aws -region us-east-1 -repository app -tag no-such-tag
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
		fmt.Fprintln(os.Stderr, "not-found:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("not-found", flag.ContinueOnError)
	useAWS := fs.Bool("aws", false, "call real AWS instead of the in-process simulator")
	region := fs.String("region", "", "AWS region (default: from the AWS configuration)")
	repository := fs.String("repository", "app", "repository name (with -aws)")
	tag := fs.String("tag", "v1", "image tag (with -aws)")
	if err := fs.Parse(args); err != nil {
		return err
	}

	if *useAWS {
		var opts []func(*config.LoadOptions) error
		if *region != "" {
			opts = append(opts, config.WithRegion(*region))
		}
		cfg, err := config.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return fmt.Errorf("loading AWS configuration: %w", err)
		}
		return lookup(ctx, ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping), *repository, *tag, stdout)
	}

	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	if _, err := srv.PushImage("app", "v1"); err != nil {
		return fmt.Errorf("simulator: %w", err)
	}
	fmt.Fprintln(stdout, "simulator: pushed app:v1")
	client := srv.Client(ecrreplication.WithErrorMapping)
	for _, image := range [][2]string{{"app", "v1"}, {"app", "v2"}, {"no-such-repo", "v1"}} {
		if err := lookup(ctx, client, image[0], image[1], stdout); err != nil {
			return err
		}
	}

	// The same check works on a plain SDK call, thanks to WithErrorMapping.
	_, err := client.DescribeImages(ctx, &ecr.DescribeImagesInput{
		RepositoryName: aws.String("app"),
		ImageIds:       []types.ImageIdentifier{{ImageTag: aws.String("v2")}},
	})
	fmt.Fprintf(stdout, "client.DescribeImages app:v2: errors.Is(err, ErrImageNotFound) = %t\n", errors.Is(err, ecrreplication.ErrImageNotFound))
	return nil
}

// lookup describes repository:tag and reports the two not-found cases as
// answers rather than failures. Any other error is returned.
func lookup(ctx context.Context, client *ecr.Client, repository, tag string, w io.Writer) error {
	report, err := ecrreplication.Describe(ctx, client, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String(repository),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String(tag)},
	})
	switch {
	case err == nil:
		fmt.Fprintf(w, "%s:%s: found, %d replication destinations\n", repository, tag, len(report.Destinations))
	case errors.Is(err, ecrreplication.ErrImageNotFound):
		fmt.Fprintf(w, "%s:%s: image not found\n", repository, tag)
		var sdkErr *types.ImageNotFoundException
		if errors.As(err, &sdkErr) {
			fmt.Fprintf(w, "  *types.ImageNotFoundException: %s\n", sdkErr.ErrorMessage())
		}
	case errors.Is(err, ecrreplication.ErrRepositoryNotFound):
		fmt.Fprintf(w, "%s:%s: repository not found\n", repository, tag)
		var sdkErr *types.RepositoryNotFoundException
		if errors.As(err, &sdkErr) {
			fmt.Fprintf(w, "  *types.RepositoryNotFoundException: %s\n", sdkErr.ErrorMessage())
		}
	default:
		return fmt.Errorf("describing %s:%s: %w", repository, tag, err)
	}
	return nil
}
