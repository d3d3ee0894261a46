package main

// The ecrtest set-up for the default (simulated) path; not part of what to copy.

import (
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication/ecrtest"
)

// simulate sets up replication to two regions and pushes repository:tag so
// that the wait ends as scenario says, within about two seconds.
func simulate(srv *ecrtest.Server, scenario, repository, tag string) error {
	const partner = "210987654321"
	west := ecrtest.DestinationPlan{Region: "us-west-2", Plan: ecrtest.Plan{After: time.Second}}
	eu := ecrtest.DestinationPlan{Region: "eu-west-1", RegistryID: partner, Plan: ecrtest.Plan{After: 2 * time.Second, HiddenPolls: 1}}
	switch scenario {
	case "complete":
	case "failed":
		eu.Plan = ecrtest.Plan{Outcome: types.ReplicationStatusFailed, After: 1500 * time.Millisecond}
	case "timeout":
		eu.Plan = ecrtest.Plan{Outcome: types.ReplicationStatusInProgress}
	case "none": // no replication configuration at all
		_, err := srv.PushImage(repository, tag)
		return err
	default:
		return fmt.Errorf("unknown scenario %q", scenario)
	}
	err := srv.PutReplicationConfiguration(types.ReplicationConfiguration{
		Rules: []types.ReplicationRule{{Destinations: []types.ReplicationDestination{
			{Region: aws.String(west.Region), RegistryId: aws.String(srv.AccountID())},
			{Region: aws.String(eu.Region), RegistryId: aws.String(eu.RegistryID)},
		}}},
	})
	if err != nil {
		return err
	}
	_, err = srv.PushImage(repository, tag, west, eu)
	return err
}
