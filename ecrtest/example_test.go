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

// Scripting destinations: with an in-memory server (no sockets), one
// destination fails on the first poll while the other stays hidden for a
// poll and then completes.
func ExampleServer_PushImage() {
	srv := ecrtest.NewInMemoryServer()
	defer srv.Close()
	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{
			Destinations: []types.ReplicationDestination{
				{Region: aws.String("us-west-2"), RegistryId: aws.String(srv.AccountID())},
				{Region: aws.String("eu-west-1"), RegistryId: aws.String("210987654321")},
			},
		}},
	})
	if err != nil {
		panic(err)
	}
	_, err = srv.PushImage("team/api", "v2",
		ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed}},
		ecrtest.DestinationPlan{Region: "eu-west-1", RegistryID: "210987654321", Plan: ecrtest.Plan{HiddenPolls: 1}},
	)
	if err != nil {
		panic(err)
	}

	client := srv.Client(func(o *ecr.Options) { o.RetryMaxAttempts = 1 })
	for i := range 2 {
		out, err := client.DescribeImageReplicationStatus(context.Background(), &ecr.DescribeImageReplicationStatusInput{
			RepositoryName: aws.String("team/api"),
			ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v2")},
		})
		if err != nil {
			panic(err)
		}
		for _, st := range out.ReplicationStatuses {
			line := fmt.Sprint(i+1, " ", aws.ToString(st.Region), " ", st.Status)
			if st.FailureCode != nil {
				line += " " + *st.FailureCode
			}
			fmt.Println(line)
		}
	}
	fmt.Println(srv.CallCount(ecrtest.OpDescribeImageReplicationStatus), "calls")
	// Output:
	// 1 us-west-2 FAILED REPLICATION_FAILED
	// 2 us-west-2 FAILED REPLICATION_FAILED
	// 2 eu-west-1 COMPLETE
	// 2 calls
}
