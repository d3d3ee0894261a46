package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"os"
)

// openAppend opens the file at path of a flag for appending, creating it;
// nil for "".
func openAppend(flag, path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return f, nil
}

// writeMetrics appends to f, and closes it, a CloudWatch Embedded Metric
// Format record per destination whose replication time is known, stamped
// when the wait saw it COMPLETE. The metric is the upper bound, so that an
// alarm never misses a slow replication; both bounds are in the record.
func writeMetrics(f *os.File, namespace string, results []result) error {
	if f == nil {
		return nil
	}
	w := bufio.NewWriter(f)
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
			w.Write(append(b, '\n'))
		}
	}
	return cmp.Or(w.Flush(), f.Close())
}
