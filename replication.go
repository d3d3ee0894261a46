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
	// Malformed counts the entries of the answer that name no region (a
	// null entry, or one whose members are all null): they identify no
	// destination and are left out of Destinations.
	Malformed int
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

// NewReport builds a Report from a request and its answer. RegistryID,
// Repository and ImageTag are the request's, so that an answer cannot rewrite
// what was asked for (they come from the answer only when in is nil);
// ImageDigest is the request's, or the answer's when the request named none.
// Entries of the answer that name no region (a null entry, or one whose
// members are all null) are left out and counted in Malformed. A destination
// listed more than once becomes one entry whose status is the least
// favourable of its listings (FAILED, then any status other than COMPLETE,
// then COMPLETE), so a duplicate can never make it look complete. nil values
// anywhere are tolerated.
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
	if in == nil {
		r.Repository = deref(out.RepositoryName)
		if out.ImageId != nil {
			r.ImageTag = deref(out.ImageId.ImageTag)
		}
	}
	if r.ImageDigest == "" && out.ImageId != nil {
		r.ImageDigest = deref(out.ImageId.ImageDigest)
	}
	if len(out.ReplicationStatuses) > 0 {
		r.Destinations = make([]Destination, 0, len(out.ReplicationStatuses))
	}
	for _, s := range out.ReplicationStatuses {
		if deref(s.Region) == "" {
			r.Malformed++
			continue
		}
		r.Destinations = append(r.Destinations, Destination{
			Region:      deref(s.Region),
			RegistryID:  deref(s.RegistryId),
			Status:      s.Status,
			FailureCode: deref(s.FailureCode),
		})
	}
	sortDestinations(r.Destinations)
	r.Destinations = mergeDuplicates(r.Destinations)
	return r
}

// mergeDuplicates merges, in sorted ds, the entries of one destination into
// the least favourable of them.
func mergeDuplicates(ds []Destination) []Destination {
	out := ds[:0]
	for _, d := range ds {
		if n := len(out); n > 0 && out[n-1].Region == d.Region && out[n-1].RegistryID == d.RegistryID {
			if rank(d.Status) > rank(out[n-1].Status) {
				out[n-1].Status, out[n-1].FailureCode = d.Status, d.FailureCode
			}
			continue
		}
		out = append(out, d)
	}
	return out
}

// rank orders statuses from most to least favourable: COMPLETE, any other
// status (pending), FAILED.
func rank(s types.ReplicationStatus) int {
	switch s {
	case types.ReplicationStatusComplete:
		return 0
	case types.ReplicationStatusFailed:
		return 2
	}
	return 1
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
