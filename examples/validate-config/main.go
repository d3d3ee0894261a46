// Command validate-config checks a service's ECR image settings at start-up
// and reports every problem at once, before any request is made.
//
// What to copy: gather the settings into a DescribeImageReplicationStatusInput
// (unset fields nil) and call ecrreplication.ValidateInput; a
// *ValidationError lists every Violation, named here by the flag and
// environment variable an operator has to fix.
//
//	go run ./examples/validate-config   # no settings: a good and a bad configuration
//	ECR_REPOSITORY=team/app go run ./examples/validate-config -tag v1.2.3   # exits 1 if invalid
//	go run ./examples/validate-config -aws -repository app -tag v1   # and finds the image in your registry
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/examples/internal/demo"
)

func main() {
	demo.Main(func(ctx context.Context, args []string, w io.Writer) error { return run(ctx, args, os.Getenv, w) })
}

// Config holds the image settings a service reads at start-up.
type Config struct{ Repository, RegistryID, Tag, Digest string }

// Input returns the request the settings describe; unset fields stay nil.
func (c Config) Input() *ecr.DescribeImageReplicationStatusInput {
	orNil := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	return &ecr.DescribeImageReplicationStatusInput{RepositoryName: orNil(c.Repository), RegistryId: orNil(c.RegistryID),
		ImageId: &types.ImageIdentifier{ImageTag: orNil(c.Tag), ImageDigest: orNil(c.Digest)}}
}

// settings names each validated field the way an operator sets it.
var settings = map[string]string{
	ecrreplication.FieldRepositoryName: "-repository/ECR_REPOSITORY",
	ecrreplication.FieldRegistryID:     "-registry-id/ECR_REGISTRY_ID",
	ecrreplication.FieldImageID:        "-tag/ECR_IMAGE_TAG or -digest/ECR_IMAGE_DIGEST",
	ecrreplication.FieldImageTag:       "-tag/ECR_IMAGE_TAG",
	ecrreplication.FieldImageDigest:    "-digest/ECR_IMAGE_DIGEST",
}

// check prints the configuration and each of its violations.
func check(w io.Writer, c Config) error {
	fmt.Fprintf(w, "config: repository=%q registry-id=%q tag=%q digest=%q\n", c.Repository, c.RegistryID, c.Tag, c.Digest)
	err := ecrreplication.ValidateInput(c.Input())
	if err == nil {
		fmt.Fprintln(w, "  valid")
		return nil
	}
	var ve *ecrreplication.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	for _, v := range ve.Violations {
		fmt.Fprintf(w, "  %s: %s\n", settings[v.Field], v)
	}
	return fmt.Errorf("invalid configuration: %d problem(s)", len(ve.Violations))
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := flag.NewFlagSet("validate-config", flag.ContinueOnError)
	var c Config
	fs.StringVar(&c.Repository, "repository", getenv("ECR_REPOSITORY"), "repository name")
	fs.StringVar(&c.RegistryID, "registry-id", getenv("ECR_REGISTRY_ID"), "registry ID (default: your own registry)")
	fs.StringVar(&c.Tag, "tag", getenv("ECR_IMAGE_TAG"), "image tag")
	fs.StringVar(&c.Digest, "digest", getenv("ECR_IMAGE_DIGEST"), "image digest (sha256:...)")
	useAWS := fs.Bool("aws", false, "also look the image up in your registry")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c == (Config{}) && !*useAWS {
		fmt.Fprintln(stdout, "demo: no settings given; checking a good and a bad configuration")
		_ = check(stdout, Config{"team/app", "123456789012", "v1.2.3", ""})
		_ = check(stdout, Config{"Team/App", "12345", "", "sha256:abc"})
		return nil
	}
	if err := check(stdout, c); err != nil || !*useAWS {
		return err
	}
	client, err := demo.AWS(ctx, "")
	if err != nil {
		return err
	}
	report, err := ecrreplication.Describe(ctx, client, c.Input())
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "  found %s, %d replication destinations\n", report.Name(), len(report.Destinations))
	return nil
}
