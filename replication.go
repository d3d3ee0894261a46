package ecrreplication

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
)

// DescribeImageReplicationStatusAPIClient is the one method of *ecr.Client this
// package needs. The SDK defines no such interface for this operation.
type DescribeImageReplicationStatusAPIClient interface {
	DescribeImageReplicationStatus(context.Context, *ecr.DescribeImageReplicationStatusInput, ...func(*ecr.Options)) (*ecr.DescribeImageReplicationStatusOutput, error)
}

// DescribeRegistryAPIClient is the one method of *ecr.Client that reading a
// registry's replication configuration needs.
type DescribeRegistryAPIClient interface {
	DescribeRegistry(context.Context, *ecr.DescribeRegistryInput, ...func(*ecr.Options)) (*ecr.DescribeRegistryOutput, error)
}

// DescribeImagesAPIClient is the one method of *ecr.Client that reading an
// image's push time needs.
type DescribeImagesAPIClient interface {
	DescribeImages(context.Context, *ecr.DescribeImagesInput, ...func(*ecr.Options)) (*ecr.DescribeImagesOutput, error)
}

var (
	_ DescribeImageReplicationStatusAPIClient = (*ecr.Client)(nil)
	_ DescribeRegistryAPIClient               = (*ecr.Client)(nil)
	_ DescribeImagesAPIClient                 = (*ecr.Client)(nil)
)

// Describe validates params, calls DescribeImageReplicationStatus and returns
// the answer as a Report. An invalid input never reaches the client: it gets a
// *ValidationError. Service errors are mapped with MapError, so errors.Is
// answers for ErrImageNotFound, ErrRepositoryNotFound and the other sentinels.
//
// The call is bounded: when ctx has no deadline, it gets one of
// DefaultAttemptTimeout, and the answer's body is capped at
// DefaultMaxResponseSize (a WithMaxResponseSize in optFns overrides it). A
// request that fails before it is sent (no credentials, no endpoint)
// answers ErrRequestNotSent.
func Describe(ctx context.Context, client DescribeImageReplicationStatusAPIClient, params *ecr.DescribeImageReplicationStatusInput, optFns ...func(*ecr.Options)) (*Report, error) {
	if err := ValidateInput(params); err != nil {
		return nil, err
	}
	if client == nil {
		return nil, errNilClient
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultAttemptTimeout)
		defer cancel()
	}
	start := time.Now()
	c := new(call)
	out, err := client.DescribeImageReplicationStatus(ctx, params, c.after(optFns)...)
	if err != nil {
		return nil, c.error(err)
	}
	r := NewReport(params, out)
	r.Attempts, r.Answers, r.Elapsed = 1, 1, time.Since(start)
	return r, nil
}

// errNilClient is the error of a call given no client.
var errNilClient = errors.New("ecrreplication: the client is nil")

// Report is the replication status of one image.
type Report struct {
	// RegistryID is the source registry as requested ("" for the caller's
	// default registry).
	RegistryID string
	// Repository is the repository name as requested.
	Repository string
	// ImageDigest is the image's digest as requested or, when the request
	// named only a tag, as the service resolved it.
	ImageDigest string
	// ImageTag is the tag the image was asked for by, if any.
	ImageTag string
	// Destinations holds one entry per destination, sorted by region, then
	// registry ID. From Describe: those the service lists. From a wait:
	// every destination listed at any point of the wait (one the latest
	// answer leaves out has an empty Status and MissingSince set) and every
	// expected destination (one not listed yet has an empty Status).
	Destinations []Destination
	// Malformed counts the entries of the last answer that name no region
	// (a null entry, or one whose members are all null): they identify no
	// destination and are left out of Destinations.
	Malformed int

	// Attempts counts the DescribeImageReplicationStatus calls made for
	// this report (1 for Describe), Answers those the service answered
	// with a status, and Elapsed is the time they took: the whole wait,
	// for a waiter's report.
	Attempts int
	Answers  int
	Elapsed  time.Duration

	// Since is the reference instant of the replication times of a wait's
	// report (see Destination.ReplicationTime): the image's push time when
	// it could be read, else the wait's start; SinceSource says which,
	// SinceFromPush or SinceFromWaitStart. Both are zero for Describe.
	Since       time.Time
	SinceSource string

	// Duplicate is set, in WaitAll's reports, on the report of an input
	// that names the same image (the same RegistryID as given, Repository
	// and ImageDigest) as an earlier input: the two shared their polls, and
	// this report repeats the earlier one's destinations, times and counts.
	// Skip it when adding up images, polls or replication times.
	Duplicate bool
}

// Values of Report.SinceSource.
const (
	// SinceFromPush: Report.Since is the image's push time (imagePushedAt
	// from DescribeImages).
	SinceFromPush = "push"
	// SinceFromWaitStart: Report.Since is the instant the wait started.
	SinceFromWaitStart = "wait-start"
)

