// Command not-found tells "image not found" and "repository not found" apart
// from other ECR errors: errors.Is against ecrreplication.ErrImageNotFound and
// ErrRepositoryNotFound. Describe maps the service's errors; a client made
// with ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping) maps those of
// its own calls too, and errors.As still reaches the SDK's typed error.
//
//	go run ./examples/not-found   # simulator: an image, a missing tag, a missing repository
//	go run ./examples/not-found -aws -region us-east-1 -repository app -tag no-such-tag
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/examples/internal/demo"
)

func main() { demo.Main(run) }

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("not-found", flag.ContinueOnError)
	f := demo.NewFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	client, done, err := f.Client(ctx, stdout)
	if err != nil {
		return err
	}
	defer done()

	images := []demo.Flags{*f}
	if !f.AWS { // the simulator holds -repository:-tag only
		images = append(images, demo.Flags{Repository: f.Repository, Tag: "no-such-tag"}, demo.Flags{Repository: "no-such-repo", Tag: f.Tag})
	}
	for _, image := range images {
		in := image.Input()
		name := ecrreplication.NewReport(in, nil).Name()
		report, err := ecrreplication.Describe(ctx, client, in)
		switch {
		case err == nil:
			fmt.Fprintf(stdout, "%s: found, %d replication destinations\n", name, len(report.Destinations))
		case errors.Is(err, ecrreplication.ErrImageNotFound):
			fmt.Fprintf(stdout, "%s: image not found\n", name)
		case errors.Is(err, ecrreplication.ErrRepositoryNotFound):
			fmt.Fprintf(stdout, "%s: repository not found\n", name)
		default:
			return fmt.Errorf("%s: %w", name, err)
		}
		var sdkErr *types.ImageNotFoundException
		if errors.As(err, &sdkErr) { // the SDK's own error stays in the chain
			fmt.Fprintf(stdout, "  *types.ImageNotFoundException: %s\n", sdkErr.ErrorMessage())
		}
	}

	// The same check on a plain SDK call, thanks to WithErrorMapping.
	_, err = client.DescribeImages(ctx, &ecr.DescribeImagesInput{RepositoryName: &f.Repository, ImageIds: []types.ImageIdentifier{{ImageTag: aws.String("no-such-tag")}}})
	fmt.Fprintf(stdout, "client.DescribeImages %s:no-such-tag: errors.Is(err, ErrImageNotFound) = %t\n", f.Repository, errors.Is(err, ecrreplication.ErrImageNotFound))
	return nil
}
