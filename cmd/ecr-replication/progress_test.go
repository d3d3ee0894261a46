package main

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecr/types"

	"github.com/ecrkit/ecrreplication"
)

// Elapsed times have tenths under a minute, then minutes and seconds.
func TestFormatElapsed(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                     "0.0s",
		4200 * time.Millisecond:               "4.2s",
		59*time.Second + 940*time.Millisecond: "59.9s",
		59*time.Second + 970*time.Millisecond: "1m00s",
		2*time.Minute + 5*time.Second:         "2m05s",
		31 * time.Minute:                      "31m00s",
	} {
		if got := formatElapsed(d); got != want {
			t.Errorf("formatElapsed(%v) = %q, want %q", d, got, want)
		}
	}
}

// Replication times are an interval, floor to ceiling, in tenths below
// 10 s; only the upper bound when the destination was COMPLETE at the
// first poll; nothing when it was not seen COMPLETE.
func TestReplicationTime(t *testing.T) {
	since := time.Date(2025, 11, 27, 14, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return since.Add(d) }
	for _, tc := range []struct {
		pending, complete time.Duration // 0: not seen
		want              string
	}{
		{12 * time.Second, 15 * time.Second, "12–15 s"},
		{12*time.Second + 900*time.Millisecond, 15*time.Second + 100*time.Millisecond, "12–16 s"},
		{1230 * time.Millisecond, 1870 * time.Millisecond, "1.2–1.9 s"},
		{0, 15 * time.Second, "≤ 15 s"},
		{0, 800 * time.Millisecond, "≤ 0.8 s"},
		{9 * time.Second, 9950 * time.Millisecond, "9.0–10.0 s"},
		{3 * time.Second, 0, ""},
	} {
		d := ecrreplication.Destination{Region: "us-west-2", Status: types.ReplicationStatusComplete}
		if tc.pending > 0 {
			d.LastSeenPending = at(tc.pending)
		}
		if tc.complete > 0 {
			d.FirstSeenComplete = at(tc.complete)
		}
		if got := replicationTime(d, since); got != tc.want {
			t.Errorf("pending %v, complete %v: replicationTime = %q, want %q", tc.pending, tc.complete, got, tc.want)
		}
	}
}
