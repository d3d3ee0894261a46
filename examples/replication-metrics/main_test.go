package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/google/go-cmp/cmp"
)

// The run happens in a synctest bubble: the simulator's plans, the waiter's
// one-second polls and the exporter's reader run in virtual time, from
// 2000-01-01, so every figure is exact.
func TestRunExportsReplicationTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var out bytes.Buffer
		if err := run(t.Context(), nil, &out); err != nil {
			t.Fatalf("run: %v\n%s", err, &out)
		}
		text, doc, ok := strings.Cut(out.String(), "metrics:\n")
		if !ok {
			t.Fatalf("no metrics in the output:\n%s", &out)
		}
		// Polls at 0, 1, ... 7 s; the plans complete at 1.5, 3.5 and 6.5 s.
		wantText := `simulator: pushed app:v1 to registry 123456789012, replicating to 3 destinations
replication of app:v1@sha256:39af75ca8f357d6b74ae1f22e74daeb143d3f83deb47ba5270602e4072e0d759, counted from the push (2000-01-01T00:00:00Z):
  ap-southeast-2 123456789012: COMPLETE after 6s to 7s
  eu-west-1 123456789012: COMPLETE after 3s to 4s
  us-west-2 123456789012: COMPLETE after 1s to 2s
`
		if diff := cmp.Diff(wantText, text); diff != "" {
			t.Errorf("report (-want +got):\n%s", diff)
		}

		var exported struct {
			ScopeMetrics []struct {
				Metrics []struct {
					Name, Unit string
					Data       struct {
						DataPoints []struct {
							Attributes []struct {
								Key   string
								Value struct{ Value any }
							}
							Sum   float64 // histograms
							Value float64 // counters
						}
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(doc), &exported); err != nil {
			t.Fatalf("the exporter's output is not JSON: %v\n%s", err, doc)
		}
		// Each data point by its metric, unit and the attribute that tells
		// the points apart.
		got := map[string]float64{}
		for _, sm := range exported.ScopeMetrics {
			for _, m := range sm.Metrics {
				for _, dp := range m.Data.DataPoints {
					for _, a := range dp.Attributes {
						switch a.Key {
						case "ecr.destination.region":
							got[m.Name+" ["+m.Unit+"] "+a.Value.Value.(string)] = dp.Sum
						case "ecr.poll.outcome":
							got[m.Name+" ["+m.Unit+"] "+a.Value.Value.(string)] = dp.Value
						}
					}
				}
			}
		}
		want := map[string]float64{
			"ecr.replication.duration [s] us-west-2":      2,
			"ecr.replication.duration [s] eu-west-1":      4,
			"ecr.replication.duration [s] ap-southeast-2": 7,
			"ecr.replication.polls [{poll}] answered":     8,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("exported metrics (-want +got):\n%s", diff)
		}
	})
}
