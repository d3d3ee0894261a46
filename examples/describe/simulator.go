package main

// The ecrtest set-up for the default (simulated) path; not part of what to copy.

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// simulate configures replication to three destinations and pushes
// repository:tag so that one is COMPLETE, one IN_PROGRESS and one FAILED on
// the first poll.
func simulate(srv *ecrtest.Server, repository, tag string) error {
	const partner = "210987654321"
	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{Destinations: []types.ReplicationDestination{
			{Region: aws.String("us-west-2"), RegistryId: aws.String(srv.AccountID())},
			{Region: aws.String("eu-west-1"), RegistryId: aws.String(partner)},
			{Region: aws.String("ap-southeast-2"), RegistryId: aws.String(srv.AccountID())},
		}}},
	})
	if err != nil {
		return err
	}
	_, err = srv.PushImage(repository, tag,
		ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{}}, // COMPLETE at once
		ecrtest.DestinationPlan{Region: "eu-west-1", RegistryID: partner, Plan: ecrtest.DefaultPlan()},
		ecrtest.DestinationPlan{Region: "ap-southeast-2", Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed}},
	)
	return err
}
