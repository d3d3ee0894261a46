package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

// metricsFile is the --metrics-file of a wait: CloudWatch Embedded Metric
// Format records, one JSON object per line, which CloudWatch Logs turns into
// metrics with no API call. The record follows AWS's EMF specification
// (CloudWatch_Embedded_Metric_Format_Specification): "_aws" holds Timestamp
// (milliseconds) and CloudWatchMetrics, directives of Namespace (1 to 255
// characters), Dimensions (sets of keys) and Metrics (Name, Unit); each
// dimension is a string member of the root, each metric a number member. A
// nil *metricsFile writes nothing.
type metricsFile struct {
	f *os.File
	w *bufio.Writer
}

// openMetrics opens path for appending, creating it; "" means none. It is
// opened before the wait: a path that cannot be written is a usage error.
func openMetrics(path string) (*metricsFile, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("--metrics-file: %w", err)
	}
	return &metricsFile{f: f, w: bufio.NewWriter(f)}, nil
}

// write appends one record per image and destination whose replication
// time is known, stamped when the wait first saw it COMPLETE, with the
// image's outcome. The metric is
// the upper bound, so that an alarm never misses a slow replication; both
// bounds are in the record. A write error is a warning: the measurement
// never fails the wait.
func (m *metricsFile) write(a *app, namespace string, results []result) {
	if m == nil {
		return
	}
	directive := []any{map[string]any{
		"Namespace":  namespace,
		"Dimensions": [][]string{{"DestinationRegion", "DestinationRegistry"}},
		"Metrics":    []any{map[string]string{"Name": "ReplicationTime", "Unit": "Seconds"}},
	}}
	for _, r := range results {
		rep := r.report
		for _, d := range rep.Destinations {
			lo, hi, ok := d.ReplicationTime(rep.Since)
			if !ok || rep.Duplicate {
				continue
			}
			record := map[string]any{
				"_aws":              map[string]any{"Timestamp": d.FirstSeenComplete.UnixMilli(), "CloudWatchMetrics": directive},
				"DestinationRegion": d.Region, "DestinationRegistry": d.RegistryID,
				"ReplicationTime": seconds(hi), "ReplicationTimeMin": seconds(lo), "ReplicationTimeMax": seconds(hi),
				"Since": rep.SinceSource, "SinceTime": utc(rep.Since).Format("2006-01-02T15:04:05.000Z07:00"),
				"Repository": rep.Repository, "ImageDigest": rep.ImageDigest, "Outcome": r.outcome,
			}
			// "" would be no value: the caller's registry, no tag.
			for k, v := range map[string]string{"RegistryId": rep.RegistryID, "ImageTag": rep.ImageTag} {
				if v != "" {
					record[k] = v
				}
			}
			b, _ := json.Marshal(record)
			m.w.Write(append(b, '\n'))
		}
	}
	if err := m.w.Flush(); err != nil {
		a.say("warning: --metrics-file: %v", err)
	}
}

// close closes the file; an error is a warning.
func (m *metricsFile) close(a *app) {
	if m == nil {
		return
	}
	if err := m.f.Close(); err != nil {
		a.say("warning: --metrics-file: %v", err)
	}
}
