package ecrtest_test

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// A server replicating every repository to us-west-2, polled twice with the
// real client: the package default plan reports IN_PROGRESS first, then
// COMPLETE.
func Example() {
	srv := ecrtest.NewServer()
	defer srv.Close()

	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{
			Destinations: []types.ReplicationDestination{{
				Region: aws.String("us-west-2"), RegistryId: aws.String(srv.AccountID()),
			}},
		}},
	})
	if err != nil {
		panic(err)
	}
	digest, err := srv.PushImage("app", "v1")
	if err != nil {
		panic(err)
	}

	client := srv.Client()
	for range 2 {
		out, err := client.DescribeImageReplicationStatus(context.Background(), &ecr.DescribeImageReplicationStatusInput{
			RepositoryName: aws.String("app"),
			ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v1")},
		})
		if err != nil {
			panic(err)
		}
		fmt.Println(aws.ToString(out.ImageId.ImageDigest) == digest, aws.ToString(out.ImageId.ImageTag))
		for _, st := range out.ReplicationStatuses {
			fmt.Println(aws.ToString(st.Region), aws.ToString(st.RegistryId), st.Status)
		}
	}
	// Output:
	// true v1
	// us-west-2 123456789012 IN_PROGRESS
	// true v1
	// us-west-2 123456789012 COMPLETE
}
