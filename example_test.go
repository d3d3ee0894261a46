package ecrreplication_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	smithy "github.com/aws/smithy-go"

	"github.com/ecrkit/ecrreplication"
	"github.com/ecrkit/ecrreplication/ecrtest"
)

func ExampleDescribe() {
	// An ECR simulator replicating to two regions; the real client talks to it.
	srv := ecrtest.NewServer()
	defer srv.Close()
	_ = srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
		Destinations: []types.ReplicationDestination{
			{Region: aws.String("us-west-2"), RegistryId: aws.String(srv.AccountID())},
			{Region: aws.String("eu-west-1"), RegistryId: aws.String("210987654321")},
		},
	}}})
	_, _ = srv.PushImage("team/api", "v1.2.3")
	client := srv.Client() // in a service: ecr.NewFromConfig(cfg)

	report, err := ecrreplication.Describe(context.Background(), client, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("team/api"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v1.2.3")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range report.Destinations {
		fmt.Println(d.Region, d.RegistryID, d.Status)
	}
	fmt.Println("complete:", report.Complete())

	_, err = ecrreplication.Describe(context.Background(), client, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("team/api"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v9")},
	})
	fmt.Println("not found:", errors.Is(err, ecrreplication.ErrImageNotFound))
	// Output:
	// eu-west-1 210987654321 IN_PROGRESS
	// us-west-2 123456789012 IN_PROGRESS
	// complete: false
	// not found: true
}

func ExampleWaitAll() {
	srv := ecrtest.NewServer()
	defer srv.Close()
	_ = srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
		Destinations: []types.ReplicationDestination{{Region: aws.String("eu-west-1"), RegistryId: aws.String(srv.AccountID())}},
	}}})
	var images []*ecr.DescribeImageReplicationStatusInput
	for _, repo := range []string{"api", "web", "worker"} {
		_, _ = srv.PushImage(repo, "v2")
		images = append(images, &ecr.DescribeImageReplicationStatusInput{
			RepositoryName: aws.String(repo),
			ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v2")},
		})
	}
	images = append(images, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("api"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v3")}, // never pushed
	})

	reports, err := ecrreplication.WaitAll(context.Background(), srv.Client(), images, 5*time.Minute,
		func(o *ecrreplication.WaitAllOptions) {
			o.RateLimit, o.Burst = 20, 5 // requests per second for the whole set
			o.WaiterOptions = append(o.WaiterOptions, func(wo *ecrreplication.ImageReplicationCompleteWaiterOptions) {
				wo.MinDelay = 10 * time.Millisecond
			})
		})
	for i, r := range reports {
		fmt.Println(*images[i].RepositoryName, r.Complete())
	}
	fmt.Println("not found:", errors.Is(err, ecrreplication.ErrImageNotFound))
	// Output:
	// api true
	// web true
	// worker true
	// api false
	// not found: true
}

func ExampleValidateInput() {
	err := ecrreplication.ValidateInput(&ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("Team/App"),
		RegistryId:     aws.String("12345"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v1")},
	})
	var ve *ecrreplication.ValidationError
	if errors.As(err, &ve) {
		for _, v := range ve.Violations {
			fmt.Printf("%s %q\n", v.Field, v.Value)
		}
	}
	fmt.Println(errors.Is(err, ecrreplication.ErrValidation))
	// Output:
	// repositoryName "Team/App"
	// registryId "12345"
	// true
}

func ExampleMapError() {
	// What the SDK returns for an unknown repository, mapped.
	err := ecrreplication.MapError(&smithy.OperationError{
		ServiceID:     "ECR",
		OperationName: "DescribeImageReplicationStatus",
		Err:           &types.RepositoryNotFoundException{Message: aws.String("The repository with name 'app' does not exist")},
	})
	fmt.Println(errors.Is(err, ecrreplication.ErrRepositoryNotFound))
	var notFound *types.RepositoryNotFoundException
	fmt.Println(errors.As(err, &notFound))
	// Output:
	// true
	// true
}

func ExampleDestination_ReplicationTime() {
	pushed := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	d := ecrreplication.Destination{
		Region: "eu-west-1", RegistryID: "123456789012", Status: types.ReplicationStatusComplete,
		LastSeenPending:   pushed.Add(12 * time.Second), // a poll sent then saw it IN_PROGRESS
		FirstSeenComplete: pushed.Add(15 * time.Second), // the next one's answer saw it COMPLETE
	}
	if lo, hi, ok := d.ReplicationTime(pushed); ok {
		fmt.Printf("%s: COMPLETE after %v to %v\n", d.Region, lo, hi)
	}
	// Output:
	// eu-west-1: COMPLETE after 12s to 15s
}

