package ecrreplication_test

import (
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	smithy "github.com/aws/smithy-go"

	"github.com/ecrkit/ecrreplication"
)

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
