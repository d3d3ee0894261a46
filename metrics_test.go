package ecrreplication_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/ecrkit/ecrreplication"
)

// collect reads every metric the reader holds, by name.
func collect(t *testing.T, reader *sdkmetric.ManualReader) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		if sm.Scope.Name != "github.com/ecrkit/ecrreplication" {
			t.Errorf("instrumentation scope %q", sm.Scope.Name)
		}
		for _, m := range sm.Metrics {
			got[m.Name] = m.Data
		}
	}
	return got
}

func TestMetrics(t *testing.T) {
	for _, withRepo := range []bool{false, true} {
		synctest.Test(t, func(t *testing.T) {
			reader := sdkmetric.NewManualReader()
			provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
			// Polls at 0 s, 3.15 s, 6.75 s, 11.07 s: throttled, pending, an
			// answer with a failure outside the expectations, complete.
			s := newScripted(step{err: errThrottled},
				answer(st("eu-west-1", account, inProgress), st("us-west-2", account, inProgress)),
				step{err: errServer},
				answer(st("eu-west-1", account, complete), st("us-west-2", account, inProgress), st("us-east-2", otherAccount, failed)),
				answer(st("eu-west-1", account, complete), st("us-west-2", account, complete), st("us-east-2", otherAccount, failed)))
			err := newWaiter(s, expect(ecrreplication.Destination{Region: "eu-west-1"}, ecrreplication.Destination{Region: "us-west-2"}),
				func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
					o.MeterProvider, o.MetricsRepository = provider, withRepo
				}).Wait(context.Background(), byTag("team/api", "v1"), time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			calls := s.recorded()
			got := collect(t, reader)

			polls, ok := got[ecrreplication.MetricPolls].(metricdata.Sum[int64])
			if !ok {
				t.Fatalf("%s is %T, want a sum", ecrreplication.MetricPolls, got[ecrreplication.MetricPolls])
			}
			byOutcome := map[string]int64{}
			for _, dp := range polls.DataPoints {
				v, _ := dp.Attributes.Value(ecrreplication.AttrPollOutcome)
				byOutcome[v.AsString()] = dp.Value
			}
			if diff := cmp.Diff(map[string]int64{"answered": 3, "throttled": 1, "error": 1}, byOutcome); diff != "" {
				t.Errorf("polls by outcome (-want +got):\n%s", diff)
			}

			hist, ok := got[ecrreplication.MetricReplicationDuration].(metricdata.Histogram[float64])
			if !ok {
				t.Fatalf("%s is %T, want a histogram", ecrreplication.MetricReplicationDuration, got[ecrreplication.MetricReplicationDuration])
			}
			type point struct {
				Attrs   map[string]string
				Seconds float64
			}
			var points []point
			for _, dp := range hist.DataPoints {
				attrs := map[string]string{}
				for _, kv := range dp.Attributes.ToSlice() {
					attrs[string(kv.Key)] = kv.Value.AsString()
				}
				points = append(points, point{attrs, dp.Sum})
				if dp.Count != 1 {
					t.Errorf("%v: %d values, want 1", attrs, dp.Count)
				}
			}
			attrs := func(region, registry, outcome string) map[string]string {
				m := map[string]string{ecrreplication.AttrDestinationRegion: region, ecrreplication.AttrDestinationRegistry: registry,
					ecrreplication.AttrOutcome: outcome, ecrreplication.AttrSince: ecrreplication.SinceFromWaitStart}
				if withRepo {
					m[ecrreplication.AttrRepository] = "team/api"
				}
				return m
			}
			// The upper bound: when the first poll that saw the state
			// answered (the second answer for eu-west-1 and us-east-2,
			// the third for us-west-2).
			want := []point{
				{attrs("eu-west-1", account, "complete"), calls[3].end.Sub(calls[0].start).Seconds()},
				{attrs("us-east-2", otherAccount, "failed"), calls[3].end.Sub(calls[0].start).Seconds()},
				{attrs("us-west-2", account, "complete"), calls[4].end.Sub(calls[0].start).Seconds()},
			}
			sortPoints := cmp.Transformer("sort", func(ps []point) map[string]float64 {
				m := map[string]float64{}
				for _, p := range ps {
					set := attribute.NewSet(toKV(p.Attrs)...)
					m[set.Encoded(attribute.DefaultEncoder())] = p.Seconds
				}
				return m
			})
			if diff := cmp.Diff(want, points, sortPoints); diff != "" {
				t.Errorf("replication durations (-want +got):\n%s", diff)
			}
		})
	}
}

func toKV(m map[string]string) []attribute.KeyValue {
	var kvs []attribute.KeyValue
	for k, v := range m {
		kvs = append(kvs, attribute.String(k, v))
	}
	return kvs
}

// waitPolls runs one wait of polls answers, the last COMPLETE, with delays
// of a nanosecond (no virtual time: benchmarks and AllocsPerRun run
// outside a bubble).
func waitPolls(polls int, opts ...waiterOpt) error {
	steps := make([]step, polls)
	for i := range steps {
		steps[i] = answer(st("eu-west-1", account, inProgress), st("us-west-2", account, inProgress))
	}
	steps[polls-1] = answer(st("eu-west-1", account, complete), st("us-west-2", account, complete))
	s := newScripted(steps...)
	opts = append(opts, func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = time.Nanosecond, time.Nanosecond
	})
	return newWaiter(s, opts...).Wait(context.Background(), byTag("app", "v1"), time.Hour)
}

// measurement configurations: the replication times, which a wait always
// records, and the metrics on top.
var measurements = []struct {
	name string
	opts []waiterOpt
}{
	{"times", nil},
	{"times+meter", []waiterOpt{func(o *ecrreplication.ImageReplicationCompleteWaiterOptions) {
		o.MeterProvider = noop.NewMeterProvider()
	}}},
}

// The metrics add no allocation per poll: a wait of 20 polls costs the same
// allocations with metrics to a no-op provider as without. (Allocation
// counts are exact, not timed.)
func TestMeasurementAddsNoAllocationPerPoll(t *testing.T) {
	perPoll := func(opts []waiterOpt) float64 {
		short := testing.AllocsPerRun(20, func() { _ = waitPolls(2, opts...) })
		long := testing.AllocsPerRun(20, func() { _ = waitPolls(22, opts...) })
		return (long - short) / 20
	}
	base := perPoll(measurements[0].opts)
	for _, m := range measurements[1:] {
		if got := perPoll(m.opts); got > base {
			t.Errorf("%s: %.1f allocations per poll, want no more than without metrics (%.1f)", m.name, got, base)
		}
	}
}

// BenchmarkWaitMeasurement reports the cost per poll of a wait, with and
// without metrics:
//
//	go test -run '^$' -bench WaitMeasurement -benchmem .
func BenchmarkWaitMeasurement(b *testing.B) {
	const polls = 20
	for _, m := range measurements {
		b.Run(m.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := waitPolls(polls, m.opts...); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*polls), "ns/poll")
		})
	}
}
