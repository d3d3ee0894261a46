package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
)

// metricsFile is the --metrics-file of a wait: CloudWatch Embedded Metric
// Format (EMF) records, one JSON object per line, which CloudWatch Logs
// turns into metrics when the file is shipped to it (CloudWatch agent,
// Fluent Bit, a Lambda's or an ECS task's log stream), with no API call.
// A nil *metricsFile writes nothing.
//
// The record follows the EMF specification as AWS publishes it,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
// (checked against its text in github.com/awsdocs/amazon-cloudwatch-user-guide,
// doc_source/CloudWatch_Embedded_Metric_Format_Specification.md): the root
// member "_aws" holds Timestamp (milliseconds since the Unix epoch) and
// CloudWatchMetrics, an array of MetricDirective objects, each with
// Namespace (1 to 255 characters), Dimensions (an array of DimensionSets:
// arrays of dimension keys, at most 9 in the older text and 30 in the
// current one) and Metrics (at most 100 MetricDefinitions: Name and an
// optional Unit, such as Seconds). Every dimension key and metric name must
// be a member of the root node, with a string value for a dimension and a
// number for a metric; other members are kept in the log event as they are.
type metricsFile struct {
	f *os.File
	w *bufio.Writer
}

// openMetrics opens path for appending, creating it if needed; "" means no
// metrics file. It is opened before the wait, so that a path that cannot
// be written is a usage error and nothing is sent.
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

// write appends one record per destination whose replication time is
// known, stamped with the instant the wait first saw it COMPLETE. A write
// error is a warning, also with --quiet: the measurement never fails the
// wait.
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
		if rep.Duplicate { // one record per image, however often it was named
			continue
		}
		for _, d := range rep.Destinations {
			lo, hi, ok := d.ReplicationTime(rep.Since)
			if !ok {
				continue
			}
			// The metric is the upper bound, so that an alarm on it never
			// misses a slow replication; both bounds are in the record.
			record := map[string]any{
				"_aws":              map[string]any{"Timestamp": d.FirstSeenComplete.UnixMilli(), "CloudWatchMetrics": directive},
				"DestinationRegion": d.Region, "DestinationRegistry": d.RegistryID,
				"ReplicationTime": seconds(hi), "ReplicationTimeMin": seconds(lo), "ReplicationTimeMax": seconds(hi),
				"Since": rep.SinceSource, "SinceTime": utc(rep.Since).Format("2006-01-02T15:04:05.000Z07:00"),
				"Repository": rep.Repository, "ImageDigest": rep.ImageDigest,
			}
			// "" would be no value: the caller's own registry, an image
			// named by digest.
			if rep.RegistryID != "" {
				record["RegistryId"] = rep.RegistryID
			}
			if rep.ImageTag != "" {
				record["ImageTag"] = rep.ImageTag
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
