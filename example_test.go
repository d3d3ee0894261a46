package ecrreplication_test

import (
	"context"
	"errors"
	"fmt"
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

func ExampleImageReplicationCompleteRetryable() {
	srv := ecrtest.NewServer()
	defer srv.Close()
	_ = srv.PutReplicationConfiguration(types.ReplicationConfiguration{Rules: []types.ReplicationRule{{
		Destinations: []types.ReplicationDestination{{Region: aws.String("eu-west-1"), RegistryId: aws.String(srv.AccountID())}},
	}}})
	_, _ = srv.PushImage("team/api", "v1", ecrtest.DestinationPlan{Region: "eu-west-1", Plan: ecrtest.Plan{}}) // complete at once
	client := srv.Client()

	waiter := ecrreplication.NewImageReplicationCompleteWaiter(client, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.Destinations = []ecrreplication.Destination{{Region: "eu-west-1"}}
		// Change one case, keep the rest of the default decision: an image
		// not pushed yet is waited for rather than an error.
		next := o.Retryable
		o.Retryable = func(ctx context.Context, in *ecr.DescribeImageReplicationStatusInput, out *ecr.DescribeImageReplicationStatusOutput, err error) (bool, error) {
			if errors.Is(err, ecrreplication.ErrImageNotFound) {
				return true, nil
			}
			return next(ctx, in, out, err) // pass ctx on: it carries the wait's state
		}
	})
	err := waiter.Wait(context.Background(), &ecr.DescribeImageReplicationStatusInput{
		RepositoryName: aws.String("team/api"),
		ImageId:        &types.ImageIdentifier{ImageTag: aws.String("v1")},
	}, time.Minute)
	fmt.Println("replicated:", err == nil)
	// Output:
	// replicated: true
}
