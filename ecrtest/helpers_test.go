package ecrtest_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// noRetry makes a client try each call once.
func noRetry(o *ecr.Options) { o.RetryMaxAttempts = 1 }

// modes runs f against a loopback and an in-memory server.
func modes(t *testing.T, f func(t *testing.T, newServer func(...func(*ecrtest.Options)) *ecrtest.Server)) {
	t.Helper()
	t.Run("loopback", func(t *testing.T) { f(t, ecrtest.NewServer) })
	t.Run("memory", func(t *testing.T) { f(t, ecrtest.NewInMemoryServer) })
}

func dest(region, registry string) types.ReplicationDestination {
	return types.ReplicationDestination{Region: aws.String(region), RegistryId: aws.String(registry)}
}

// replicateTo configures one rule without filters to the given regions of
// the server's own account.
func replicateTo(t *testing.T, srv *ecrtest.Server, regions ...string) {
	t.Helper()
	var ds []types.ReplicationDestination
	for _, r := range regions {
		ds = append(ds, dest(r, srv.AccountID()))
	}
	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{Destinations: ds}},
	})
	if err != nil {
		t.Fatalf("PutReplicationConfiguration: %v", err)
	}
}

func push(t *testing.T, srv *ecrtest.Server, repo, tag string, plans ...ecrtest.DestinationPlan) string {
	t.Helper()
	d, err := srv.PushImage(repo, tag, plans...)
	if err != nil {
		t.Fatalf("PushImage(%q, %q): %v", repo, tag, err)
	}
	return d
}

func byTag(repo, tag string) *ecr.DescribeImageReplicationStatusInput {
	return &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String(repo),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String(tag)},
	}
}

func byDigest(repo, digest string) *ecr.DescribeImageReplicationStatusInput {
	return &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String(repo),
		ImageId:        &types.ImageIdentifier{ImageDigest: aws.String(digest)},
	}
}

// status is a comparable view of a replication status.
type status struct {
	Region, RegistryID, Status, FailureCode string
}

func statuses(out *ecr.DescribeImageReplicationStatusOutput) []status {
	res := []status{}
	for _, s := range out.ReplicationStatuses {
		res = append(res, status{aws.ToString(s.Region), aws.ToString(s.RegistryId), string(s.Status), aws.ToString(s.FailureCode)})
	}
	return res
}

// poll calls DescribeImageReplicationStatus and returns the statuses.
func poll(t *testing.T, c *ecr.Client, in *ecr.DescribeImageReplicationStatusInput) []status {
	t.Helper()
	out, err := c.DescribeImageReplicationStatus(context.Background(), in)
	if err != nil {
		t.Fatalf("DescribeImageReplicationStatus: %v", err)
	}
	return statuses(out)
}

func sha256Digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}
