package ecrreplication

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/smithy-go/middleware"
)

const (
	errorMappingID = "ecrreplication.ErrorMapping"
	validationID   = "ecrreplication.Validation"
)

// WithErrorMapping installs MapError into an ECR client as SDK middleware, so
// that every operation's error answers errors.Is for this package's sentinels:
//
//	client := ecr.NewFromConfig(cfg, ecrreplication.WithErrorMapping)
//
// It can be given per call as well; installing it twice is harmless.
func WithErrorMapping(o *ecr.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		if _, ok := s.Initialize.Get(errorMappingID); ok {
			return nil
		}
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc(errorMappingID,
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				out, md, err := next.HandleInitialize(ctx, in)
				return out, md, MapError(err)
			}), middleware.Before)
	})
}

// WithValidation installs ValidateInput into an ECR client as SDK middleware:
// a DescribeImageReplicationStatusInput that breaks a documented constraint is
// rejected with a *ValidationError before any request leaves the process.
// Other operations are not affected. Installing it twice is harmless.
func WithValidation(o *ecr.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		if _, ok := s.Initialize.Get(validationID); ok {
			return nil
		}
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc(validationID,
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if params, ok := in.Parameters.(*ecr.DescribeImageReplicationStatusInput); ok {
					if err := ValidateInput(params); err != nil {
						return middleware.InitializeOutput{}, middleware.Metadata{}, err
					}
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
	})
}
