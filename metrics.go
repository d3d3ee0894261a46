package ecrreplication

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"
	"github.com/aws/smithy-go/logging"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/ecrkit/ecrreplication/internal/safetext"
)

// Names of the waiter's OpenTelemetry instruments and their attributes,
// in the style of the OpenTelemetry semantic conventions.
const (
	// MetricReplicationDuration is a histogram, in seconds, of the time from
	// the reference instant (the image's push, or the wait's start: see
	// AttrSince) until a poll first saw the destination COMPLETE or FAILED:
	// the upper bound of Destination.ReplicationTime, one value per
	// destination per wait, recorded when the wait ends.
	MetricReplicationDuration = "ecr.replication.duration"
	// MetricPolls counts DescribeImageReplicationStatus polls by outcome
	// (AttrPollOutcome).
	MetricPolls = "ecr.replication.polls"

	AttrDestinationRegion   = "ecr.destination.region"
	AttrDestinationRegistry = "ecr.destination.registry_id"
	// AttrOutcome is "complete" or "failed".
	AttrOutcome = "ecr.replication.outcome"
	// AttrSince is the reference instant: "push" or "wait-start".
	AttrSince = "ecr.replication.since"
	// AttrRepository is the source repository, only with
	// ImageReplicationCompleteWaiterOptions.MetricsRepository.
	AttrRepository = "ecr.repository.name"
	// AttrPollOutcome is "answered", "throttled" or "error".
	AttrPollOutcome = "ecr.poll.outcome"
)

// meterScope is the instrumentation scope of the waiter's instruments.
const meterScope = "github.com/ecrkit/ecrreplication"

// meters are the instruments of one wait. A nil *meters records nothing.
type meters struct {
	duration metric.Float64Histogram
	polls    metric.Int64Counter
	// answered, throttled and failed are the attribute options of the
	// three poll outcomes, made once so that counting a poll does not
	// allocate.
	answered, throttled, failed []metric.AddOption
	// repository says to add the repository name to the duration's
	// attributes (MetricsRepository).
	repository bool
}

// newMeters creates the instruments from mp. An instrument that cannot be
// created is logged and left out: metrics never fail a wait.
func newMeters(mp metric.MeterProvider, logger logging.Logger, repository bool) *meters {
	meter := mp.Meter(meterScope)
	duration, err1 := meter.Float64Histogram(MetricReplicationDuration,
		metric.WithUnit("s"),
		metric.WithDescription("Time from the image's push (or the wait's start) until a poll first saw the destination COMPLETE or FAILED"),
		metric.WithExplicitBucketBoundaries(1, 2, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1800, 3600))
	polls, err2 := meter.Int64Counter(MetricPolls,
		metric.WithUnit("{poll}"),
		metric.WithDescription("DescribeImageReplicationStatus polls by outcome"))
	if err := errors.Join(err1, err2); err != nil {
		logger.Logf(logging.Warn, "ecrreplication: creating the metrics' instruments: %s", safetext.Line(err.Error(), 0))
	}
	opts := func(outcome string) []metric.AddOption {
		return []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(attribute.String(AttrPollOutcome, outcome)))}
	}
	return &meters{duration: duration, polls: polls, repository: repository,
		answered: opts("answered"), throttled: opts("throttled"), failed: opts("error")}
}

// countPoll counts one poll by its outcome.
func (m *meters) countPoll(ctx context.Context, err error) {
	if m == nil || m.polls == nil {
		return
	}
	opts := m.answered
	switch {
	case errors.Is(err, ErrThrottled):
		opts = m.throttled
	case err != nil:
		opts = m.failed
	}
	m.polls.Add(ctx, 1, opts...)
}

// recordTimes records, once per wait, the replication time of every
// destination of the final report that was seen COMPLETE or FAILED;
// failedAt tells when a destination was first seen FAILED.
func (m *meters) recordTimes(ctx context.Context, report *Report, failedAt func(Destination) time.Time) {
	if m == nil || m.duration == nil {
		return
	}
	for _, d := range report.Destinations {
		outcome := "complete"
		seen := d.FirstSeenComplete
		if d.Status == types.ReplicationStatusFailed {
			outcome, seen = "failed", failedAt(d)
		}
		if d.Status != types.ReplicationStatusComplete && d.Status != types.ReplicationStatusFailed || seen.IsZero() {
			continue
		}
		attrs := []attribute.KeyValue{
			attribute.String(AttrDestinationRegion, d.Region),
			attribute.String(AttrDestinationRegistry, d.RegistryID),
			attribute.String(AttrOutcome, outcome),
			attribute.String(AttrSince, report.SinceSource),
		}
		if m.repository {
			attrs = append(attrs, attribute.String(AttrRepository, report.Repository))
		}
		m.duration.Record(ctx, max(seen.Sub(report.Since), 0).Seconds(), metric.WithAttributes(attrs...))
	}
}