func ExampleImageReplicationCompleteWaiter_Wait() {
	// An ECR simulator whose registry replicates to two regions, where the
	// image is already COMPLETE; the real client talks to it.
	srv := ecrtest.NewServer()
	defer srv.Close()
	_ = srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
		Destinations: []types.ReplicationDestination{
			{Region: aws.String("us-west-2"), RegistryId: aws.String(srv.AccountID())},
			{Region: aws.String("eu-west-1"), RegistryId: aws.String(srv.AccountID())},
		},
	}}})
	_, _ = srv.PushImage("team/api", "v1.2.3", ecrtest.DestinationPlan{Region: "us-west-2"}, ecrtest.DestinationPlan{Region: "eu-west-1"})
	client := srv.Client()
	ctx := context.Background()

	// client := ecr.NewFromConfig(cfg)
	waiter := ecrreplication.NewImageReplicationCompleteWaiter(client, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.Registry = client // expect every destination the registry's replication rules name
	})
	err := waiter.Wait(ctx, &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("team/api"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v1.2.3")},
	}, 20*time.Minute)
	switch {
	case err == nil:
		fmt.Println("replicated to every destination: roll out")
	case errors.Is(err, ecrreplication.ErrReplicationFailed):
		fmt.Println("a destination failed:", err)
	case errors.Is(err, ecrreplication.ErrWaitTimeout):
		fmt.Println("still replicating:", err)
	}
	// Output:
	// replicated to every destination: roll out
}

func ExampleDefaultDecide() {
	srv := ecrtest.NewServer()
	defer srv.Close()
	_ = srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
		Destinations: []types.ReplicationDestination{{Region: aws.String("eu-west-1"), RegistryId: aws.String("210987654321")}},
	}}})
	_, _ = srv.PushImage("team/api", "v1", ecrtest.DestinationPlan{Region: "eu-west-1", RegistryID: "210987654321",
		Plan: ecrtest.Plan{Outcome: types.ReplicationStatusFailed, FailureCode: "REGISTRY_POLICY_PENDING"}})
	in := &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("team/api"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v1")},
	}
	fast := func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = 10*time.Millisecond, 10*time.Millisecond
	}

	// By default, FAILED ends the wait at once.
	err := ecrreplication.NewImageReplicationCompleteWaiter(srv.Client(), fast).Wait(context.Background(), in, time.Second)
	fmt.Println("failed:", errors.Is(err, ecrreplication.ErrReplicationFailed))

	// Keep the default decision, but treat one failure code as still
	// pending: hand DefaultDecide a copy of the report in which those
	// destinations are IN_PROGRESS.
	retryPolicyPending := func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.Decide = func(report *ecrreplication.Report, err error) (bool, error) {
			if report != nil {
				view := *report
				view.Destinations = slices.Clone(report.Destinations)
				for i, d := range view.Destinations {
					if d.Status == types.ReplicationStatusFailed && d.FailureCode == "REGISTRY_POLICY_PENDING" {
						view.Destinations[i].Status = types.ReplicationStatusInProgress
					}
				}
				report = &view
			}
			return ecrreplication.DefaultDecide(report, err)
		}
	}
	err = ecrreplication.NewImageReplicationCompleteWaiter(srv.Client(), fast, retryPolicyPending).Wait(context.Background(), in, 100*time.Millisecond)
	fmt.Println("polled until the limit:", errors.Is(err, ecrreplication.ErrWaitTimeout))
	// Output:
	// failed: true
	// polled until the limit: true
}

func ExampleParseImageReference() {
	for _, s := range []string{
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/api:v1.2.3", // what docker push was given
		"team/api@sha256:4f1c57e8d4b1b7a4b8a6f1c0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4",
		"ghcr.io/team/api:v1",
	} {
		ref, err := ecrreplication.ParseImageReference(s)
		if err != nil {
			fmt.Println(errors.Is(err, ecrreplication.ErrValidation), err)
			continue
		}
		fmt.Printf("registry %q region %q repository %q tag %q digest %.15q\n", ref.RegistryID, ref.Region, ref.Repository, ref.Tag, ref.Digest)
		// ref.Input() is the request; send it with a client of ref.Region.
	}
	// Output:
	// registry "123456789012" region "eu-west-1" repository "team/api" tag "v1.2.3" digest ""
	// registry "" region "" repository "team/api" tag "" digest "sha256:4f1c57e8"
	// true ecrreplication: invalid input: imageReference "ghcr.io/team/api:v1" names the registry "ghcr.io", which is not an Amazon ECR private registry: DescribeImageReplicationStatus needs ACCOUNT.dkr.ecr.REGION.amazonaws.com (or .amazonaws.com.cn, dkr.ecr-fips, dkr-ecr.REGION.on.aws), or REPO:TAG alone
}
