package ecrreplication

import (
	"cmp"
	"context"
	"slices"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// DescribeImageReplicationStatusAPIClient is the one method of *ecr.Client this
// package needs. The SDK defines no such interface for this operation.
type DescribeImageReplicationStatusAPIClient interface {
	DescribeImageReplicationStatus(context.Context, *ecr.DescribeImageReplicationStatusInput, ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error)
}

var _ DescribeImageReplicationStatusAPIClient = (*ecr.Client)(nil)

// Describe validates params, calls DescribeImageReplicationStatus and returns
// the answer as a Report. An invalid input never reaches the client: it gets a
// *ValidationError. Service errors are mapped with MapError, so errors.Is
// answers for ErrImageNotFound, ErrRepositoryNotFound and the other sentinels.
func Describe(ctx context.Context, client DescribeImageReplicationStatusAPIClient, params *ecr.DescribeImageReplicationStatusInput, optFns ...func(*ecr.Options)) (*Report, error) {
	if err := ValidateInput(params); err != nil {
		return nil, err
	}
	out, err := client.DescribeImageReplicationStatus(ctx, params, optFns...)
	if err != nil {
		return nil, MapError(err)
	}
	return NewReport(params, out), nil
}

// Report is the replication status of one image.
type Report struct {
	// RegistryID is the source registry as requested ("" for the caller's
	// default registry).
	RegistryID string
	// Repository is the repository name.
	Repository string
	// ImageDigest is the image's digest as the service resolved it.
	ImageDigest string
	// ImageTag is the tag the image was asked for by, if any.
	ImageTag string
	// Destinations holds one entry per destination the service lists, sorted
	// by region, then registry ID.
	Destinations []Destination
}

// Destination is the replication status of an image in one region and
// registry.
type Destination struct {
	Region     string
	RegistryID string
	// Status is IN_PROGRESS, COMPLETE or FAILED; a value this version does not
	// know is kept as sent and counts as pending.
	Status types.ReplicationStatus
	// FailureCode is the service's reason for a FAILED status.
	FailureCode string
}

// Complete reports whether the service lists at least one destination and
// every destination is COMPLETE. An empty list is not complete.
func (r *Report) Complete() bool {
	if r == nil || len(r.Destinations) == 0 {
		return false
	}
	for _, d := range r.Destinations {
		if d.Status != types.ReplicationStatusComplete {
			return false
		}
	}
	return true
}

// Failed returns the destinations whose status is FAILED.
func (r *Report) Failed() []Destination {
	return r.filter(func(d Destination) bool { return d.Status == types.ReplicationStatusFailed })
}

// Pending returns the destinations that are neither COMPLETE nor FAILED:
// IN_PROGRESS and any status this version does not know, so that an unknown
// status is never taken for completion.
func (r *Report) Pending() []Destination {
	return r.filter(func(d Destination) bool {
		return d.Status != types.ReplicationStatusComplete && d.Status != types.ReplicationStatusFailed
	})
}

func (r *Report) filter(keep func(Destination) bool) []Destination {
	if r == nil {
		return nil
	}
	var ds []Destination
	for _, d := range r.Destinations {
		if keep(d) {
			ds = append(ds, d)
		}
	}
	return ds
}

// NewReport builds a Report from a request and its answer. Fields missing from
// the answer are taken from the request; nil values anywhere are tolerated.
func NewReport(in *ecr.DescribeImageReplicationStatusInput, out *ecr.DescribeImageReplicationStatusOutput) *Report {
	r := &Report{}
	if in != nil {
		r.RegistryID = deref(in.RegistryId)
		r.Repository = deref(in.RepositoryName)
		if in.ImageId != nil {
			r.ImageDigest = deref(in.ImageId.ImageDigest)
			r.ImageTag = deref(in.ImageId.ImageTag)
		}
	}
	if out == nil {
		return r
	}
	if s := deref(out.RepositoryName); s != "" {
		r.Repository = s
	}
	if out.ImageId != nil {
		if s := deref(out.ImageId.ImageDigest); s != "" {
			r.ImageDigest = s
		}
		if s := deref(out.ImageId.ImageTag); s != "" {
			r.ImageTag = s
		}
	}
	if len(out.ReplicationStatuses) > 0 {
		r.Destinations = make([]Destination, 0, len(out.ReplicationStatuses))
	}
	for _, s := range out.ReplicationStatuses {
		r.Destinations = append(r.Destinations, Destination{
			Region:      deref(s.Region),
			RegistryID:  deref(s.RegistryId),
			Status:      s.Status,
			FailureCode: deref(s.FailureCode),
		})
	}
	sortDestinations(r.Destinations)
	return r
}

func sortDestinations(ds []Destination) {
	slices.SortStableFunc(ds, func(a, b Destination) int {
		return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.RegistryID, b.RegistryID))
	})
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