// Destination is the replication status of an image in one region and
// registry. As an expectation (ImageReplicationCompleteWaiterOptions.
// Destinations) only Region and RegistryID count.
type Destination struct {
	Region     string
	RegistryID string
	// Status is IN_PROGRESS, COMPLETE or FAILED; a value this version does not
	// know is kept as sent and counts as pending. It is empty for a
	// destination the latest answer does not list.
	Status types.ReplicationStatus
	// FailureCode is the service's reason for a FAILED status.
	FailureCode string

	// Extra marks, in a wait with expected destinations, a destination the
	// service lists that the expectations do not name: it neither makes
	// nor breaks the wait, and Complete, Failed and Pending leave it out.
	Extra bool
	// MissingSince is, in a wait, when the service first left out this
	// destination after listing it: it counts as pending until listed
	// again. Zero while listed, or if never listed.
	MissingSince time.Time

	// LastSeenPending is the instant the request was sent of the last poll
	// of a wait that listed the destination as not COMPLETE, and
	// FirstSeenComplete the instant the answer arrived of the first poll
	// since then that listed it COMPLETE; zero when unknown. The
	// destination's replication completed between the two (see
	// ReplicationTime).
	LastSeenPending   time.Time
	FirstSeenComplete time.Time
}

// ReplicationTime returns how long replication to d took, counted from
// since (usually Report.Since), as an interval: it completed at least min
// and at most max after since. A destination already COMPLETE at the first
// poll has only an upper bound (min is 0). ok is false when d has not been
// seen COMPLETE or since is zero. Neither bound is ever negative, even when
// since comes from another clock, such as the service's push time.
func (d Destination) ReplicationTime(since time.Time) (minTime, maxTime time.Duration, ok bool) {
	if d.FirstSeenComplete.IsZero() || since.IsZero() {
		return 0, 0, false
	}
	maxTime = max(d.FirstSeenComplete.Sub(since), 0)
	if !d.LastSeenPending.IsZero() {
		minTime = min(max(d.LastSeenPending.Sub(since), 0), maxTime)
	}
	return minTime, maxTime, true
}

// Complete reports whether there is at least one destination that must
// complete (one not Extra) and every such destination is COMPLETE. An empty
// list is not complete.
func (r *Report) Complete() bool {
	if r == nil {
		return false
	}
	required := 0
	for _, d := range r.Destinations {
		if d.Extra {
			continue
		}
		if d.Status != types.ReplicationStatusComplete {
			return false
		}
		required++
	}
	return required > 0
}

// Failed returns the destinations, other than Extra ones, whose status is
// FAILED.
func (r *Report) Failed() []Destination {
	return r.filter(func(d Destination) bool { return d.Status == types.ReplicationStatusFailed })
}

// Pending returns the destinations, other than Extra ones, that are neither
// COMPLETE nor FAILED: IN_PROGRESS, not listed, and any status this version
// does not know, so that an unknown status is never taken for completion.
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
		if !d.Extra && keep(d) {
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
	slices.SortStableFunc(ds, compareDestinations)
}

func compareDestinations(a, b Destination) int {
	return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.RegistryID, b.RegistryID))
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// Name names the report's image for messages, as repository:tag@digest
// (the parts it has), each part as it is when it is a plain name, tag or
// digest, and quoted and cut otherwise, so that no value can forge or flood
// a message. A nil report is "the image".
func (r *Report) Name() string {
	if r == nil {
		return "the image"
	}
	s := r.Repository
	if !isRepositoryName(s) || len(s) > maxQuoted {
		s = quote(s)
	}
	if r.ImageTag != "" {
		s += ":" + tagForMessage(r.ImageTag)
	}
	if r.ImageDigest != "" {
		if ValidateImageDigest(r.ImageDigest) == nil {
			s += "@" + r.ImageDigest
		} else {
			s += "@" + quote(r.ImageDigest)
		}
	}
	return s
}

// tagForMessage shows a tag as it is when it is a plain OCI-style tag, and
// quoted and cut otherwise, so that no tag can forge or flood a log line.
func tagForMessage(tag string) string {
	if len(tag) > maxQuoted {
		return quote(tag)
	}
	for i := 0; i < len(tag); i++ {
		if c := tag[i]; byteClass[c]&classEncoded == 0 && c != '.' {
			return quote(tag)
		}
	}
	return tag
}

func writeDestinations(b *strings.Builder, ds []Destination) {
	const most = 10
	for i, d := range ds {
		if i == most {
			fmt.Fprintf(b, " and %d more", len(ds)-most)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.String())
	}
}

// destinationList formats destinations for a log line.
func destinationList(ds []Destination) string {
	var b strings.Builder
	b.WriteByte('[')
	writeDestinations(&b, ds)
	b.WriteByte(']')
	return b.String()
}

// String formats the destination as "region registry-id STATUS: failure-code",
// or "region registry-id not listed yet" or "... not listed since TIME" when
// the service does not list it; values other than plain words are quoted.
func (d Destination) String() string {
	s := word(d.Region)
	if d.RegistryID != "" {
		s += " " + word(d.RegistryID)
	}
	switch {
	case d.Status == "" && !d.MissingSince.IsZero():
		s += " not listed since " + d.MissingSince.UTC().Format(time.RFC3339)
	case d.Status == "":
		s += " not listed yet"
	default:
		s += " " + word(string(d.Status))
	}
	if d.FailureCode != "" {
		s += ": " + word(d.FailureCode)
	}
	return s
}

// sameStatuses reports whether two lists name the same destinations with
// the same statuses.
func sameStatuses(a, b []Destination) bool {
	return slices.EqualFunc(a, b, func(x, y Destination) bool {
		return compareDestinations(x, y) == 0 && x.Status == y.Status && x.FailureCode == y.FailureCode
	})
}

// wasFailed reports whether ds lists d as FAILED.
func wasFailed(ds []Destination, d Destination) bool {
	return slices.ContainsFunc(ds, func(e Destination) bool {
		return compareDestinations(e, d) == 0 && e.Status == types.ReplicationStatusFailed
	})
}
