package main

// The ecrtest set-up for the default (simulated) path; not part of what to copy.

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// simulate sets up replication to three regions and pushes repository:tag,
// which replicates to them in 4, 9 and 20 seconds.
func simulate(srv *ecrtest.Server, repository, tag string) error {
	plans := []ecrtest.DestinationPlan{
		{Region: "us-west-2", Plan: ecrtest.Plan{After: 4 * time.Second}},
		{Region: "eu-west-1", Plan: ecrtest.Plan{After: 9 * time.Second}},
		{Region: "ap-southeast-2", Plan: ecrtest.Plan{After: 20 * time.Second}},
	}
	var dests []types.ReplicationDestination
	for _, p := range plans {
		dests = append(dests, types.ReplicationDestination{Region: aws.String(p.Region), RegistryId: aws.String(srv.AccountID())})
	}
	if err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{Destinations: dests}}}); err != nil {
		return err
	}
	_, err := srv.PushImage(repository, tag, plans...)
	return err
}
