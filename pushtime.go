package ecrreplication

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/logging"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// DescribeImagesAPIClient is the one method of *ecr.Client that reading an
// image's push time needs.
type DescribeImagesAPIClient interface {
	DescribeImages(context.Context, *ecr.DescribeImagesInput, ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error)
}

var _ DescribeImagesAPIClient = (*ecr.Client)(nil)

// resolveSince sets, at the first answer, the reference instant of the
// replication times: the image's push time when Images is set and can tell
// it, else the wait's start. The measurement never fails the wait: any
// problem is logged and the wait's start is used.
func (r *waitRun) resolveSince(ctx context.Context, out *ecr.DescribeImageReplicationStatusOutput, answered time.Time) {
	if !r.since.IsZero() {
		return
	}
	r.since, r.sinceSource = r.start, SinceFromWaitStart
	if r.opts.Images == nil {
		return
	}
	pushed, err := r.pushTime(ctx, out)
	if err != nil {
		r.opts.Logger.Logf(logging.Warn, "ecrreplication: %s: push time unknown (%s); replication times count from the wait's start", r.image(), safetext.Line(err.Error(), 0))
		return
	}
	// Keep the push instant on this process's monotonic clock, so that a
	// later step of the wall clock cannot change the times; and never
	// after the first answer, which saw the image, whatever the skew
	// between the service's clock and this one.
	now := time.Now()
	age := max(now.Round(0).Sub(pushed), now.Sub(answered))
	r.since, r.sinceSource = now.Add(-age), SinceFromPush
}

// pushTime asks DescribeImages for the image's push time.
func (r *waitRun) pushTime(ctx context.Context, out *ecr.DescribeImageReplicationStatusOutput) (time.Time, error) {
	id := types.ImageIdentifier{ImageDigest: r.params.ImageId.ImageDigest, ImageTag: r.params.ImageId.ImageTag}
	if out.ImageId != nil && out.ImageId.ImageDigest != nil && ValidateImageDigest(*out.ImageId.ImageDigest) == nil && id.ImageDigest == nil {
		id = types.ImageIdentifier{ImageDigest: out.ImageId.ImageDigest}
	}
	if r.beforeCall != nil {
		if err := r.beforeCall(ctx); err != nil {
			return time.Time{}, err
		}
	}
	actx, cancel := context.WithTimeout(ctx, r.opts.AttemptTimeout)
	defer cancel()
	res, err := r.opts.Images.DescribeImages(actx, &ecr.DescribeImagesInput{
		RepositoryName: r.params.RepositoryName,
		RegistryId:     r.params.RegistryId,
		ImageIds:       []types.ImageIdentifier{id},
	}, r.clientOptions()...)
	if err != nil {
		return time.Time{}, MapError(err)
	}
	for _, d := range res.ImageDetails {
		if d.ImagePushedAt != nil && !d.ImagePushedAt.IsZero() {
			return *d.ImagePushedAt, nil
		}
	}
	return time.Time{}, errNoPushTime
}

// errNoPushTime says that DescribeImages gave no push time.
var errNoPushTime = errors.New("DescribeImages gave no imagePushedAt")
