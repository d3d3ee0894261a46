package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/synctest"
)

// The run happens in a synctest bubble: the simulator's plans, the waiter's
// delays and the exporter's reader run in virtual time.
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
		// Polls at 0, 3, 6.6, 10.9 and 16.1 s (jitter aside), then about
		// 22 s: each interval holds its plan's completion (4, 9 and 20 s).
		for _, want := range []string{
			"counted from the push (2000-01-01T00:00:00Z)",
			"us-west-2 123456789012: COMPLETE after ",
			"eu-west-1 123456789012: COMPLETE after ",
			"ap-southeast-2 123456789012: COMPLETE after ",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("output lacks %q:\n%s", want, text)
			}
		}
		var exported struct {
			ScopeMetrics []struct {
				Metrics []struct {
					Name string
					Unit string
					Data struct {
						DataPoints []struct {
							Attributes []struct {
								Key   string
								Value struct{ Value any }
							}
							Count uint64
							Sum   float64
						}
					}
				}
			}
		}
		if err := json.Unmarshal([]byte(doc), &exported); err != nil {
			t.Fatalf("the exporter's output is not JSON: %v\n%s", err, doc)
		}
		sums := map[string]float64{}
		units := map[string]string{}
		for _, sm := range exported.ScopeMetrics {
			for _, m := range sm.Metrics {
				units[m.Name] = m.Unit
				for _, dp := range m.Data.DataPoints {
					for _, a := range dp.Attributes {
						if a.Key == "ecr.destination.region" {
							sums[a.Value.Value.(string)] = dp.Sum
						}
					}
				}
			}
		}
		if units["ecr.replication.duration"] != "s" || units["ecr.replication.polls"] != "{poll}" {
			t.Errorf("units %v, want ecr.replication.duration in s and ecr.replication.polls in {poll}", units)
		}
		for region, truth := range map[string]float64{"us-west-2": 4, "eu-west-1": 9, "ap-southeast-2": 20} {
			if got := sums[region]; got < truth || got > truth+10 {
				t.Errorf("%s: exported %v s, want the upper bound of a replication of %v s", region, got, truth)
			}
		}
	})
}
