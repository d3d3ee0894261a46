package ecrreplication_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
)

// TestRealAWS runs against a real registry, and only when asked:
//
//	ECRREPLICATION_AWS_TEST=1 ECRREPLICATION_REPOSITORY=team/api ECRREPLICATION_TAG=v1 go test -run TestRealAWS -v .
//
// It uses the SDK's default configuration chain (AWS_PROFILE, AWS_REGION, ...),
// reads the image's replication status, checks that a tag that cannot exist
// maps to ErrImageNotFound, and waits up to five minutes for replication.
func TestRealAWS(t *testing.T) {
	if os.Getenv("ECRREPLICATION_AWS_TEST") != "1" {
		t.Skip("set ECRREPLICATION_AWS_TEST=1 (and ECRREPLICATION_REPOSITORY, ECRREPLICATION_TAG) to run against real AWS")
	}
	repo, tag := os.Getenv("ECRREPLICATION_REPOSITORY"), os.Getenv("ECRREPLICATION_TAG")
	if repo == "" || tag == "" {
		t.Fatal("ECRREPLICATION_REPOSITORY and ECRREPLICATION_TAG must name a pushed image")
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping)
	params := &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String(repo), ImageId: &types.ImageIdentifier{ImageTag: aws.String(tag)}}

	report, err := ecrreplication.Describe(ctx, client, params)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %v", report.ImageDigest, report.Destinations)

	missing := &ecr.DescribeImageReplicationStatusInput{RepositoryName: aws.String(repo), ImageId: &types.ImageIdentifier{ImageTag: aws.String("ecrreplication-no-such-tag")}}
	if _, err := ecrreplication.Describe(ctx, client, missing); !errors.Is(err, ecrreplication.ErrImageNotFound) {
		t.Errorf("missing tag: err = %v, want ErrImageNotFound", err)
	}

	waiter := ecrreplication.NewImageReplicationCompleteWaiter(client, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.Registry = client
	})
	if err := waiter.Wait(ctx, params, 5*time.Minute); err != nil {
		t.Errorf("Wait: %v", err)
	}
}
