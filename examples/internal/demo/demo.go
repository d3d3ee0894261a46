// Package demo is the set-up the example programs share and do not teach:
// their common flags, an ECR client for real AWS or for an in-process ecrtest
// simulator, and main's exit status. Nothing here is part of what to copy.
package demo

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

// Main runs run with the command line, standard output and a context that an
// interrupt cancels. An error other than flag.ErrHelp (from -h) is printed
// after the program's name, and the program exits 1.
func Main(run func(ctx context.Context, args []string, stdout io.Writer) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(os.Stderr, "%s: %v\n", filepath.Base(os.Args[0]), err)
		os.Exit(1)
	}
}

// Flags are the flags of every example that reads one image.
type Flags struct {
	AWS                                         bool
	Region, RegistryID, Repository, Tag, Digest string
	maxWait, simulatedWait                      time.Duration
}

// NewFlags registers -aws, -region, -registry-id, -repository (default app),
// -tag (default v1) and -digest on fs.
func NewFlags(fs *flag.FlagSet) *Flags {
	f := new(Flags)
	fs.BoolVar(&f.AWS, "aws", false, "call real AWS instead of the in-process simulator")
	fs.StringVar(&f.Region, "region", "", "AWS region (default: from the AWS configuration)")
	fs.StringVar(&f.RegistryID, "registry-id", "", "source registry ID (default: your own registry)")
	fs.StringVar(&f.Repository, "repository", "app", "repository name")
	fs.StringVar(&f.Tag, "tag", "v1", "image tag")
	fs.StringVar(&f.Digest, "digest", "", "image digest (sha256:...), used instead of -tag")
	return f
}

// Input is the request for the image the flags name.
func (f *Flags) Input() *ecr.DescribeImageReplicationStatusInput {
	in := &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String(f.Repository),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String(f.Tag)},
	}
	if f.Digest != "" {
		in.ImageId = &types.ImageIdentifier{ImageDigest: aws.String(f.Digest)}
	}
	if f.RegistryID != "" {
		in.RegistryId = aws.String(f.RegistryID)
	}
	return in
}

// NewWaitFlags is NewFlags and -max-wait, for the examples that wait.
func NewWaitFlags(fs *flag.FlagSet, simulated time.Duration) *Flags {
	f := NewFlags(fs)
	f.simulatedWait = simulated
	fs.DurationVar(&f.maxWait, "max-wait", 0, fmt.Sprintf("longest wait (default 15m with -aws, %v simulated)", simulated))
	return f
}

// MaxWait is -max-wait if set, else 15 minutes with -aws and the simulated
// default without.
func (f *Flags) MaxWait() time.Duration {
	switch {
	case f.maxWait != 0:
		return f.maxWait
	case f.AWS:
		return 15 * time.Minute
	}
	return f.simulatedWait
}

// Client returns a client with ecrreplication.WithErrorMapping and a function
// that releases it. With -aws it is AWS(ctx, -region). Otherwise it is the
// client of an in-memory ecrtest server that replicates every repository to
// the destinations of plans (none: no replication rule) and holds the image
// -repository:-tag, pushed with plans; Client says so on w.
func (f *Flags) Client(ctx context.Context, w io.Writer, plans ...ecrtest.DestinationPlan) (*ecr.Client, func(), error) {
	if f.AWS {
		client, err := AWS(ctx, f.Region)
		return client, func() {}, err
	}
	srv := ecrtest.NewInMemoryServer()
	if err := push(srv, f.Repository, f.Tag, plans); err != nil {
		srv.Close()
		return nil, nil, fmt.Errorf("simulator: %w", err)
	}
	fmt.Fprintf(w, "simulator: pushed %s:%s to registry %s, replicating to %d destinations\n", f.Repository, f.Tag, srv.AccountID(), len(plans))
	return srv.Client(ecrreplication.WithErrorMapping), srv.Close, nil
}

// push configures one replication rule to the destinations of plans, if
// any, and pushes repository:tag with them.
func push(srv *ecrtest.Server, repository, tag string, plans []ecrtest.DestinationPlan) error {
	if len(plans) > 0 {
		var dests []types.ReplicationDestination
		for _, p := range plans {
			dests = append(dests, types.ReplicationDestination{Region: aws.String(p.Region), RegistryId: aws.String(cmp.Or(p.RegistryID, srv.AccountID()))})
		}
		if err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{Destinations: dests}}}); err != nil {
			return err
		}
	}
	_, err := srv.PushImage(repository, tag, plans...)
	return err
}

// AWS returns a client with ecrreplication.WithErrorMapping for the default
// AWS configuration (environment, shared files, IAM role), in region if it
// is not "".
func AWS(ctx context.Context, region string) (*ecr.Client, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	return ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping), nil
}
